"""The analysis part of `detente demo`: the Japan–Russia timeline, key events, network."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.analysis.key_events import KeyEvent, key_events
from detente.analysis.network import Network, network
from detente.analysis.plots import plot_network, plot_timeline
from detente.analysis.timeline import Timeline, timeline
from detente.errors import InputError
from detente.settings import Settings
from detente.store import DbLike, reading


@dataclass(frozen=True)
class DemoAnalysis:
    """What the demo found and the plot files it wrote."""

    timeline: Timeline
    key_events: tuple[KeyEvent, ...]
    network: Network
    plots: tuple[Path, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"timeline": self.timeline.to_dict(),
                "key_events": [k.to_dict() for k in self.key_events],
                "network": self.network.to_dict(), "plots": [str(p) for p in self.plots]}


def demo_analysis(db: DbLike, out_dir: str | Path, a: str = "JPN", b: str = "RUS",
                  by: str = "quarter", top: int = 8, *, raw: bool = False,
                  settings: Settings | None = None) -> DemoAnalysis:
    """Timeline and key events of a dyad (JPN–RUS) and the actor network, with plots.

    The corpus also reports the dyad's history (1855, 1945, 1956): the key events list
    keeps it, while the timeline leaves it out by default (see `timeline`), since it
    would stretch the quarterly series over 160 years of empty periods.
    Writes `jpn-rus-timeline.png`, `jpn-rus-timeline.svg` and `network.png`. Each
    happening counts once (canonical events); `raw=True` counts every report.

    >>> demo = demo_analysis("detente-demo.duckdb", Path("demo-out"))  # doctest: +SKIP
    >>> [p.name for p in demo.plots]  # doctest: +SKIP
    ['jpn-rus-timeline.png', 'jpn-rus-timeline.svg', 'network.png']
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file, not a folder", hint="Pass a folder for the plots.")
    out.mkdir(parents=True, exist_ok=True)
    with reading(db) as store:
        series = timeline(store, a, b, by=by, raw=raw, settings=settings)
        ranked = key_events(store, a, b, top=top, raw=raw, settings=settings)
        graph = network(store, settings=settings, raw=raw)
    stem = f"{series.a.lower()}-{series.b.lower()}-timeline"
    plots = (plot_timeline(series, out / f"{stem}.png"),
             plot_timeline(series, out / f"{stem}.svg"),
             plot_network(graph, out / "network.png"))
    return DemoAnalysis(timeline=series, key_events=tuple(ranked), network=graph, plots=plots)
