"""Event coding: patterns, filters, the trained classifier and the coder that joins them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detente.coding.coder import EventCoder
    from detente.settings import Settings


def load_coder(settings: Settings) -> EventCoder:
    """The event coder for these settings: actor files, and the fast or MiniLM classifier."""
    from detente.actors import ActorResolver
    from detente.coding.classifier import load_classifier
    from detente.coding.coder import EventCoder

    resolver = ActorResolver(extra_files=settings.actors)
    classifier = load_classifier(fast=settings.fast)
    gate = None if settings.fast else load_classifier(fast=True)
    return EventCoder(resolver, classifier, gate)
