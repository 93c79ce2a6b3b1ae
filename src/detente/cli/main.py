"""The `detente` command: thin commands over the library functions.

A command parses its options, calls one library function of the same name and prints
the result; a library error becomes a message on stderr and an exit code (`common.fail`).
This module holds the commands on stored documents and events (ingest, docs, doc, errors,
events, code, demo) and mounts those of `actors`, `analysis`, `serve` and `train`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli import actors, analysis, serve, train
from detente.cli import run as run_cli
from detente.cli.common import (
    ActorsOption,
    ConfigOption,
    DbOption,
    FastOption,
    QuietOption,
    RawOption,
    SinceOption,
    SourceOption,
    TableFormat,
    TargetOption,
    TypeOption,
    UntilOption,
    check_format,
    err,
    open_text,
    out,
    print_json,
    print_rows,
    progress_bar,
    refuse,
    run,
    settings_from,
)
from detente.settings import HELP
from detente.version import __version__

if TYPE_CHECKING:
    from detente.ingest.pipeline import IngestReport
    from detente.records import Event

app = typer.Typer(
    help="detente: political event data (PLOVER/CAMEO) from foreign-policy text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"detente {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print detente's version and exit.")] = False,
) -> None:
    """detente: political event data (PLOVER/CAMEO) from foreign-policy text."""


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files or folders (recursive) of .txt, "
                                                    ".md, .html, .pdf, .jsonl; `-` reads "
                                                    "JSONL from stdin.")],
    db: DbOption = None,
    config: ConfigOption = None,
    actors: ActorsOption = None,
    known_events: Annotated[list[Path] | None, typer.Option(
        "--known-events", help=HELP["known_events"])] = None,
    fast: FastOption = False,
    max_mb: Annotated[int | None, typer.Option("--max-mb", help=HELP["max_doc_mb"])] = None,
    date: Annotated[str | None, typer.Option("--date", help="Publication date for all inputs "
                                                           "(2015-03-25, or 2015-03 for a "
                                                           "month), overriding metadata.")] = None,
    day_first: Annotated[bool, typer.Option("--day-first", help=HELP["day_first"])] = False,
    quiet: QuietOption = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read documents, code their events and store them in the DuckDB file."""
    from detente import library

    # Cheap checks first: the models load only once the inputs and the database are fine.
    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if len(missing) == len(paths):
        refuse("paths", f"paths: no such file or folder: {', '.join(missing)}",
               "Check the paths (relative paths start at the current folder).")
    settings = settings_from(config, db=db, actors=actors, fast=fast or None,
                             known_events=known_events, max_doc_mb=max_mb,
                             day_first=day_first or None, quiet=quiet or None)
    with progress_bar(settings.quiet, "ingest") as update:
        report = run(lambda: library.ingest(paths, settings, progress=update, date=date))
    if json_:
        print_json(report.to_dict())
    else:
        print_ingest_report(report)
    if not report.ok:
        err.print("[bold red]error[/] nothing could be ingested; see the errors above")
        raise typer.Exit(1)


def print_ingest_report(report: IngestReport) -> None:
    out.print(f"Ingested {len(report.added)} new document(s) into {report.db}: "
              f"{report.sentences} sentences, {report.events} events.", highlight=False)
    if report.copies:
        out.print(f"{len(report.copies)} of them copy a stored document: linked to it, not "
                  "coded again (`detente docs` shows the clusters).", highlight=False)
    if report.present:
        out.print(f"{len(report.present)} document(s) were already stored; unchanged.")
    if report.coder is None:
        out.print("No event coder is installed: documents and sentences were stored, "
                  "no events were coded.")
    if report.failures:
        err.print(f"[yellow]{len(report.failures)} input(s) failed[/] (kept in the "
                  "ingest_errors table; `detente errors` lists them):")
        for failure in report.failures:
            err.print(f"  {failure.message}", highlight=False, markup=False)
            if failure.hint:
                err.print(f"    hint: {failure.hint}", highlight=False, markup=False)


@app.command()
def docs(db: DbOption = None, config: ConfigOption = None, format: TableFormat = "table"
         ) -> None:
    """List stored documents with their dates and sentence and event counts, and their
    clusters of near duplicates: the first document of the cluster and its size, and for
    a copy (stored without coding) the document it repeats."""
    from detente import library

    fmt = check_format(format, ("table", "json", "csv"))
    settings = settings_from(config, db=db)
    rows = [d.to_dict() for d in run(lambda: library.docs(settings.db))]
    for row in rows:
        row["id"] = row["doc_id"][:10]
        row["inferred"] = "yes" if row["date_inferred"] else ""
    columns = list(rows[0]) if rows else ["doc_id"]
    if fmt == "table":
        columns = ["id", "title", "source", "date", "inferred", "sentences", "events",
                   "cluster", "copy of"]
        for row in rows:
            # the cluster's first document and size, for documents with near duplicates
            row["cluster"] = (f"{(row['canonical_id'] or row['doc_id'])[:10]} "
                              f"({row['cluster_size']})" if row["cluster_size"] > 1 else "")
            row["copy of"] = (row["copy_of"] or "")[:10]
    print_rows(rows, fmt, columns, title=f"Documents in {settings.db}")


@app.command()
def doc(
    doc_id: Annotated[str, typer.Argument(help="A document id, as `detente docs --format "
                                               "json` lists them.", metavar="ID",
                                          show_default=False)],
    db: DbOption = None,
    config: ConfigOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="Output format: text (the "
                                        "document and its events) or json (as GET "
                                        "/api/docs/ID).")] = "text",
) -> None:
    """Show one stored document: its metadata, its text and the events coded from it."""
    from detente import library

    fmt = check_format(format, ("text", "json"))
    settings = settings_from(config, db=db)
    detail = run(lambda: library.doc(settings.db, doc_id))
    if fmt == "json":
        print_json(detail.to_dict())
        return
    document = detail.document
    for label, value in (("title", document.title), ("id", document.doc_id),
                         ("date", document.date), ("source", document.source),
                         ("url", document.url), ("path", document.path),
                         ("cluster of", detail.canonical_id if detail.canonical_id != doc_id
                          else None),
                         ("copy of", detail.copy_of)):
        if value:
            out.print(f"{label}: {value}", highlight=False, markup=False)
    out.print("")
    out.print(document.text, highlight=False, markup=False)
    print_rows([event_row(e) for e in detail.events], "table", EVENT_COLUMNS_SHOWN,
               title=f"{len(detail.events)} events")


@app.command()
def errors(db: DbOption = None, config: ConfigOption = None, format: TableFormat = "table"
           ) -> None:
    """List the inputs that failed to ingest, with their error codes and fixes."""
    from detente import library

    fmt = check_format(format, ("table", "json", "csv"))
    settings = settings_from(config, db=db)
    rows = [e.to_dict() for e in run(lambda: library.errors(settings.db))]
    print_rows(rows, fmt, ["recorded_at", "input", "code", "message", "hint"],
               title=f"{len(rows)} ingest errors in {settings.db}")


@app.command()
def demo(
    db: Annotated[Path, typer.Option("--db", help="Where the demo database goes.")] = Path(
        "detente-demo.duckdb"),
    plots: Annotated[Path, typer.Option("--plots", help="Folder for the demo's plots.")] = Path(
        "detente-demo"),
    quiet: QuietOption = False,
) -> None:
    """Ingest the bundled Japan–Russia example and print its JPN–RUS timeline, key events
    and plots."""
    from detente import library
    from detente.analysis import demo_analysis
    from detente.demo import example_dir

    folder = run(example_dir)
    settings = settings_from(None, db=db, quiet=quiet or None)
    out.print(f"Ingesting the example corpus {folder} into {db} ...", highlight=False)
    with progress_bar(settings.quiet, "demo") as update:
        report = run(lambda: library.ingest([folder], settings, progress=update))
    print_ingest_report(report)
    print_rows([d.to_dict() for d in library.docs(db)], "table",
               ["date", "title", "sentences", "events"], title="Example documents")
    analysis.print_demo_analysis(run(lambda: demo_analysis(db, plots, settings=settings)))


@app.command("code")
def code_command(
    input: Annotated[str | None, typer.Option("--input", "-i", help="JSONL documents "
                                              "(`id`, `text`, optional `date`, `title`); "
                                              "`-` or omitted: stdin.")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="JSONL event records; "
                                               "`-` or omitted: stdout.")] = None,
    fast: FastOption = False,
    actors: ActorsOption = None,
    config: ConfigOption = None,
) -> None:
    """Stream JSONL documents to JSONL events, with no database (for pipelines)."""
    from detente import library
    from detente.jsonio import to_json

    settings = settings_from(config, fast=fast or None, actors=actors)
    failures = 0
    with open_text(input, "r", "input") as source, open_text(output, "w", "output") as sink:
        # Bytes: a line that is not UTF-8 is then that line's error, not the stream's end.
        lines = getattr(source, "buffer", source)
        for coded in run(lambda: library.code(lines, settings=settings,
                                              name=input or "<stdin>")):
            if coded.error:
                failures += 1
                err.print(f"[yellow]skipped[/] {coded.error}", highlight=False)
                continue
            for event in coded.events:
                sink.write(to_json(event.to_dict()) + "\n")
    if failures:
        err.print(f"{failures} input line(s) skipped")


EVENT_COLUMNS_SHOWN = ["date", "source", "type", "target", "cameo", "goldstein", "evidence"]


def event_row(event: Event) -> dict[str, Any]:
    """An event as a row of the events table: actors as code and sector."""
    row = event.to_dict()
    row.update(source=f"{event.source.code} {event.source.sector}".strip(),
               target=f"{event.target.code} {event.target.sector}".strip() if event.target else "",
               type=event.plover)
    return row


@app.command()
def events(
    source: SourceOption = None,
    target: TargetOption = None,
    type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1,
                                              help="At most this many events.")] = None,
    raw: RawOption = False,
    db: DbOption = None,
    config: ConfigOption = None,
    format: TableFormat = "table",
) -> None:
    """List stored events with their evidence sentences: one per happening (its
    best-dated report), or with --raw every report."""
    from detente import library
    from detente.store import flat_event

    fmt = check_format(format, ("table", "json", "csv"))
    settings = settings_from(config, db=db)
    found = run(lambda: library.events(settings.db, source, target, type, since, until,
                                       limit=limit, raw=raw, settings=settings))
    if fmt == "json":
        print_json([e.to_dict() for e in found])
    elif fmt == "csv":
        rows = [flat_event(e) for e in found]
        print_rows(rows, "csv", list(rows[0]) if rows else ["event_id"])
    else:
        print_rows([event_row(e) for e in found], "table", EVENT_COLUMNS_SHOWN,
                   title=f"{len(found)} events")


def main() -> None:  # pragma: no cover - console entry point
    app()


app.add_typer(actors.actors_app, name="actors")
app.add_typer(train.eval_app, name="eval")
train.eval_app.command("actors")(actors.eval_actors_command)
train.eval_app.command("plv")(train.eval_plv_command)
app.command("classify")(train.classify_command)
app.command("train")(train.train_command)
app.command("timeline")(analysis.timeline_command)
app.command("key-events")(analysis.key_events_command)
app.command("network")(analysis.network_command)
app.command("export")(analysis.export_command)
app.command("serve")(serve.serve_command)
app.command("run")(run_cli.run_command)
app.command("load")(run_cli.load_command)
