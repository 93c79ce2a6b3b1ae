"""What a coder stage must offer the pipeline: a versioned name and `code(doc, parsed)`.

The learned extractor and the rule coder (`--fast`) both satisfy it; the ingest pipeline,
the library and the evaluations take any `DocumentCoder`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from detente.records import Document, Event, StoredMention

if TYPE_CHECKING:  # spaCy is imported when the first document is parsed, not on import
    from spacy.tokens import Doc


class DocumentCoder(Protocol):
    """A coder: `name` is versioned ("coder.extractor.v2"); `code` returns a parsed
    document's events and the actor mentions it found, at the document's offsets."""

    name: str

    def code(self, doc: Document, parsed: Doc) -> tuple[list[Event], list[StoredMention]]: ...
