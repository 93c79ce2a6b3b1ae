"""Long documents in windows: spaCy needs about 3 MB of memory per 1,000 characters it
parses at once, and the coder's time grows faster than the text, so a document longer
than WINDOW_FROM characters is parsed and coded as consecutive windows of at most
WINDOW_CHARS. Each window's records are shifted back to the document's offsets and
sentence numbers, so they are stored as if the document had been parsed whole.

Windows end at a paragraph break where there is one, else after a sentence, else at a
space, else (a run of 10,000 characters with no space) anywhere. Shorter documents are
one window: they are coded exactly as before windows existed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from detente.records import Document, Event, Sentence, StoredMention, event_id_for

# Measured with benchmarks/bench_memory.py: at 50,000 characters one parse takes
# ~150 MB and the coder ~3 s; at 100,000 characters ~300 MB and ~14 s.
WINDOW_FROM = 50_000
WINDOW_CHARS = 20_000
# A sentence end where a window may stop: the mark, closing quotes or brackets, a space.
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s")


@dataclass(frozen=True)
class Piece:
    """A window of a document: `doc.text[start:end]`; `first` and `last` say where it lies."""

    doc: Document
    start: int
    end: int
    first: bool
    last: bool

    @property
    def text(self) -> str:
        return self.doc.text if self.first and self.last else self.doc.text[self.start:self.end]

    @property
    def whole(self) -> bool:
        return self.first and self.last


def spans(text: str, size: int = WINDOW_CHARS) -> Iterator[tuple[int, int]]:
    """Consecutive (start, end) spans that cover `text`, none longer than `size`; each cut
    falls in the second half of its window, after the last line break, else after the
    last sentence end, else after the last space, else at `size`.

    >>> list(spans("One. Two.\\nThree four five.", size=12))
    [(0, 10), (10, 21), (21, 26)]
    """
    start = 0
    while len(text) - start > size:
        low, limit = start + size // 2, start + size
        cut = text.rfind("\n", low, limit) + 1
        if not cut:
            ends = list(SENTENCE_END.finditer(text, low, limit))
            cut = ends[-1].end() if ends else 0
        if not cut:
            space = max(text.rfind(" ", low, limit), text.rfind("\t", low, limit))
            cut = space + 1 if space >= 0 else limit
        yield start, cut
        start = cut
    yield start, len(text)


def pieces(doc: Document) -> Iterator[Piece]:
    """The document whole when it is short, else its windows."""
    if len(doc.text) <= WINDOW_FROM:
        yield Piece(doc, 0, len(doc.text), True, True)
        return
    windows = list(spans(doc.text))
    for number, (start, end) in enumerate(windows):
        yield Piece(doc, start, end, number == 0, number == len(windows) - 1)


def coded_as(piece: Piece) -> Document:
    """The document a window is coded as: itself, but after the first window without its
    title (the coder takes mentions before the title's end to be in the title)."""
    return piece.doc if piece.first else replace(piece.doc, title="")


@dataclass(frozen=True)
class Shift:
    """Where a window lies in its document: characters and sentences before it."""

    chars: int
    sentences: int

    def sentences_of(self, sentences: Sequence[Sentence]) -> list[Sentence]:
        return [replace(s, index=s.index + self.sentences, start=s.start + self.chars,
                        end=s.end + self.chars) for s in sentences]

    def mentions(self, mentions: Sequence[StoredMention]) -> list[StoredMention]:
        return [replace(m, sentence_index=m.sentence_index + self.sentences,
                        char_start=m.char_start + self.chars,
                        char_end=m.char_end + self.chars) for m in mentions]

    def events(self, events: Sequence[Event]) -> list[Event]:
        return [self.event(e) for e in events]

    def event(self, event: Event) -> Event:
        """The event at its document offsets, with the id the coder gives it there."""
        number = event.sentence_index + self.sentences
        keys = (event.source.code, event.target.code if event.target else "", event.plover)
        trigger = trigger_offset(event, keys)
        if trigger is None:  # a coder with ids of its own: keep them apart per window
            new_id = hashlib.sha256(f"{event.event_id}|{self.chars}".encode()).hexdigest()[:16]
        else:
            new_id = event_id_for(event.doc_id, number, *keys, trigger + self.chars)
        return replace(event, event_id=new_id, sentence_index=number,
                       char_start=event.char_start + self.chars,
                       char_end=event.char_end + self.chars)


def trigger_offset(event: Event, keys: tuple[str, str, str]) -> int | None:
    """The window offset of the event's trigger word, read back from its id: Event does
    not carry it, and the id (records.event_id_for) hashes it with the sentence number,
    which both change when the window is put back in its document."""
    for offset in range(event.char_start, event.char_end + 1):
        if event_id_for(event.doc_id, event.sentence_index, *keys, offset) == event.event_id:
            return offset
    return None
