"""detente: political event data (PLOVER, CAMEO) from foreign-policy text.

The public API is what this module re-exports; `tests/test_public_api.py` checks it.
Each name is imported on first use (`detente.lazy`), so that `import detente` and
`detente --help` stay fast: spaCy, DuckDB, polars and the plots load only when needed.

>>> import detente
>>> settings = detente.load_settings({"db": "demo.duckdb"})
>>> report = detente.ingest(["examples/japan-russia"], settings)  # doctest: +SKIP
"""

# ruff: noqa: TC004 - the names load on first use (detente.lazy); these imports are for
# type checkers only, while `__all__` lists them for readers and linters.
from __future__ import annotations

from typing import TYPE_CHECKING

from detente.lazy import exports
from detente.version import __version__

__all__ = [
    "ActorRef", "DemoAnalysis", "DetenteError", "Document", "DocumentDetail", "DocumentInfo",
    "DocumentList", "Event", "EventFilter", "EventList", "ExportReport", "IngestReport",
    "InputError", "KeyEvent", "Location", "Network", "NetworkEdge", "NetworkNode",
    "NotFoundError", "Sentence",
    "Settings", "StoreError", "Timeline", "TimelineRow", "UnknownActorError", "__version__",
    "code", "doc", "docs", "events", "export", "ingest", "key_events", "load_settings",
    "network", "open_store", "timeline",
]

exports(__name__, {
    "detente.analysis": ("DemoAnalysis", "KeyEvent", "Network", "NetworkEdge", "NetworkNode",
                         "Timeline", "TimelineRow", "key_events", "network", "timeline"),
    "detente.errors": ("DetenteError", "InputError", "NotFoundError", "StoreError",
                       "UnknownActorError"),
    "detente.export": ("ExportReport", "export"),
    "detente.frames": ("DocumentList", "EventList"),
    "detente.ingest.pipeline": ("IngestReport",),
    "detente.library": ("code", "doc", "docs", "events", "ingest"),
    "detente.records": ("ActorRef", "Document", "DocumentDetail", "DocumentInfo", "Event",
                        "Location", "Sentence"),
    "detente.settings": ("Settings", "load_settings"),
    "detente.store": ("EventFilter", "open_store"),
})

if TYPE_CHECKING:
    from detente.analysis import (
        DemoAnalysis,
        KeyEvent,
        Network,
        NetworkEdge,
        NetworkNode,
        Timeline,
        TimelineRow,
        key_events,
        network,
        timeline,
    )
    from detente.errors import (
        DetenteError,
        InputError,
        NotFoundError,
        StoreError,
        UnknownActorError,
    )
    from detente.export import ExportReport, export
    from detente.frames import DocumentList, EventList
    from detente.ingest.pipeline import IngestReport
    from detente.library import code, doc, docs, events, ingest
    from detente.records import (
        ActorRef,
        Document,
        DocumentDetail,
        DocumentInfo,
        Event,
        Location,
        Sentence,
    )
    from detente.settings import Settings, load_settings
    from detente.store import EventFilter, open_store
