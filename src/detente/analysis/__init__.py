"""Analyses of the stored events: dyad timelines, key events, the actor network, plots.

Each name is imported on first use (`detente.lazy`): the plots need altair, the network
networkx, and a command's help needs neither.

>>> from detente.analysis import timeline
>>> t = timeline("detente.duckdb", "Japan", "Russia", by="quarter")  # doctest: +SKIP
"""

# ruff: noqa: TC004 - the names load on first use (detente.lazy); these imports are for
# type checkers only, while `__all__` lists them for readers and linters.
from __future__ import annotations

from typing import TYPE_CHECKING

from detente.lazy import exports

__all__ = [
    "HISTORY_YEARS", "DemoAnalysis", "KeyEvent", "Network", "NetworkEdge", "NetworkFrames",
    "NetworkNode", "Timeline", "TimelineRow", "demo_analysis", "key_events",
    "key_events_frame", "network", "network_chart", "plot_network", "plot_timeline",
    "save_chart", "timeline", "timeline_chart",
]

exports(__name__, {
    "detente.analysis.common": ("HISTORY_YEARS",),
    "detente.analysis.demo": ("DemoAnalysis", "demo_analysis"),
    "detente.analysis.key_events": ("KeyEvent", "key_events", "key_events_frame"),
    "detente.analysis.network": ("Network", "NetworkEdge", "NetworkFrames", "NetworkNode",
                                 "network"),
    "detente.analysis.plots": ("network_chart", "plot_network", "plot_timeline", "save_chart",
                               "timeline_chart"),
    "detente.analysis.timeline": ("Timeline", "TimelineRow", "timeline"),
})

if TYPE_CHECKING:
    from detente.analysis.common import HISTORY_YEARS
    from detente.analysis.demo import DemoAnalysis, demo_analysis
    from detente.analysis.key_events import KeyEvent, key_events, key_events_frame
    from detente.analysis.network import (
        Network,
        NetworkEdge,
        NetworkFrames,
        NetworkNode,
        network,
    )
    from detente.analysis.plots import (
        network_chart,
        plot_network,
        plot_timeline,
        save_chart,
        timeline_chart,
    )
    from detente.analysis.timeline import Timeline, TimelineRow, timeline
