"""Analyses of the stored events: dyad timelines, key events, the actor network, plots.

>>> from detente.analysis import timeline
>>> t = timeline("detente.duckdb", "Japan", "Russia", by="quarter")  # doctest: +SKIP
"""

from detente.analysis.common import HISTORY_YEARS, INTERNATIONAL_CODES, resolve_actor
from detente.analysis.demo import DemoAnalysis, demo_analysis
from detente.analysis.key_events import KeyEvent, key_events, key_events_frame
from detente.analysis.network import Network, NetworkEdge, NetworkFrames, NetworkNode, network
from detente.analysis.plots import (
    network_chart,
    plot_network,
    plot_timeline,
    save_chart,
    timeline_chart,
)
from detente.analysis.timeline import Timeline, TimelineRow, timeline

__all__ = [
    "HISTORY_YEARS",
    "INTERNATIONAL_CODES",
    "DemoAnalysis",
    "KeyEvent",
    "Network",
    "NetworkEdge",
    "NetworkFrames",
    "NetworkNode",
    "Timeline",
    "TimelineRow",
    "demo_analysis",
    "key_events",
    "key_events_frame",
    "network",
    "network_chart",
    "plot_network",
    "plot_timeline",
    "resolve_actor",
    "save_chart",
    "timeline",
    "timeline_chart",
]
