"""Deduplication: near-duplicate documents (reposts, wire copies, the same text in other
boilerplate) and repeated reports of one happening, merged into canonical events.

Both indexes grow one document or report at a time and keep a state a store can hold
(`DocumentIndex.rows`, `EventClusters.assignments`); `detente.dedup.state` runs them
against a store, as ingest and `detente run` do. `python -m detente.dedup.evaluate`
measures them on the evaluation set in data/dedup.
"""

from detente.dedup.documents import DocumentIndex, DocumentSignature
from detente.dedup.events import (
    DEFAULT_RULES,
    CanonicalEvent,
    EventClusters,
    EventReport,
    EventRules,
    lead_end,
)

__all__ = [
    "DEFAULT_RULES",
    "CanonicalEvent",
    "DocumentIndex",
    "DocumentSignature",
    "EventClusters",
    "EventReport",
    "EventRules",
    "lead_end",
]
