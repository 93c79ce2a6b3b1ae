"""`detente run` and `detente load`: the scale engine (detente.engine) on the command line.

`run` codes files, folders, globs or JSONL on every core, or on a dask cluster, into a
Hive-partitioned Parquet dataset that every read command opens with `--db DIR`; `load`
brings such a dataset into a DuckDB file. `main` registers both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from detente.cli.common import (
    ActorsOption,
    ConfigOption,
    FastOption,
    JsonOption,
    QuietOption,
    err,
    out,
    print_json,
    progress_bar,
    run,
    settings_from,
)
from detente.settings import HELP


def run_command(
    inputs: Annotated[list[str], typer.Argument(
        help="Files, folders (recursive), glob patterns (quoted: 'news/*.jsonl') or JSONL "
             "files; `-` reads JSONL from stdin.")],
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
    fast: FastOption = False,
    actors: ActorsOption = None,
    max_mb: Annotated[int | None, typer.Option("--max-mb", help=HELP["max_doc_mb"])] = None,
    date: Annotated[str | None, typer.Option("--date", help="Publication date for all inputs "
                                                           "(2015-03-25, or 2015-03 for a "
                                                           "month), overriding metadata.")] = None,
    day_first: Annotated[bool, typer.Option("--day-first", help=HELP["day_first"])] = False,
    config: ConfigOption = None,
    quiet: QuietOption = False,
    json_: JsonOption = False,
) -> None:
    """Code documents on every core (or a dask cluster) into a Parquet dataset that the
    read commands open with --db DIR."""
    from detente.engine import run as run_engine
    from detente.engine.runner import Engine

    settings = settings_from(config, workers=workers, fast=fast or None, actors=actors,
                             max_doc_mb=max_mb, day_first=day_first or None,
                             quiet=quiet or None)
    with progress_bar(settings.quiet, "run") as update:
        report = run(lambda: run_engine(inputs, output, settings, engine=cast(Engine, engine),
                                        scheduler=scheduler, progress=update, date=date))
    if json_:
        print_json(report.to_dict())
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
    json_: JsonOption = False,
) -> None:
    """Load a Parquet dataset into a DuckDB file; documents it holds already are kept."""
    from detente.engine import load

    report = run(lambda: load(dataset, db))
    if json_:
        print_json(report.to_dict())
        return
    out.print(f"Loaded {report.added} new document(s) into {report.db} ({report.events} "
              f"events); {report.present} were already stored.", highlight=False)
