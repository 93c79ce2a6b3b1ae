"""RawDoc → Document: cleaning, the English check, metadata and the publication date."""

from __future__ import annotations

import datetime as dt

from detente.date_input import Precision, first_day, read_date
from detente.dates import infer_publication_date
from detente.errors import EmptyDocumentError, InputError
from detente.ingest.clean import clean_text, looks_english, looks_like_table, script_language
from detente.ingest.readers import RawDoc
from detente.records import Document, doc_id_for

DatedAs = tuple[dt.date, Precision]


def metadata_date(value: str, name: str, day_first: bool = False) -> DatedAs:
    """A publication date of any form and precision, as its first day and its precision;
    BadDateError naming the input `name` and the value when it cannot be read.

    >>> metadata_date("2019", "a.txt")
    (datetime.date(2019, 1, 1), 'year')
    """
    iso, precision = read_date(value, name, day_first=day_first,
                               fix="Or leave the date out to infer it from the text.")
    return first_day(iso), precision


def date_override(date: dt.date | str | None, day_first: bool = False) -> DatedAs | None:
    """The publication date given for every input (`ingest --date`, `run --date`): a day,
    or a date of any form and precision read as a user's ("2015-03" is a month).

    >>> date_override("2015-03")
    (datetime.date(2015, 3, 1), 'month')
    """
    if isinstance(date, str):
        iso, precision = read_date(date, "date", day_first=day_first)
        return first_day(iso), precision
    return (date, "day") if date else None


def guess_title(text: str) -> str:
    """The first line of three words or more; long first lines are cut to 12 words.
    (Splits stop early: a one-line document is never split into all its words.)"""
    for line in text.split("\n"):
        words = line.split(maxsplit=20)
        if len(words) >= 3:
            return line.strip() if len(words) <= 20 else " ".join(words[:12]) + " …"
    return " ".join(text.split(maxsplit=12)[:12])


def check_language(text: str, name: str, layout: str) -> None:
    """InputError naming what the text is instead: a language guessed from its
    script (Japanese has no spaces, so this comes before the word count), a table of
    figures (told by the lines of `layout`, the text before cleaning joined them), or
    another Latin-script language."""
    fix = "Translate the document to English first, or leave it out."
    language = script_language(text)
    if language is not None:
        raise InputError(f"{name}: {language} text, not English (detente codes English "
                              "only); skipped", hint=fix)
    if looks_english(text):
        return
    if looks_like_table(layout):
        raise InputError(f"{name}: a table of figures, not prose (detente codes events "
                              "told in sentences); skipped",
                              hint="Ingest the article that reports the figures instead.")
    raise InputError(f"{name}: not English text (detente codes English only); skipped",
                          hint=fix)


def prepare(raw: RawDoc, date_override: DatedAs | None = None, *,
            day_first: bool = False) -> Document:
    """Clean a raw document and settle its metadata; raises InputError if unusable.

    The publication date is `date_override` when given, else the metadata's `date` (or
    `published`) read by `parse_date` at its own precision, else inferred from the text.
    An unreadable metadata date is a BadDateError naming the input and the value."""
    title = raw.meta.get("title", "").strip()
    text = clean_text(raw.text, title=title)
    check_language(text, raw.name, raw.text)
    if len(text.split(maxsplit=3)) < 3:
        raise EmptyDocumentError(f"{raw.name}: no text left after cleaning",
                                 hint="Check that the file holds the article text.")
    if not title:
        title = guess_title(text)
    dated, inferred, reason = date_override, False, "given"
    raw_date = raw.meta.get("date") or raw.meta.get("published")
    if dated is None and raw_date:
        dated, reason = metadata_date(raw_date, raw.name, day_first), "metadata"
    if dated is None:
        found = infer_publication_date(text)
        if found is not None:
            dated = found[0], "day"
            inferred, reason = True, f"inferred: {found[1]}"
    date, precision = dated or (None, None)
    return Document(
        doc_id=doc_id_for(text), text=text, title=title,
        source=raw.meta.get("source", ""), url=raw.meta.get("url", ""),
        path=raw.name, date=date, date_precision=precision, date_inferred=inferred,
        date_reason=reason if date else "no date found", fmt=raw.fmt,
    )


__all__ = ["DatedAs", "InputError", "metadata_date", "prepare"]
