"""Event coding: the learned pair extractor (default), and the rule coder with the
TF-IDF classifier that `--fast` keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detente.coding.coder import EventCoder
    from detente.settings import Settings


def load_coder(settings: Settings) -> EventCoder:
    """The event coder for these settings: the learned extractor, or with `fast` the
    rule coder and the TF-IDF classifier (today's speed)."""
    from detente.actors import ActorResolver
    from detente.coding.classifier import load_classifier
    from detente.coding.coder import EventCoder
    from detente.coding.extractor import load_extractor
    from detente.known_events import load_known_events

    resolver = ActorResolver(extra_files=settings.actors)
    known = load_known_events(tuple(settings.known_events))
    if settings.fast:
        return EventCoder(resolver, load_classifier(fast=True), known=known)
    # With a worker per core, each onnxruntime session keeps to one thread: more would
    # only contend for the same cores (and one thread measured faster even alone).
    threads = 1 if settings.worker_count > 1 else None
    return load_extractor(resolver, known=known, threads=threads)
