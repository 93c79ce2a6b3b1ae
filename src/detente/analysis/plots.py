"""Timeline and network plots: altair charts rendered offline by vl-convert.

All data is inline in the chart and vl-convert is told to fetch nothing
(`allowed_base_urls=[]`), so rendering needs no network and no browser. Files are
PNG (scale 2), SVG or a self-contained HTML page (Vega bundled), by suffix.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from pathlib import Path
from typing import Any

import altair as alt
import networkx as nx
import vl_convert as vlc

from detente.analysis.key_events import KeyEvent
from detente.analysis.network import Network
from detente.analysis.timeline import BOTH, Timeline
from detente.errors import InputError

PLOT_SUFFIXES = (".png", ".svg", ".html")
WIDTH = 860

# ColorBrewer RdYlGn ends: cooperation greens, conflict oranges/reds.
QUAD_STYLE = (
    ("material_cooperation", "material cooperation", "#1a9641", 1),
    ("verbal_cooperation", "verbal cooperation", "#a6d96a", 1),
    ("verbal_conflict", "verbal conflict", "#fdae61", -1),
    ("material_conflict", "material conflict", "#d7191c", -1),
)
NODE_AREA = (180.0, 2200.0)
DIRECTION_COLOURS = ("#2b83ba", "#7b3294", "#636363")


def save_chart(chart: alt.TopLevelMixin, path: str | Path) -> Path:
    """Render a chart to PNG, SVG or HTML by the file's suffix, offline."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise InputError(f"cannot draw a plot as {path.name!r}",
                         hint="Name the plot file .png, .svg or .html.")
    if not path.parent.exists():
        raise InputError(f"the folder for the plot {path} does not exist",
                         hint=f"Create {path.parent} or pass another plot file.")
    spec = chart.to_dict()
    if suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(spec, scale=2, allowed_base_urls=[]))
    elif suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec, allowed_base_urls=[]), encoding="utf-8")
    else:
        path.write_text(vlc.vegalite_to_html(spec, bundle=True), encoding="utf-8")
    return path


def plot_timeline(timeline: Timeline, path: str | Path) -> Path:
    """Draw a timeline (bars per quad class, Goldstein lines, numbered key events)."""
    return save_chart(timeline_chart(timeline), path)


def plot_network(network: Network, path: str | Path, top: int = 30) -> Path:
    """Draw the `top` most active actors of a network and the ties between them."""
    return save_chart(network_chart(network, top=top), path)


def _utc_x(domain: list[str], title: str | None, axis: bool = True) -> dict[str, Any]:
    scale = alt.Scale(type="utc", domain=domain)
    if not axis:
        return {"scale": scale, "axis": None}
    years = int(domain[1][:4]) - int(domain[0][:4])
    if years <= 2:
        ticks: Any = alt.TimeIntervalStep(interval="month", step=3)
        label = "%b %Y"
    else:
        # A tick a year while they fit, then every 2, 5, 10 ... years.
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if years / s <= 16)
        ticks, label = alt.TimeIntervalStep(interval="year", step=step), "%Y"
    return {"scale": scale, "title": title,
            "axis": alt.Axis(format=label, formatType="utc", tickCount=ticks,
                             labelOverlap=True, grid=False)}


def _message_chart(title: str, message: str) -> alt.Chart:
    """A chart that only says why there is nothing to draw (an empty dyad, no events)."""
    lines = textwrap.wrap(message, 90)
    return alt.Chart(alt.Data(values=[{"line": line, "i": i} for i, line in enumerate(lines)]),
                     title=title, width=WIDTH, height=20 * len(lines) + 20).mark_text(
        align="left", fontSize=14, color="#444").encode(
        x=alt.value(10), y=alt.Y("i:O", axis=None), text="line:N").configure_view(stroke=None)


def timeline_chart(timeline: Timeline) -> alt.VConcatChart | alt.Chart:
    """The altair chart of a timeline (for notebooks; `plot_timeline` saves it)."""
    a, b = timeline.a, timeline.b
    title = alt.Title(f"{a}–{b} events by {timeline.by}", fontSize=18, anchor="start",
                      subtitle=_subtitle(timeline))
    if timeline.empty or not timeline.periods:
        return _message_chart(f"{a}–{b} events by {timeline.by}",
                              " ".join(filter(None, [timeline.message or "No events to draw.",
                                                     _history_line(timeline)])))
    bar_direction = BOTH if timeline.both_directions else timeline.directions[0]
    rows = timeline.series(bar_direction)
    first, last = rows[0].start, rows[-1].end + dt.timedelta(days=1)
    domain = [first.isoformat(), last.isoformat()]

    bars = []
    for r in rows:
        # Bars fill 80% of their period, so neighbouring periods stay apart.
        width = (r.end - r.start).days + 1
        bar_end = r.start + dt.timedelta(days=max(1, round(width * 0.8)))
        for order, (key, label, _, sign) in enumerate(QUAD_STYLE):
            count = getattr(r, key)
            if count:
                bars.append({"start": r.start.isoformat(), "end": bar_end.isoformat(),
                             "period": r.period, "class": label, "events": sign * count,
                             "count": count, "order": order})
    quad_scale = alt.Scale(domain=[q[1] for q in QUAD_STYLE], range=[q[2] for q in QUAD_STYLE])
    counts = alt.Chart(alt.Data(values=bars), width=WIDTH, height=250).mark_bar().encode(
        x=alt.X("start:T", **_utc_x(domain, None)),
        x2="end:T",
        y=alt.Y("sum(events):Q", title=f"events per {timeline.by} (conflict below 0)"),
        color=alt.Color("class:N", scale=quad_scale,
                        legend=alt.Legend(title="event class", orient="right")),
        order=alt.Order("order:Q"),
        tooltip=["period:N", "class:N", "count:Q"],
    )
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color="#333").encode(y="y:Q")

    # Only dated key events are drawn; each is paired with its day.
    key_dates = [(k, k.date_start) for k in timeline.key_events if k.date_start]
    rules = alt.Chart(alt.Data(values=[{"date": day.isoformat()} for _, day in key_dates])
                      ).mark_rule(color="#999", strokeDash=[3, 3]).encode(
        x=alt.X("date:T", **_utc_x(domain, None)))
    top_panel = alt.layer(counts, zero, rules) if key_dates else alt.layer(counts, zero)

    lines: list[dict[str, Any]] = []
    for d in timeline.directions:
        if d == BOTH and timeline.both_directions:
            continue
        label = d.replace("->", " → ")
        for r in timeline.series(d):
            middle = r.start + (r.end - r.start) / 2
            lines.append({"mid": middle.isoformat(), "period": r.period, "direction": label,
                          "goldstein": r.goldstein_sum, "events": r.events})
    line_labels = sorted({row["direction"] for row in lines},
                         key=lambda s: [x.replace("->", " → ") for x in timeline.directions]
                         .index(s))
    goldstein = alt.Chart(alt.Data(values=lines), width=WIDTH, height=150).mark_line(
        point=alt.OverlayMarkDef(size=18), strokeWidth=2).encode(
        x=alt.X("mid:T", **_utc_x(domain, "date")),
        y=alt.Y("goldstein:Q", title="net Goldstein (sum)"),
        color=alt.Color("direction:N", scale=alt.Scale(
            domain=line_labels, range=list(DIRECTION_COLOURS[:len(line_labels)])),
            legend=alt.Legend(title="Goldstein, direction", orient="right")),
        tooltip=["period:N", "direction:N", "goldstein:Q", "events:Q"],
    )
    bottom_panel = alt.layer(goldstein, zero)

    panels: list[Any] = []
    if key_dates:
        panels.append(_marker_strip(key_dates, first, last, domain))
    panels += [top_panel, bottom_panel]
    if key_dates:
        panels.append(_caption([k for k, _ in key_dates]))
    return alt.vconcat(*panels, title=title, spacing=8).resolve_scale(
        color="independent").configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=12).configure_legend(labelFontSize=11)


def _subtitle(timeline: Timeline) -> list[str]:
    scope = "both directions" if timeline.both_directions else f"{timeline.a} → {timeline.b}"
    lines = [(f"Bars: events per {timeline.by} ({scope}), cooperation above zero, conflict "
             "below. Lines: sum of Goldstein scores per direction.")]
    if timeline.key_events:
        lines.append("Numbered markers: key events, listed under the chart.")
    history = _history_line(timeline)
    if history:
        lines.append(history)
    return lines


def _history_line(timeline: Timeline) -> str:
    """The timeline's note on historical events left out, and how to draw them."""
    if not timeline.history_note:
        return ""
    return f"{timeline.history_note}; the history option draws them."


def marker_levels(dates: list[dt.date], first: dt.date, last: dt.date) -> list[int]:
    """A row for each marker such that markers closer than 4% of the date range never
    share a row: each takes the lowest row whose last marker is far enough away."""
    gap = max(1.0, (last - first).days * 0.04)
    last_on_level: list[dt.date] = []
    result = [0] * len(dates)
    for i in sorted(range(len(dates)), key=lambda i: dates[i]):
        day = dates[i]
        level = next((lv for lv, prev in enumerate(last_on_level) if (day - prev).days >= gap),
                     len(last_on_level))
        if level == len(last_on_level):
            last_on_level.append(day)
        last_on_level[level] = day
        result[i] = level
    return result


def _marker_strip(events: list[tuple[KeyEvent, dt.date]], first: dt.date, last: dt.date,
                  domain: list[str]) -> alt.LayerChart | alt.FacetChart:
    levels = marker_levels([day for _, day in events], first, last)
    rows = max(levels) + 1
    data = alt.Data(values=[{"date": day.isoformat(), "n": str(k.rank),
                             "level": lv, "label": k.label}
                            for (k, day), lv in zip(events, levels, strict=True)])
    base = alt.Chart(data, width=WIDTH, height=24 * rows).encode(
        x=alt.X("date:T", **_utc_x(domain, None, axis=False)),
        y=alt.Y("level:O", axis=None, scale=alt.Scale(domain=list(range(rows)))),
        tooltip=["n:N", "date:T", "label:N"])
    circles = base.mark_circle(size=300, color="#333", opacity=1)
    numbers = base.mark_text(color="white", fontSize=11, fontWeight="bold").encode(text="n:N")
    return alt.layer(circles, numbers)


def _caption(events: list[KeyEvent]) -> alt.Chart:
    lines = []
    for k in sorted(events, key=lambda k: k.rank):
        what = k.evidence or k.title
        text = f"{k.rank}. {k.date}  {k.label} ({k.goldstein:+.1f}): {what}"
        lines.append({"i": k.rank, "line": textwrap.shorten(text, 140, placeholder=" …")})
    return alt.Chart(alt.Data(values=lines), width=WIDTH, height=17 * len(lines),
                     title=alt.Title("Key events", fontSize=13, anchor="start")).mark_text(
        align="left", baseline="middle", fontSize=11, limit=WIDTH).encode(
        x=alt.value(0), y=alt.Y("i:O", axis=None), text="line:N")


def _layout(graph: nx.Graph) -> dict[str, Any]:
    """Kamada-Kawai (even spacing for small graphs), spring layout if it cannot run."""
    if graph.number_of_nodes() < 3:
        return nx.circular_layout(graph)
    try:
        return nx.kamada_kawai_layout(graph, weight=None)
    except (ImportError, nx.NetworkXException, ValueError):
        return nx.spring_layout(graph, seed=7)


def network_chart(network: Network, top: int = 30) -> alt.LayerChart | alt.Chart:
    """The altair chart of a network's `top` most active actors."""
    title = "Actor network" + (" (with sectors)" if network.sectors else "")
    if not network.edges:
        return _message_chart(title, network.message or "No events to draw.")
    keep = [n.id for n in network.nodes[:top]]
    kept = set(keep)
    # Directions are merged for drawing: one line per pair, weighted by all its events.
    pairs: dict[tuple[str, ...], dict[str, float]] = {}
    for e in network.edges:
        if e.source == e.target or e.source not in kept or e.target not in kept:
            continue
        key = tuple(sorted((e.source, e.target)))
        cell = pairs.setdefault(key, {"events": 0, "gs": 0.0, "gn": 0})
        cell["events"] += e.events
        cell["gs"] += e.goldstein_sum
        cell["gn"] += e.events if e.goldstein_mean is not None else 0
    graph = nx.Graph()
    graph.add_nodes_from(keep)
    graph.add_weighted_edges_from((s, t, c["events"]) for (s, t), c in pairs.items())
    pos = _layout(graph)
    nodes = {n.id: n for n in network.nodes}
    # Circle areas are computed here (not by a scale) so labels can sit just above them.
    low, high = min(nodes[i].strength for i in keep), max(nodes[i].strength for i in keep)
    node_rows = []
    for i in keep:
        share = (nodes[i].strength - low) / (high - low) if high > low else 1.0
        area = NODE_AREA[0] + share * (NODE_AREA[1] - NODE_AREA[0])
        node_rows.append({"id": i, "x": float(pos[i][0]), "y": float(pos[i][1]),
                          "area": area, "label_offset": -(area / math.pi) ** 0.5 - 9,
                          "strength": nodes[i].strength, "pagerank": nodes[i].pagerank,
                          "sent": nodes[i].events_sent, "received": nodes[i].events_received})
    edge_rows = [{"pair": f"{s} – {t}", "x": float(pos[s][0]), "y": float(pos[s][1]),
                  "x2": float(pos[t][0]), "y2": float(pos[t][1]), "events": c["events"],
                  "goldstein": round(c["gs"] / c["gn"], 2) if c["gn"] else 0.0}
                 for (s, t), c in pairs.items()]
    hidden = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    x = alt.X("x:Q", axis=hidden, scale=alt.Scale(padding=30))
    y = alt.Y("y:Q", axis=hidden, scale=alt.Scale(padding=30))
    edges = alt.Chart(alt.Data(values=edge_rows)).mark_rule(opacity=0.8).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("events:Q", scale=alt.Scale(range=[1.5, 10]),
                                    legend=alt.Legend(title="events")),
        # Grey at 0 stays visible on white, unlike the pale middle of RdYlGn.
        color=alt.Color("goldstein:Q", scale=alt.Scale(domain=[-10, 0, 10], clamp=True,
                                                       range=["#d7191c", "#a0a0a0", "#1a9641"]),
                        legend=alt.Legend(title="mean Goldstein")),
        tooltip=["pair:N", "events:Q", "goldstein:Q"])
    circles = alt.Chart(alt.Data(values=node_rows)).mark_circle(
        color="#4a6fa5", opacity=0.85, stroke="white", strokeWidth=1).encode(
        x=x, y=y, size=alt.Size("area:Q", scale=None),
        tooltip=["id:N", "strength:Q", "sent:Q", "received:Q", "pagerank:Q"])
    # Labels sit above their circles, with a white halo over lines. Vega-Lite has no
    # per-datum text offset on continuous axes, so nodes are grouped by offset.
    offsets: dict[int, list[dict[str, Any]]] = {}
    for row in node_rows:
        offsets.setdefault(round(row["label_offset"]), []).append(row)
    labels = []
    for dy, rows in sorted(offsets.items()):
        label = alt.Chart(alt.Data(values=rows)).encode(x=x, y=y, text="id:N")
        labels += [label.mark_text(fontSize=12, fontWeight="bold", dy=dy, stroke="white",
                                   strokeWidth=4, strokeJoin="round"),
                   label.mark_text(fontSize=12, fontWeight="bold", dy=dy, color="#111")]
    shown = f"the {len(keep)} most active actors" if len(network.nodes) > top else "all actors"
    subtitle = [(f"{network.events} events with a target, {shown}. Circle area: events sent "
                f"and received ({low} to {high}); line width: events between two actors "
                "(both directions); colour: their mean Goldstein score.")]
    return alt.layer(edges, circles, *labels, width=WIDTH, height=560,
                     title=alt.Title(title, subtitle=subtitle, fontSize=18, anchor="start")
                     ).configure_view(stroke=None)
