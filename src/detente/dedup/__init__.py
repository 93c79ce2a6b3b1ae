"""Deduplication: near-duplicate documents (reposts, wire copies, the same text in other
boilerplate) and repeated reports of one happening, merged into canonical events.

Both indexes grow one document or report at a time and keep a state a store can hold
(`DocumentIndex.rows`, `EventClusters.assignments`). `python -m detente.dedup.evaluate`
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
