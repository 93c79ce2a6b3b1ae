"""`detente actors resolve|list|import` and `detente eval actors`.

Each command parses its options, calls one function of `detente.actors` (with the
resolver the settings name: the shipped registry and the user's actor files) and prints.
`main` mounts `actors_app` and registers `eval_actors_command` under `detente eval`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli.common import (
    ActorsOption,
    ConfigOption,
    JsonOption,
    ShortFormat,
    check_format,
    err,
    open_text,
    out,
    print_json,
    refuse,
    run,
    settings_from,
)
from detente.errors import DetenteError

if TYPE_CHECKING:
    from detente.actors import ActorResolver
    from detente.settings import Settings

actors_app = typer.Typer(help="Resolve, list and import actors (codes, sectors, dated roles).",
                         no_args_is_help=True, add_completion=False,
                         pretty_exceptions_enable=False)

DateOption = Annotated[str | None, typer.Option(
    "--date", help="Date of the text, YYYY-MM-DD: people resolve to their role on it.")]
LINE_HINT = ('Write one object per line: {"text": "...", "date": "YYYY-MM-DD", '
             '"context": "..."}')


def _error_line(where: str, error: DetenteError) -> dict[str, Any]:
    """A line's error in the HTTP API's error shape, with the line it comes from."""
    return {"ok": False, "line": int(where.rsplit(":", 1)[1]), "error": error.message,
            "code": error.code, "hint": error.hint}


def resolve_lines(lines: Iterable[str | bytes], name: str, resolver: ActorResolver,
                  settings: Settings) -> Iterator[dict[str, Any]]:
    """One result per JSONL line `{"text", "date", "context"}`; a bad line gives an error
    object (the HTTP API's error shape, with its line number) and the batch goes on."""
    from detente import query
    from detente.errors import InputError
    from detente.jsonio import json_lines

    for item in json_lines(lines, name, hint=LINE_HINT):
        if isinstance(item, InputError):
            yield _error_line(item.input, item)
            continue
        where, record = item
        try:
            text, date, context = record.get("text"), record.get("date"), record.get("context")
            if not isinstance(text, str):
                raise InputError(f'{where}: no "text" string',
                                 hint='Each line needs {"text": "..."}; date and context '
                                      'are optional.')
            day = query.day(str(date) if date else None, f"{where} date", settings)
            yield resolver.resolve(text, day, context if isinstance(context, str)
                                   else None).to_dict()
        except DetenteError as error:
            yield _error_line(where, error)


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
    config: ConfigOption = None,
) -> None:
    """Resolve an actor phrase to {text, code, sector, name, reason} as JSON."""
    from detente import query

    if input_ is None and text is None:
        refuse("text", "text: give an actor phrase, or --input FILE",
               'Try: detente actors resolve "the Japanese prime minister" --date 2015-03-20')
    settings = settings_from(config, actors=actors)
    if input_ is not None:
        with open_text(input_, "r", "input") as stream:
            resolver = run(lambda: query.resolver(settings))
            name = "<stdin>" if input_ == "-" else input_
            for result in resolve_lines(stream, name, resolver, settings):
                print_json(result)
        return
    day = run(lambda: query.day(date, "date", settings))
    resolver = run(lambda: query.resolver(settings))
    print_json(resolver.resolve(text or "", day, context).to_dict())


@actors_app.command("list")
def list_command(
    country: Annotated[str | None, typer.Option("--country", help="Country or IGO code, e.g. JPN.")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="Only people holding a role on this day (YYYY-MM-DD).")] = None,
    format: ShortFormat = "table",
    actors: ActorsOption = None,
    config: ConfigOption = None,
) -> None:
    """List registry entries (or, with --on, the office holders of that day)."""
    from rich.table import Table

    from detente import query
    from detente.actors import list_actors

    fmt = check_format(format, ("table", "json"))
    settings = settings_from(config, actors=actors)
    day: dt.date | None = run(lambda: query.day(on, "on", settings))
    entries = run(lambda: list_actors(country, day, settings.actors))
    if fmt == "json":
        print_json([e.to_dict() for e in entries])
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
    import sys

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
    json_: JsonOption = False,
) -> None:
    """Score actor resolution (country code, sector) against PLOVER gold records."""
    from detente.actors import evaluate_actors

    report = run(lambda: evaluate_actors(path))
    if json_:
        print_json(report.to_dict())
    else:
        out.print(report.to_table())
