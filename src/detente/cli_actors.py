"""`detente actors ...`: resolve, list and import actors; `detente eval actors`.

Each command parses its options, calls one function of `detente.actors` and prints.
The main CLI mounts `actors_app` with `app.add_typer(actors_app, name="actors")` and
registers `eval_actors_command` as `detente eval actors PATH [--json]`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from detente.cli_common import err, out, run
from detente.date_input import read_day
from detente.errors import DetenteError, InputError

T = TypeVar("T")
actors_app = typer.Typer(help="Resolve, list and import actors (codes, sectors, dated roles).",
                         no_args_is_help=True, add_completion=False,
                         pretty_exceptions_enable=False)

ActorsOption = Annotated[list[Path] | None, typer.Option(
    "--actors", help="Extra actor file (detente actor format or people.csv layout); repeatable.")]
DateOption = Annotated[str | None, typer.Option(
    "--date", help="Date of the text, YYYY-MM-DD: people resolve to their role on it.")]


def parse_date(value: str | None, name: str = "--date") -> dt.date | None:
    """A date option or field as its first day (a month or year at its start); None when
    empty. A bad value is a BadDateError naming `name`."""
    if value in (None, ""):
        return None
    return read_day(str(value), name)


def _error_line(line: int, exc: DetenteError) -> dict[str, Any]:
    return {"ok": False, "line": line, "error": exc.message, "code": exc.code, "hint": exc.hint}


def resolve_lines(lines: Iterable[str], resolver: Any) -> Iterable[dict[str, Any]]:
    """One result per JSONL line `{"text", "date", "context"}`; bad lines give an error
    object (the same shape as the HTTP API's errors) and do not stop the batch."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(f"line {number} is not JSON: {exc.msg}.",
                                 hint='Write one object per line: {"text": "...", '
                                      '"date": "YYYY-MM-DD", "context": "..."}') from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise InputError(f"line {number} has no \"text\" string.",
                                 hint='Each line needs {"text": "..."}; date and context '
                                      'are optional.')
            context = item.get("context")
            yield _run_one(resolver, item["text"], parse_date(item.get("date"), f"line {number} date"),
                           context if isinstance(context, str) else None)
        except DetenteError as exc:
            yield _error_line(number, exc)


def _run_one(resolver: Any, text: str, date: dt.date | None,
             context: str | None) -> dict[str, Any]:
    return resolver.resolve(text, date, context).to_dict()


@actors_app.command("resolve")
def resolve_command(
    text: Annotated[str | None, typer.Argument(help="Actor phrase, e.g. \"Russia's foreign "
                                                    "ministry\".")] = None,
    date: DateOption = None,
    context: Annotated[str | None, typer.Option(
        "--context", help="The sentence the phrase comes from (settles ambiguous names).")] = None,
    input_: Annotated[str | None, typer.Option(
        "--input", help="JSONL file (or - for stdin) of {\"text\",\"date\",\"context\"} lines; "
                        "prints one JSON line per input line.")] = None,
    actors: ActorsOption = None,
) -> None:
    """Resolve an actor phrase to {text, code, sector, name, reason} as JSON."""
    from detente.actors import ActorResolver

    resolver = run(lambda: ActorResolver(actors or ()))
    if input_ is not None:
        stream = sys.stdin if input_ == "-" else run(lambda: _open(input_))
        for result in resolve_lines(stream, resolver):
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    if text is None:
        run(lambda: _fail("Give an actor phrase or --input FILE.",
                           'Try: detente actors resolve "the Japanese prime minister" '
                           "--date 2015-03-20"))
        return
    day = run(lambda: parse_date(date))
    sys.stdout.write(json.dumps(_run_one(resolver, text, day, context), ensure_ascii=False)
                     + "\n")


def _open(path: str):
    try:
        return open(path, encoding="utf-8")  # noqa: SIM115 - read while streaming
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}.",
                         hint="Check the path given to --input (or use - for stdin).") from None


def _fail(message: str, hint: str) -> None:
    raise InputError(message, hint=hint)


@actors_app.command("list")
def list_command(
    country: Annotated[str | None, typer.Option("--country", help="Country or IGO code, e.g. JPN.")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="Only people holding a role on this day (YYYY-MM-DD).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table or json.")] = "table",
    actors: ActorsOption = None,
) -> None:
    """List registry entries (or, with --on, the office holders of that day)."""
    from detente.actors import list_actors

    if fmt not in ("table", "json"):
        run(lambda: _fail(f"Unknown format '{fmt}'.", "Use --format table or --format json."))
    day = run(lambda: parse_date(on, "--on"))
    entries = run(lambda: list_actors(country, day, actors or ()))
    if fmt == "json":
        sys.stdout.write(json.dumps([e.to_dict() for e in entries], ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(entries)} actors")
    for column in ("name", "kind", "code", "sector", "roles"):
        table.add_column(column)
    for e in entries:
        roles = "; ".join(f"{r.title or r.sector} {r.code} {r.span()}" for r in e.roles)
        table.add_row(e.name, e.kind, e.code or "", e.sector, roles)
    out.print(table)


@actors_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="PETRARCH/TABARI .actors dictionary.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the detente actor file here (default: stdout).")] = None,
) -> None:
    """Convert a PETRARCH .actors dictionary to the detente actor format (CSV)."""
    from detente.actors.petrarch import actors_csv, read_petrarch, write_actors_file

    result = run(lambda: read_petrarch(path))
    if output is None:
        sys.stdout.write(actors_csv(result.rows))
    else:
        write_actors_file(result.rows, output)
        err.print(f"wrote {len(result.rows)} rows to {output}", highlight=False)
    for line in result.skipped:
        err.print(f"[yellow]skipped[/] {line}", highlight=False)


def eval_actors_command(
    path: Annotated[Path, typer.Argument(help="PLOVER gold records (JSON array), e.g. "
                                              "../shared/data-ext/plover/PLOVER_GSR_dev.json.")],
    json_: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Score actor resolution (country code, sector) against PLOVER gold records."""
    from detente.actors import evaluate_actors

    report = run(lambda: evaluate_actors(path))
    if json_:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        out.print(report.to_table())
