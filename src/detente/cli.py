"""The `detente` command: thin commands over the library functions.

A command parses its options, calls one library function and prints the result;
named errors become a message on stderr and an exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from detente import __version__, library
from detente.cli_common import (
    ConfigOption,
    DbOption,
    FormatOption,
    QuietOption,
    check_format,
    err,
    open_text,
    out,
    parse_day,
    print_rows,
    progress_bar,
    run,
    settings_from,
)
from detente.settings import HELP, Settings
from detente.store import flat_event, to_json

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
    actors: Annotated[list[Path] | None, typer.Option("--actors", help=HELP["actors"])] = None,
    known_events: Annotated[list[Path] | None, typer.Option(
        "--known-events", help=HELP["known_events"])] = None,
    fast: Annotated[bool, typer.Option("--fast", help=HELP["fast"])] = False,
    max_mb: Annotated[int | None, typer.Option("--max-mb", help=HELP["max_doc_mb"])] = None,
    date: Annotated[str | None, typer.Option("--date", help="Publication date for all inputs "
                                                           "(2015-03-25, or 2015-03 for a "
                                                           "month), overriding metadata.")] = None,
    day_first: Annotated[bool, typer.Option("--day-first", help=HELP["day_first"])] = False,
    quiet: QuietOption = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read documents, code their events and store them in the DuckDB file."""
    settings = run(lambda: settings_from(config, db=db, actors=actors, fast=fast or None,
                                         known_events=known_events, max_doc_mb=max_mb, day_first=day_first or None,
                                         quiet=quiet or None))
    with progress_bar(settings.quiet, "ingest") as update:
        report = run(lambda: library.ingest(paths, settings=settings, progress=update,
                                            date=date))
    if json_:
        sys.stdout.write(to_json(report.to_dict()) + "\n")
    else:
        print_ingest_report(report)
    if not report.ok:
        err.print("[bold red]error[/] nothing could be ingested; see the errors above")
        raise typer.Exit(1)


def print_ingest_report(report: library.IngestReport) -> None:
    out.print(f"Ingested {len(report.added)} new document(s) into {report.db}: "
              f"{report.sentences} sentences, {report.events} events.", highlight=False)
    if report.present:
        out.print(f"{len(report.present)} document(s) were already stored; unchanged.")
    if report.coder is None:
        out.print("No event coder is installed: documents and sentences were stored, "
                  "no events were coded.")
    if report.failures:
        err.print(f"[yellow]{len(report.failures)} input(s) failed[/] (kept in the "
                  "ingest_errors table):")
        for failure in report.failures:
            err.print(f"  {failure.message}", highlight=False)
            if failure.hint:
                err.print(f"    hint: {failure.hint}", highlight=False)


@app.command()
def docs(
    db: DbOption = None,
    config: ConfigOption = None,
    format: FormatOption = "table",
) -> None:
    """List stored documents with their dates and sentence and event counts."""
    fmt = check_format(format, ("table", "json", "csv"))
    settings = run(lambda: settings_from(config, db=db))
    rows = [d.to_dict() for d in run(lambda: library.docs(settings.db))]
    for row in rows:
        row["id"] = row["doc_id"][:10]
        row["inferred"] = "yes" if row["date_inferred"] else ""
    print_rows(rows, fmt, ["id", "title", "source", "date", "inferred", "sentences", "events"]
               if fmt == "table" else list(rows[0]) if rows else ["doc_id"],
               title=f"Documents in {settings.db}")


def main() -> None:  # pragma: no cover - console entry point
    app()


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
    from detente.demo import example_dir

    folder = run(example_dir)
    settings = run(lambda: settings_from(None, db=db, quiet=quiet or None))
    out.print(f"Ingesting the example corpus {folder} into {db} ...", highlight=False)
    with progress_bar(settings.quiet, "demo") as update:
        report = run(lambda: library.ingest([folder], settings=settings, progress=update))
    print_ingest_report(report)
    rows = [d.to_dict() for d in library.docs(db)]
    print_rows(rows, "table", ["date", "title", "sentences", "events"],
               title="Example documents")
    from detente.analysis import demo_analysis
    from detente.cli_analysis import print_demo_analysis

    print_demo_analysis(run(lambda: demo_analysis(db, plots)))


@app.command("code")
def code_command(
    input: Annotated[str | None, typer.Option("--input", "-i", help="JSONL documents "
                                              "(`id`, `text`, optional `date`, `title`); "
                                              "`-` or omitted: stdin.")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="JSONL event records; "
                                               "`-` or omitted: stdout.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help=HELP["fast"])] = False,
    actors: Annotated[list[Path] | None, typer.Option("--actors", help=HELP["actors"])] = None,
    config: ConfigOption = None,
) -> None:
    """Stream JSONL documents to JSONL events, with no database (for pipelines)."""
    settings = run(lambda: settings_from(config, fast=fast or None, actors=actors))
    failures = 0
    with open_text(input, "r") as source, open_text(output, "w") as sink:
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


def event_row(event: library.Event) -> dict[str, Any]:
    row = event.to_dict()
    row.update(source=f"{event.source.code} {event.source.sector}".strip(),
               target=f"{event.target.code} {event.target.sector}".strip() if event.target else "",
               type=event.plover)
    return row


@app.command()
def events(
    source: Annotated[str | None, typer.Option("--source", help="Source actor code, e.g. JPN.")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Target actor code, e.g. RUS.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="PLOVER type, e.g. SANCTION.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="First date: YYYY-MM-DD, or "
                                                            "YYYY-MM or YYYY from its first "
                                                            "day.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last date: YYYY-MM-DD, or "
                                                            "YYYY-MM or YYYY through its last "
                                                            "day.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many events.")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    format: FormatOption = "table",
) -> None:
    """List stored events with their evidence sentences."""
    fmt = check_format(format, ("table", "json", "csv"))
    settings = run(lambda: settings_from(config, db=db))
    found = run(lambda: library.events(settings.db, source=source, target=target,
                                       plover=type.upper() if type else None,
                                       since=parse_day(since, "--since"),
                                       until=parse_day(until, "--until", end=True),
                                       limit=limit))
    if fmt == "json":
        sys.stdout.write(to_json([e.to_dict() for e in found]) + "\n")
        return
    rows = [event_row(e) for e in found]
    if fmt == "csv":
        rows = [flat_event(e) for e in found]
        print_rows(rows, "csv", list(rows[0]) if rows else ["event_id"])
        return
    print_rows(rows, "table", EVENT_COLUMNS_SHOWN, title=f"{len(rows)} events")


eval_app = typer.Typer(help="Measure accuracy on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def print_report(report: Any, json_: bool) -> None:
    if json_:
        sys.stdout.write(to_json(report.to_dict()) + "\n")
    else:
        out.print(report.to_table())


@eval_app.command("gsr")
def eval_gsr(
    path: Annotated[Path, typer.Argument(help="PLOVER gold records (JSON array).")],
    fast: Annotated[bool, typer.Option("--fast", help=HELP["fast"])] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """End to end from each record's text: P/R/F1 on (record, source, target, type)."""
    from detente.evaluation.extraction import evaluate_gsr

    settings = run(lambda: settings_from(None, fast=fast or None))
    coder = run(lambda: require_coder(settings))
    print_report(run(lambda: evaluate_gsr(path, coder)), json_)


@eval_app.command("docs")
def eval_docs(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL: doc, quote, source, target, plover, date.")],
    docs: Annotated[list[str], typer.Option("--docs", help="Folder, files or JSONL of the documents.")],
    fast: Annotated[bool, typer.Option("--fast", help=HELP["fast"])] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Score coded documents against gold events, with date accuracy."""
    from detente.evaluation.extraction import evaluate_docs

    settings = run(lambda: settings_from(None, fast=fast or None))
    coder = run(lambda: require_coder(settings))
    print_report(run(lambda: evaluate_docs(gold, docs, coder)), json_)


@eval_app.command("corpus")
def eval_corpus(
    split: Annotated[str, typer.Option("--split", help="train, dev, test or all. The test "
                                       "split is scored once per release, never tuned on.")
                     ] = "test",
    files: Annotated[list[Path] | None, typer.Option(
        "--file", help="Corpus batch files (default: data/annotations/*.jsonl).")] = None,
    shared: Annotated[Path | None, typer.Option(
        "--shared", help="Folder holding the referenced texts (default: ../shared).",
        file_okay=False)] = None,
    fast: Annotated[bool, typer.Option("--fast", help=HELP["fast"])] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Score the coder on detente's annotated corpus: P/R/F1 with 95% intervals, per type
    and text kind, date accuracy, errors grouped."""
    from detente.evaluation.corpus import evaluate_corpus
    from detente.training.corpus import load_corpus

    if split not in ("train", "dev", "test", "all"):
        raise typer.BadParameter("use train, dev, test or all", param_hint="--split")
    settings = run(lambda: settings_from(None, fast=fast or None))
    coder = run(lambda: require_coder(settings))
    documents = run(lambda: load_corpus(files or None, shared))
    print_report(run(lambda: evaluate_corpus(coder, split, documents)), json_)


def require_coder(settings: Settings):
    coder = library.default_coder(settings)
    if coder is None:
        raise library.ModelMissingError("no event coder is installed",
                                        hint="Reinstall detente (pip install -e .).")
    return coder


def register_commands() -> None:
    """Commands whose bodies live in their own modules (actors, classifier, analysis,
    server); registered here so that `detente --help` lists them all."""
    from detente import cli_actors, cli_analysis, cli_serve, cli_train

    app.add_typer(cli_actors.actors_app, name="actors")
    app.command("classify")(cli_train.classify_command)
    app.command("train")(cli_train.train_command)
    eval_app.command("plv")(cli_train.eval_plv_command)
    eval_app.command("actors")(cli_actors.eval_actors_command)
    app.command("timeline")(cli_analysis.timeline_command)
    app.command("key-events")(cli_analysis.key_events_command)
    app.command("network")(cli_analysis.network_command)
    app.command("export")(cli_analysis.export_command)
    app.command("serve")(cli_serve.serve_command)


register_commands()

if __name__ == "__main__":  # pragma: no cover - `python -m detente.cli`
    app()
