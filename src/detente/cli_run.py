"""`detente run` and `detente load`: the scale engine (detente.engine) on the command line.
`register(app)` adds both commands to a typer app."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from detente.errors import DetenteError
from detente.settings import HELP, load_settings

T = TypeVar("T")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="TOML config file (default ./detente.toml; env DETENTE_CONFIG)")]


def register(app: typer.Typer) -> None:
    """Add `run` and `load` to `app`."""
    app.command("run")(run_command)
    app.command("load")(load_command)


def run_command(
    inputs: Annotated[list[str], typer.Argument(
        help="Files, folders (recursive), glob patterns (quoted: 'news/*.jsonl') or JSONL "
             "files.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Parquet dataset folder: "
                                         "created, or added to (a re-run skips what is "
                                         "done).")],
    engine: Annotated[str, typer.Option("--engine", help="local: a process pool on this "
                                        "machine; dask: dask.distributed.")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of a running dask scheduler (tcp://host:8786); "
                            "default: a local cluster. Workers read the inputs at the "
                            "same paths.")] = None,
    workers: Annotated[str | None, typer.Option("--workers", help=HELP["workers"])] = None,
    fast: Annotated[bool, typer.Option("--fast", help=HELP["fast"])] = False,
    actors: Annotated[list[Path] | None, typer.Option("--actors", help=HELP["actors"])] = None,
    max_mb: Annotated[int | None, typer.Option("--max-mb", help=HELP["max_doc_mb"])] = None,
    day_first: Annotated[bool, typer.Option("--day-first", help=HELP["day_first"])] = False,
    config: ConfigOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=HELP["quiet"])] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Code documents on every core (or a dask cluster) into a Parquet dataset that the
    read commands open with --db DIR."""
    from detente.engine import run
    from detente.engine.runner import Engine
    from detente.jsonio import to_json

    settings = call(lambda: load_settings(
        {"workers": workers, "fast": fast or None, "actors": actors, "max_doc_mb": max_mb,
         "day_first": day_first or None, "quiet": quiet or None}, config=config))
    with counting(settings.quiet) as update:
        report = call(lambda: run(inputs, output, settings, engine=cast(Engine, engine),
                                  scheduler=scheduler, progress=update))
    if json_:
        sys.stdout.write(to_json(report.to_dict()) + "\n")
    else:
        out.print(f"Wrote {report.documents} new document(s) to {report.output} "
                  f"({report.sentences} sentences, {report.events} events, {report.parts} "
                  f"part(s)) on {report.workers} {report.engine} worker(s).", highlight=False)
        if report.skipped:
            out.print(f"{report.skipped} input(s) were done by an earlier run; skipped.")
        if report.present:
            out.print(f"{report.present} document(s) were already in the dataset; unchanged.")
        for failure in report.failures:
            err.print(f"[yellow]failed[/] {failure.message}", highlight=False)
        for failure in report.retry:
            err.print(f"[yellow]not done[/] {failure.message}", highlight=False)
    if report.retry:
        err.print(f"[bold red]error[/] {len(report.retry)} input(s) were not coded; run the "
                  "same command again to code them (what is done is skipped)")
        raise typer.Exit(1)
    if not report.ok:
        err.print("[bold red]error[/] nothing could be coded; see the errors above")
        raise typer.Exit(1)


def load_command(
    dataset: Annotated[Path, typer.Argument(help="Parquet dataset folder written by "
                                            "`detente run`.")],
    db: Annotated[Path, typer.Option("--db", help=HELP["db"])],
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load a Parquet dataset into a DuckDB file; documents it holds already are kept."""
    from detente.engine import load
    from detente.jsonio import to_json

    report = call(lambda: load(dataset, db))
    if json_:
        sys.stdout.write(to_json(report.to_dict()) + "\n")
        return
    out.print(f"Loaded {report.added} new document(s) into {report.db} ({report.events} "
              f"events); {report.present} were already stored.", highlight=False)


def call(function: Callable[[], T]) -> T:
    """Call the library; turn detente errors into a message and an exit code."""
    try:
        return function()
    except DetenteError as exc:
        err.print(f"[bold red]error[/] {exc.message}", highlight=False)
        if exc.hint:
            err.print(f"[yellow]hint[/] {exc.hint}", highlight=False)
        raise typer.Exit(exc.exit_code) from None


@contextmanager
def counting(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress line of documents and sentences written (none with `quiet`)."""
    if quiet:
        yield None
        return
    with Progress(TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("run")

        def update(documents: int, sentences: int) -> None:
            bar.update(task, description=f"run: {documents} documents, {sentences} sentences")

        yield update
