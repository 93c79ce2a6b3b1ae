"""detente: political event data (PLOVER, CAMEO) from foreign-policy text.

The public API is what this module re-exports; `tests/test_public_api.py` checks it.

>>> import detente
>>> report = detente.ingest(["examples/japan-russia"], db="demo.duckdb")  # doctest: +SKIP
"""

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
from detente.errors import DetenteError, InputError, NotFoundError, StoreError, UnknownActorError
from detente.export import ExportReport, export
from detente.ingest.pipeline import IngestReport
from detente.library import DocumentInfo, code, docs, events, ingest
from detente.records import ActorRef, Document, Event, Location, Sentence
from detente.settings import Settings, load_settings
from detente.store import EventFilter, open_store

__version__ = "0.1.0"

__all__ = [
    "ActorRef",
    "DemoAnalysis",
    "ExportReport",
    "KeyEvent",
    "Network",
    "NetworkEdge",
    "NetworkNode",
    "Timeline",
    "TimelineRow",
    "UnknownActorError",
    "export",
    "key_events",
    "network",
    "timeline",
    "DetenteError",
    "Document",
    "DocumentInfo",
    "Event",
    "EventFilter",
    "IngestReport",
    "InputError",
    "Location",
    "NotFoundError",
    "Sentence",
    "Settings",
    "StoreError",
    "__version__",
    "code",
    "docs",
    "events",
    "ingest",
    "load_settings",
    "open_store",
]
