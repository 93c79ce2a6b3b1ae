"""What every `detente` command shares, declared once: the consoles, the options, how a
library error is printed, and the output formats. Command modules import from here and
never from each other.

The library names the parameter an error is about ("since: 'yesterday' is not a date",
with "since" in the error's `input`); `fail` prints it with the flag in its place
("--since: 'yesterday' is not a date"), then the hint, and exits with the error's exit
code. Every command reports errors this one way, and every command calls an option by
its parameter's name (`--since` for `since`), so that the two always match.

Only typer and rich are imported here: a command imports the library when it runs, so
that `detente --help` answers at once.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import IO, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from detente.errors import DetenteError, InputError
from detente.settings import HELP, Settings, load_settings

T = TypeVar("T")

# Piped or captured output gets a wide table rather than rich's 80-column default.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

# -- options shared by several commands ------------------------------------------------

DbOption = Annotated[Path | None, typer.Option("--db", help=HELP["db"] + " (env DETENTE_DB)")]
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="TOML config file (default ./detente.toml; env DETENTE_CONFIG)")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help=HELP["quiet"])]
FastOption = Annotated[bool, typer.Option("--fast", help=HELP["fast"])]
ActorsOption = Annotated[list[Path] | None, typer.Option("--actors", help=HELP["actors"])]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON object.")]
TableFormat = Annotated[str, typer.Option("--format", "-f",
                                          help="Output format: table, json or csv.")]
ShortFormat = Annotated[str, typer.Option("--format", "-f",
                                          help="Output format: table or json.")]
SourceOption = Annotated[str | None, typer.Option(
    "--source", help="Source actor: a code (JPN, G7) or a name (Japan).")]
TargetOption = Annotated[str | None, typer.Option(
    "--target", help="Target actor: a code (RUS) or a name (Russia).")]
TypeOption = Annotated[str | None, typer.Option(
    "--type", help="PLOVER type, e.g. SANCTION (older names such as DEMAND are read as "
                   "current ones).")]
SinceOption = Annotated[str | None, typer.Option(
    "--since", help="First date: YYYY-MM-DD, or YYYY-MM or YYYY from its first day.")]
UntilOption = Annotated[str | None, typer.Option(
    "--until", help="Last date: YYYY-MM-DD, or YYYY-MM or YYYY through its last day.")]
ActorA = Annotated[str, typer.Argument(help="First actor: an ISO 3166 alpha-3 code (JPN), an "
                                            "international code (G7, EU, NATO) or a country "
                                            "name (Japan).", metavar="A",
                                       show_default=False)]
ActorB = Annotated[str, typer.Argument(help="Second actor, in the same forms (RUS, Russia).",
                                       metavar="B", show_default=False)]
RawOption = Annotated[bool, typer.Option(
    "--raw", help="Count every report: one event per article that tells it, as stored, "
                  "instead of one canonical event per happening (the default).")]
PlotOption = Annotated[Path | None, typer.Option(
    "--plot", help="Also draw the result to this file: .png, .svg or .html (drawn "
                   "offline, no browser needed).")]


def settings_from(config: Path | None = None, **flags: Any) -> Settings:
    """The settings for a command: defaults, config file, DETENTE_* variables, then the
    flags given (None: not given)."""
    return run(lambda: load_settings(flags, config=config))


# -- errors ----------------------------------------------------------------------------

# Parameters the commands take as positional arguments, written in capitals in help and
# errors (`detente timeline A B`); every other parameter is an option: `since` is --since.
ARGUMENTS = frozenset({"a", "b", "text", "paths"})


def written_as(param: str) -> str:
    """How a user writes the parameter `param` on the command line: `--since`, `A`."""
    return param.upper() if param in ARGUMENTS else "--" + param.replace("_", "-")


def with_flags(text: str, error: DetenteError) -> str:
    """`text` with the parameters the error is about (its `input`) written as flags,
    where the text names one before a colon or a value ("since: ...", "since 2015-01-01"),
    as a word of its own: the end of a path ("data/db: ...") stays as it is.

    >>> error = InputError("since 2015-01-01 is after until 2014-12-31", input="since,until")
    >>> with_flags(error.message, error)
    '--since 2015-01-01 is after --until 2014-12-31'
    """
    for param in filter(None, (error.input or "").split(",")):
        if re.fullmatch(r"[a-z_]+", param):
            text = re.sub(rf"(?<![\w./\\-]){param}\b(?=:| [\d'\"])", written_as(param),
                          text)
    return text


def fail(error: DetenteError) -> NoReturn:
    """Print a library error (message and hint, in this command's flags) and exit with
    its exit code."""
    err.print(f"[bold red]error[/] {escape(with_flags(error.message, error))}",
              highlight=False)
    if error.hint:
        err.print(f"[yellow]hint[/] {escape(with_flags(error.hint, error))}", highlight=False)
    raise typer.Exit(error.exit_code)


def run(call: Callable[[], T]) -> T:
    """Call the library; a detente error becomes a message and an exit code (`fail`)."""
    try:
        return call()
    except DetenteError as error:
        fail(error)


def refuse(param: str, message: str, hint: str) -> NoReturn:
    """Fail on a bad value of the command's own parameter `param`, which `message` names."""
    error = InputError(message, hint=hint)
    error.input = param
    fail(error)


def check_format(value: str, allowed: Sequence[str]) -> str:
    """The --format value, when it is one of `allowed`."""
    if value not in allowed:
        refuse("format", f"format: unknown format {value!r}",
               f"Use one of: {', '.join(allowed)}.")
    return value


# -- output ----------------------------------------------------------------------------

def print_json(value: Any) -> None:
    """One line of JSON on stdout (`detente.jsonio.to_json`)."""
    from detente.jsonio import to_json

    sys.stdout.write(to_json(value) + "\n")


def print_rows(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str],
               title: str | None = None) -> None:
    """Rows as a rich table, JSON array or CSV, on stdout."""
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in columns:
        short = column in {"id", "date", "inferred", "sentences", "events", "type", "cameo",
                           "code"}
        table.add_column(column, overflow="fold", no_wrap=short)
    for row in rows:
        table.add_row(*["" if row.get(c) is None else str(row.get(c)) for c in columns])
    out.print(table)


@contextmanager
def progress_bar(quiet: bool, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress line on stderr (documents/s, sentences/s) unless --quiet; it appears
    only after two seconds, so quick runs stay clean."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    started = time.perf_counter()
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                   TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                   console=err, transient=True)
    task = bar.add_task(label, total=None, rate="")
    shown = False

    def update(docs: int, sentences: int) -> None:
        nonlocal shown
        elapsed = time.perf_counter() - started
        if quiet or elapsed < 2:
            return
        if not shown:
            bar.start()
            shown = True
        bar.update(task, completed=docs, rate=f"{docs} docs, {docs / elapsed:.1f} docs/s, "
                                               f"{sentences / elapsed:.0f} sentences/s")

    try:
        yield update
    finally:
        if shown:
            bar.stop()


def open_text(path: str | None, mode: str, param: str) -> Any:
    """A context manager over the file `path`, or stdin/stdout for `-` or no path; a file
    that cannot be opened fails naming the command's parameter `param`."""
    if path in (None, "-"):
        return nullcontext(sys.stdin if mode == "r" else sys.stdout)
    try:
        handle: IO[str] = open(path, mode, encoding="utf-8")  # noqa: SIM115 - closed by the caller's with
    except OSError as exc:
        refuse(param, f"{param}: cannot open {path}: {exc.strerror}",
               "Check the path, or use - for standard input or output.")
    return handle
