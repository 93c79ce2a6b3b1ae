"""Helpers every `detente` command module shares: consoles, common options, error
handling and output formats. Command modules import from here, never from each other."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from detente.date_input import read_day
from detente.errors import DetenteError
from detente.settings import HELP, Settings, load_settings
from detente.store import to_json

T = TypeVar("T")

# Piped or captured output gets a wide table rather than rich's 80-column default.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")

DbOption = Annotated[Path | None, typer.Option("--db", help=HELP["db"] + " (env DETENTE_DB)")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML config file "
                                                    "(default ./detente.toml; env DETENTE_CONFIG)")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help=HELP["quiet"])]
FormatOption = Annotated[str, typer.Option("--format", "-f",
                                           help="Output format: table, json or csv.")]


def settings_from(config: Path | None = None, **flags: Any) -> Settings:
    return load_settings(flags, config=config)


def run(call: Callable[[], T]) -> T:
    """Call the library; turn detente errors into a message and an exit code."""
    try:
        return call()
    except DetenteError as exc:
        err.print(f"[bold red]error[/] {exc.message}", highlight=False)
        if exc.hint:
            err.print(f"[yellow]hint[/] {exc.hint}", highlight=False)
        raise typer.Exit(exc.exit_code) from None


def parse_day(value: str | None, option: str, end: bool = False) -> dt.date | None:
    """A date option as a day: a month or a year stands for its first day, or with `end`
    (for --until) its last. A bad value exits with the error naming the option."""
    if value is None:
        return None
    return run(lambda: read_day(value, option, end=end))


def check_format(value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        err.print(f"[bold red]error[/] unknown --format {value!r}; use one of: "
                  f"{', '.join(allowed)}", highlight=False)
        raise typer.Exit(2)
    return value


def print_rows(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str],
               title: str | None = None) -> None:
    """Rows as a rich table, JSON array or CSV, on stdout."""
    if fmt == "json":
        sys.stdout.write(to_json(rows) + "\n")
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        short = column in {"id", "date", "inferred", "sentences", "events", "type", "cameo"}
        table.add_column(column, overflow="fold", no_wrap=short)
    for row in rows:
        table.add_row(*["" if row.get(c) is None else str(row.get(c)) for c in columns])
    out.print(table)


@contextmanager
def progress_bar(quiet: bool, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress line on stderr (documents/s, sentences/s) unless --quiet or not a TTY
    for short runs; it appears only after two seconds so quick runs stay clean."""
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


def open_text(path: str | None, mode: str):
    """A file or stdin/stdout for `-` (or no option)."""
    if path in (None, "-"):
        return nullcontext(sys.stdin if mode == "r" else sys.stdout)
    try:
        return open(path, mode, encoding="utf-8")  # noqa: SIM115 - closed by the caller's with
    except OSError as exc:
        err.print(f"[bold red]error[/] cannot open {path}: {exc.strerror}", highlight=False)
        raise typer.Exit(2) from None


