"""RawDoc → Document: cleaning, the English check, metadata and the publication date."""

from __future__ import annotations

import datetime as dt

from detente.dates import infer_publication_date, parse_date
from detente.errors import BadDateError, EmptyDocumentError, InputError
from detente.ingest.clean import clean_text, looks_english
from detente.ingest.readers import RawDoc
from detente.records import Document, doc_id_for


def metadata_date(value: str, name: str) -> dt.date:
    """A metadata date of any precision, as its first day."""
    try:
        iso, _precision = parse_date(value)
    except ValueError as exc:
        raise BadDateError(f"{name}: cannot read the date {value!r}",
                           hint="Write dates as YYYY-MM-DD (or YYYY-MM, YYYY).") from exc
    parts = [int(p) for p in iso.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def guess_title(text: str) -> str:
    """The first line of three words or more; long first lines are cut to 12 words."""
    for line in text.split("\n"):
        words = line.split()
        if len(words) >= 3:
            return line.strip() if len(words) <= 20 else " ".join(words[:12]) + " …"
    return " ".join(text.split()[:12])


def prepare(raw: RawDoc, date_override: dt.date | None = None) -> Document:
    """Clean a raw document and settle its metadata; raises InputError if unusable."""
    title = raw.meta.get("title", "").strip()
    text = clean_text(raw.text, title=title)
    if len(text.split()) < 3:
        raise EmptyDocumentError(f"{raw.name}: no text left after cleaning",
                                 hint="Check that the file holds the article text.")
    if not looks_english(text):
        raise InputError(f"{raw.name}: not English text (detente codes English only); skipped",
                         hint="Translate the document to English first, or leave it out.")
    if not title:
        title = guess_title(text)
    date, inferred, reason = date_override, False, "given"
    raw_date = raw.meta.get("date") or raw.meta.get("published")
    if date is None and raw_date:
        date, reason = metadata_date(raw_date, raw.name), "metadata"
    if date is None:
        found = infer_publication_date(text)
        if found is not None:
            date, why = found
            inferred, reason = True, f"inferred: {why}"
    return Document(
        doc_id=doc_id_for(text), text=text, title=title,
        source=raw.meta.get("source", ""), url=raw.meta.get("url", ""),
        path=raw.name, date=date, date_inferred=inferred,
        date_reason=reason if date else "no date found", fmt=raw.fmt,
    )


__all__ = ["prepare", "metadata_date", "InputError"]
