"""`detente timeline`, `key-events`, `network` and `export`: thin commands over the
analyses and the exports, and the tables they print. `main` mounts them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from detente.analysis.common import HISTORY_YEARS
from detente.cli.common import (
    ActorA,
    ActorB,
    ConfigOption,
    DbOption,
    PlotOption,
    RawOption,
    ShortFormat,
    SinceOption,
    SourceOption,
    TargetOption,
    TypeOption,
    UntilOption,
    check_format,
    err,
    out,
    print_json,
    print_rows,
    run,
    settings_from,
)

if TYPE_CHECKING:
    from detente.analysis import DemoAnalysis, KeyEvent, Network, Timeline


def timeline_command(
    a: ActorA,
    b: ActorB,
    by: Annotated[str, typer.Option("--by", help="Period: month (2014-03), quarter (2014-Q1) "
                                                 "or year (2014).")] = "month",
    both_directions: Annotated[bool, typer.Option(
        "--both-directions/--one-direction",
        help="Series for A→B, B→A and both together (default), or A→B only.")] = True,
    since: SinceOption = None,
    until: UntilOption = None,
    history: Annotated[bool, typer.Option(
        "--history", help=f"Include historical events: those dated more than {HISTORY_YEARS} "
                          "years before the article reporting them (left out by default, "
                          "and counted).")] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="Output format: table, json "
                                        "(the whole timeline) or csv (one row per period "
                                        "and direction).")] = "table",
    plot: PlotOption = None,
    raw: RawOption = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Events between two actors per period: counts per quad class, Goldstein sum and
    mean, and net cooperation (cooperation minus conflict events). Periods run over the
    events' span; historical events are left out unless --history. Each happening counts
    once, however many articles report it, unless --raw.

    Example: detente timeline Japan Russia --by quarter --plot jpn-rus.png
    """
    from detente.analysis import plot_timeline, timeline

    fmt = check_format(format, ("table", "json", "csv"))
    settings = settings_from(config, db=db)
    result = run(lambda: timeline(settings.db, a, b, by=by, both_directions=both_directions,
                                  since=since, until=until, history=history, raw=raw,
                                  settings=settings))
    if plot is not None:
        _wrote(run(lambda: plot_timeline(result, plot)))
    if fmt == "json":
        print_json(result.to_dict())
    elif fmt == "csv":
        rows = [r.to_dict() for r in result.rows]
        print_rows(rows, "csv", list(rows[0]) if rows else ["period", "direction", "events"])
        if result.history_note:
            # stdout stays CSV; the note goes beside it.
            err.print(_history_text(result), highlight=False)
    else:
        print_timeline(result)


def key_events_command(
    a: ActorA,
    b: ActorB,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many events to list.")] = 10,
    since: SinceOption = None,
    until: UntilOption = None,
    format: ShortFormat = "table",
    raw: RawOption = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """The most significant events between two actors: largest absolute Goldstein score,
    most reporting documents, first of their kind; with evidence and document title.

    Example: detente key-events JPN RUS --top 5
    """
    from detente.analysis import key_events

    fmt = check_format(format, ("table", "json"))
    settings = settings_from(config, db=db)
    found = run(lambda: key_events(settings.db, a, b, top=top, since=since, until=until,
                                   raw=raw, settings=settings))
    if fmt == "json":
        print_json([k.to_dict() for k in found])
    elif not found:
        out.print(f"No events between {a} and {b} in {settings.db}; ingest documents that "
                  "report on both, or widen --since/--until.", highlight=False)
    else:
        print_key_events(found, title=f"Key events {a}–{b}")


def network_command(
    since: SinceOption = None,
    until: UntilOption = None,
    sectors: Annotated[bool, typer.Option("--sectors", help="Split actors by sector "
                                          "(JPN-GOV, JPN-MIL ...) instead of by country.")] = False,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="Actors shown in the table "
                                     "and the plot (JSON has all).")] = 30,
    format: Annotated[str, typer.Option("--format", "-f", help="Output format: table (actors "
                                        "and strongest ties) or json (the whole graph).")
                      ] = "table",
    plot: PlotOption = None,
    raw: RawOption = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """The actor network: who acts on whom, edges weighted by event count and Goldstein
    score, with each actor's centrality (degree, strength, PageRank, betweenness).

    Example: detente network --since 2014-01-01 --plot network.png
    """
    from detente.analysis import network, plot_network

    fmt = check_format(format, ("table", "json"))
    settings = settings_from(config, db=db)
    graph = run(lambda: network(settings.db, since=since, until=until, sectors=sectors,
                                settings=settings, raw=raw))
    if plot is not None:
        _wrote(run(lambda: plot_network(graph, plot, top=top)))
    if fmt == "json":
        print_json(graph.to_dict())
    else:
        print_network(graph, top)


def export_command(
    format: Annotated[str, typer.Option("--format", "-f", help="File format: parquet, csv, "
                                        "jsonl (one flat row per event with its document's "
                                        "date, title and URL), gdelt (GDELT 2.0 event file), "
                                        "icews (ICEWS coded events), plover (PLOVER records; "
                                        "JSON Lines if the output ends in .jsonl) or polecat "
                                        "(POLECAT-style TSV).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (replaced "
                                         "if it exists).", show_default=False)],
    source: SourceOption = None,
    target: TargetOption = None,
    type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    header: Annotated[bool, typer.Option("--header/--no-header", help="gdelt: start the file "
                                         "with a header line (GDELT's own files have "
                                         "none).")] = False,
    day_only: Annotated[bool, typer.Option("--day-only", help="Leave out events dated to a "
                                           "month or a year only (GDELT, ICEWS and POLECAT "
                                           "write them at the first day).")] = False,
    raw: RawOption = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write stored events to a file, filtered like `detente events`: one row per
    happening, with how many reports, articles and sources tell it (GDELT's NumMentions,
    NumArticles, NumSources), or with --raw one row per report.

    Example: detente export --format gdelt --output jpn.tsv --source JPN
    """
    from detente.export import export

    settings = settings_from(config, db=db)
    report = run(lambda: export(settings.db, format, output, source=source, target=target,
                                type=type, since=since, until=until, header=header,
                                day_only=day_only, raw=raw, settings=settings))
    out.print(f"Wrote {report.events} event(s) to {report.path} ({report.fmt}).",
              highlight=False)
    if report.skipped:
        err.print(f"[yellow]left out[/] {report.skipped} event(s): {report.skipped_reason}",
                  highlight=False)
    for note in report.notes:
        err.print(f"[yellow]note[/] {note}", highlight=False)
    if report.message:
        err.print(report.message, highlight=False)


def _wrote(path: Path) -> None:
    err.print(f"Wrote the plot to {path}", highlight=False)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}"


def _history_text(result: Timeline) -> str:
    return f"{result.history_note}; detente timeline --history includes them."


def print_timeline(result: Timeline) -> None:
    """Periods with events as a table (the CSV and JSON forms keep the empty ones), and
    what was left out."""
    if result.message:
        out.print(result.message, highlight=False)
    else:
        _print_periods(result)
    if result.history_note:
        out.print(_history_text(result), highlight=False)


def _print_periods(result: Timeline) -> None:
    from rich.table import Table

    main = "both" if result.both_directions else result.directions[0]
    others = [d for d in result.directions if d != main]
    by_direction = {d: {r.period: r for r in result.series(d)} for d in others}
    table = Table(title=f"{result.a}–{result.b} events by {result.by}"
                        + (" (both directions)" if result.both_directions else ""))
    for name in ("period", "verbal coop", "material coop", "verbal confl", "material confl",
                 "events", "Goldstein Σ", "mean", "net coop"):
        table.add_column(name, justify="left" if name == "period" else "right")
    for d in others:
        table.add_column(d.replace("->", "→") + " n (Σ)", justify="right")
    shown = 0
    for r in result.series(main):
        if not r.events:
            continue
        shown += 1
        table.add_row(r.period, str(r.verbal_cooperation), str(r.material_cooperation),
                      str(r.verbal_conflict), str(r.material_conflict), str(r.events),
                      _number(r.goldstein_sum), _number(r.goldstein_mean),
                      f"{r.net_cooperation:+d}",
                      *[f"{by_direction[d][r.period].events} "
                        f"({_number(by_direction[d][r.period].goldstein_sum)})" for d in others])
    hidden = len(result.periods) - shown
    if hidden:
        table.caption = (f"{hidden} of {len(result.periods)} periods have no events; "
                         "--format csv or json lists them all.")
    out.print(table)
    if result.undated:
        out.print(f"{result.undated} undated event(s) are not in the series.", highlight=False)


def print_key_events(found: list[KeyEvent], title: str) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=True)
    for name in ("#", "date", "type", "actors", "Goldstein", "docs", "why", "evidence",
                 "document"):
        table.add_column(name, overflow="fold",
                         justify="right" if name in ("#", "Goldstein", "docs") else "left")
    for k in found:
        table.add_row(str(k.rank), k.date or "", f"{k.plover} {k.cameo}".strip(), k.actors,
                      f"{k.goldstein:+.1f}", str(k.sources), "; ".join(k.reasons[1:]),
                      k.evidence, k.title)
    out.print(table)


def print_network(graph: Network, top: int) -> None:
    from rich.table import Table

    if graph.message:
        out.print(graph.message, highlight=False)
        return
    actors = Table(title=f"Actors ({len(graph.nodes)}, {graph.events} events with a target)")
    for name in ("actor", "sent", "received", "partners", "Goldstein Σ", "PageRank",
                 "betweenness"):
        actors.add_column(name, justify="left" if name == "actor" else "right")
    for n in graph.nodes[:top]:
        actors.add_row(n.id, str(n.events_sent), str(n.events_received), str(n.degree),
                       _number(n.goldstein_sum), f"{n.pagerank:.3f}", f"{n.betweenness:.3f}")
    if len(graph.nodes) > top:
        actors.caption = f"{len(graph.nodes) - top} more actor(s): --top or --format json."
    out.print(actors)
    ties = Table(title="Strongest ties")
    for name in ("source", "target", "events", "coop", "confl", "Goldstein Σ", "mean"):
        ties.add_column(name, justify="left" if name in ("source", "target") else "right")
    for e in graph.edges[:top]:
        ties.add_row(e.source, e.target, str(e.events), str(e.cooperation), str(e.conflict),
                     _number(e.goldstein_sum), _number(e.goldstein_mean))
    out.print(ties)


def print_demo_analysis(demo: DemoAnalysis) -> None:
    """What `detente demo` prints after ingesting: the timeline, key events, plot files."""
    print_timeline(demo.timeline)
    if demo.key_events:
        print_key_events(list(demo.key_events),
                         title=f"Key events {demo.timeline.a}–{demo.timeline.b}")
    for path in demo.plots:
        out.print(f"Plot: {path}", highlight=False)
