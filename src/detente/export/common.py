"""What every export format shares: the joined event rows, the report, ids and dates.

Coded-event formats (GDELT, ICEWS, PLOVER, POLECAT) hold events, so they leave out what
is not one: undated events (they have no date to give) and negated ones ("Norway did not
expel the envoys" is not an event, EVENTS.md §1). The table formats keep every row.

Dates less precise than a day: GDELT's SQLDATE and ICEWS's and POLECAT's Event Date take a
whole day, so an event dated "2014-03" or "2014" is written at the first day of its month
or year. The report of those exports says how many events that concerns (`notes`), and
`day_only=True` (`--day-only`) leaves them out. PLOVER records and the table formats keep
the precision (`date_precision`) and the last day (`enddate`, `date_end`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import polars as pl

from detente.store import EVENT_COLUMNS, LEAD_SENTENCES, EventFilter, Store

# Each row's happening: its cluster of reports, and (GDELT's NumMentions, NumArticles,
# NumSources, IsRootEvent) its reports, their articles and sources, the first and last
# publication date, and whether some report is in its article's lead.
CLUSTER_COLUMNS = ("cluster_id", "reports", "articles", "sources", "first_report",
                   "last_report", "root")

# IDs as integers stay below 2^53, so R, JavaScript and spreadsheets read them exactly.
ID_HEX_DIGITS = 13


@dataclass(frozen=True)
class Written:
    """What one writer wrote: the events, the columns, what it left out and why, and how
    many events it dated at the first day of their month or year."""

    events: int
    columns: tuple[str, ...]
    skipped: int = 0
    skipped_reason: str = ""
    imprecise: int = 0


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: how many events, where, what was left out and why, and notes
    the reader needs (such as how dates less precise than a day were written)."""

    fmt: str
    path: Path
    events: int
    skipped: int = 0
    skipped_reason: str = ""
    columns: tuple[str, ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    header: bool = True
    message: str = ""
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"fmt": self.fmt, "path": str(self.path), "events": self.events,
                "skipped": self.skipped, "skipped_reason": self.skipped_reason,
                "columns": list(self.columns), "header": self.header,
                "filters": {k: v.isoformat() if isinstance(v, dt.date) else v
                            for k, v in self.filters.items()},
                "message": self.message, "notes": list(self.notes)}


def joined(store: Store, filters: EventFilter, day_only: bool = False) -> pl.DataFrame:
    """Matching events with their document's metadata and sentence, and their cluster's
    counts (CLUSTER_COLUMNS), in `events` order.

    In the canonical view a row is a happening: its representative report, with the
    reports, articles and sources of the cluster; in the raw view a row is one report,
    counted once (1, 1, 1), its own article's date as first and last report, and `root`
    when it is in its article's lead. `doc_added_utc` is when the document was stored,
    in UTC: the store keeps the local time of the machine that ingested it, read here in
    the same time zone.
    """
    clause, params = filters.where()
    if day_only:
        clause += " AND date_precision = 'day'"
    if filters.raw:
        cluster = "coalesce(cluster_id, event_id) AS cluster_id"
        counts = ("1::BIGINT AS reports, 1::BIGINT AS articles, 1::BIGINT AS sources, "
                  "d.date AS first_report, d.date AS last_report, "
                  f"coalesce(e.sentence_index, 0) < {LEAD_SENTENCES} AS root")
    else:
        cluster = ", ".join(CLUSTER_COLUMNS)
        counts = ", ".join(f"e.{name}" for name in CLUSTER_COLUMNS[1:])
    return store.con.sql(
        f"""
        SELECT {', '.join(f'e.{name}' for name in EVENT_COLUMNS)},
               d.date AS doc_date, d.date_precision AS doc_date_precision,
               d.title AS doc_title, d.url AS doc_url, d.path AS doc_path,
               d.source AS doc_source,
               timezone('UTC', d.ingested_at::TIMESTAMPTZ) AS doc_added_utc,
               s.text AS sentence_text, e.cluster_id, {counts}
        FROM (SELECT {', '.join(EVENT_COLUMNS)}, {cluster} FROM {filters.table}
              WHERE {clause}) e
        LEFT JOIN documents d ON d.doc_id = e.doc_id
        LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.sentence_index = e.sentence_index
        ORDER BY e.date_start NULLS LAST, e.doc_id, e.sentence_index, e.char_start, e.event_id
        """, params=params).pl()


def coded_events(frame: pl.DataFrame) -> tuple[list[dict[str, Any]], int, str]:
    """The rows that are events (dated, not negated), how many were left out, and why."""
    rows = frame.to_dicts()
    kept = [r for r in rows if r["date_start"] is not None and not r["negated"]]
    skipped = len(rows) - len(kept)
    reason = "undated or negated events are not coded events" if skipped else ""
    return kept, skipped, reason


def imprecise(rows: list[dict[str, Any]]) -> int:
    """How many of the rows are dated to a month or a year only."""
    return sum(r["date_precision"] in {"month", "year"} for r in rows)


def imprecise_note(count: int, column: str) -> str:
    """The note for `count` events dated to a month or a year only ("" when none)."""
    if not count:
        return ""
    return (f"{count} event(s) are dated to a month or a year only: {column} is the first day "
            "of that month or year (date_precision in the table and PLOVER exports says "
            "which); the day_only option leaves them out.")


def numeric_id(hex_id: str) -> int:
    """A stable integer below 2^53 for a detente id: its first 13 hex digits (detente ids
    are hex digests), or those of its SHA-256 for any other string.

    >>> numeric_id("0123456789abcdef") == 0x0123456789abc
    True
    """
    if not re.fullmatch(r"[0-9a-f]{13,}", hex_id):
        hex_id = hashlib.sha256(hex_id.encode("utf-8")).hexdigest()
    return int(hex_id[:ID_HEX_DIGITS], 16)


def source_name(row: dict[str, Any]) -> str:
    """Where a document came from: its URL, else the name of the file it was read from
    (never the folder, which may be a temporary one), else its title or id."""
    if row["doc_url"]:
        return row["doc_url"]
    if row["doc_path"]:
        return PurePath(row["doc_path"]).name
    return row["doc_title"] or row["doc_id"]


def tsv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Strings that a plain TSV (no quoting, as GDELT's and ICEWS's files) can hold."""
    return frame.with_columns(pl.col(pl.String).str.replace_all(r'[\t\r\n"]+', " "))
