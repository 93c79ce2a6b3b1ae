"""Repeated reports of one happening, clustered into one canonical event.

Two reports are of the same happening when they have the same dyad (source and target
codes) and PLOVER type, their dates are compatible at their precisions (see
`EventRules`: days at most `window_days` apart, a month or a year holding the other's
date, a publication date standing for the days before it), and their evidence shares
enough once the names in the actors' words are masked (Jaccard similarity of
content-word stems). Of several compatible clusters a report joins the one holding
its most similar report. Reports from one document are never merged (the coder codes
an event told twice in one document once), nor are undated reports.

Clustering is incremental: `EventClusters.add` places one report at a time, comparing
it only with the reports of its dyad and type in the years its date reaches, and never
moves a report placed before. Its state is the list of (report, cluster id) pairs,
from which `from_assignments` rebuilds it; or, given `stored`, it reads the pairs of a
dyad and type when a report of them first comes (a store's happenings, of which an
upload touches few), and all the others at once after `READ_ALL_AFTER` such reads (a
large ingest touches many).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from detente.date_input import Precision, first_day, last_day
from detente.errors import InputError
from detente.records import DateSource, Event, range_end

Relation = Literal["day", "loose"]
Block = tuple[str, str, str]  # source code, target code ("" for none), PLOVER type

# Words that say nothing about which happening a sentence reports: function words,
# reporting verbs, and the weekdays and months the dates already compare.
STOPWORDS = frozenset([
    "a", "about", "after", "against", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "during",
    "earlier", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "last", "later", "least", "more", "most", "new", "next", "not",
    "of", "on", "once", "one", "only", "or", "other", "our", "out", "over", "said", "say", "says",
    "she", "since", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "told", "under", "until", "up", "was", "we",
    "were", "what", "when", "where", "which", "while", "who", "will", "with", "would", "year",
    "years", "week", "month", "today", "yesterday", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "reporters", "news", "conference",
    "statement", "spokesman", "spokeswoman", "spokesperson",
])
WORD = re.compile(r"[^\W_]+")
STEM = 5  # words are compared by their first letters: "sanctions" ~ "sanctioned"
READ_ALL_AFTER = 100  # dyads and types read one query each; the rest then in one


@dataclass(frozen=True)
class EventReport:
    """One coded event as a report of a happening: the fields of its event row that
    clustering reads (the names of `store.EVENT_COLUMNS`), and its document's
    publication date and source (publisher). `target_code` is "" for an event without
    a target; `lead` marks an event told in its article's lead paragraph."""

    event_id: str
    doc_id: str
    source_code: str
    target_code: str
    plover: str
    date: str | None
    date_precision: Precision | None
    evidence: str = ""
    source_text: str = ""
    target_text: str = ""
    date_end: str | None = None
    date_source: DateSource | None = None
    doc_date: dt.date | None = None
    doc_source: str = ""
    lead: bool = False

    @classmethod
    def from_event(cls, event: Event, doc_date: dt.date | None = None, doc_source: str = "",
                   lead: bool = False) -> EventReport:
        target = event.target
        return cls(event.event_id, event.doc_id, event.source.code,
                   target.code if target else "", event.plover, event.date,
                   event.date_precision, event.evidence, event.source.text,
                   target.text if target else "", event.date_end, event.date_source, doc_date,
                   doc_source, lead)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EventReport:
        """A report from a flat event row (store, Parquet, JSONL) with, optionally,
        `doc_date`, `doc_source` and `lead`; InputError naming the missing column."""
        missing = [key for key in ("event_id", "doc_id", "source_code", "plover")
                   if not row.get(key)]
        if missing:
            raise InputError(f"event row {row.get('event_id', '?')!r} lacks "
                             f"{', '.join(missing)}",
                             hint="Give the columns of the events table (store.EVENT_COLUMNS).")
        doc_date = row.get("doc_date")
        return cls(
            event_id=row["event_id"], doc_id=row["doc_id"], source_code=row["source_code"],
            target_code=row.get("target_code") or "", plover=row["plover"],
            date=row.get("date"), date_precision=row.get("date_precision"),
            evidence=row.get("evidence") or "", source_text=row.get("source_text") or "",
            target_text=row.get("target_text") or "",
            date_end=range_end(row.get("date"), row.get("date_end")),
            date_source=row.get("date_source"),
            doc_date=dt.date.fromisoformat(doc_date) if isinstance(doc_date, str) else doc_date,
            doc_source=row.get("doc_source") or "", lead=bool(row.get("lead")))

    @property
    def block(self) -> Block:
        """Reports are only ever compared within their dyad and type."""
        return self.source_code, self.target_code, self.plover

    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day the report's date covers; None when undated."""
        if self.date is None:
            return None
        return first_day(self.date), last_day(self.date_end or self.date)


def lead_end(text: str) -> int:
    """The offset where a document's lead paragraph ends: the first paragraph of more
    than three words (a dateline such as "TOKYO -" stands alone after cleaning)."""
    offset = 0
    for paragraph in re.split(r"(\n\s*\n)", text):
        offset += len(paragraph)
        if len(paragraph.split()) > 3:
            return offset
    return offset


def evidence_stems(report: EventReport) -> frozenset[str]:
    """The content words of a report's evidence without the names in its actors' words
    (capitalised: "Prime Minister Fumio Kishida", "Japanese" in "eight Japanese
    diplomats", whose "eight" and "diplomats" stay), cut to their first `STEM`
    letters; numbers are kept whole.

    >>> sorted(evidence_stems(EventReport("e", "d", "CAN", "BLR", "SANCTION", None, None,
    ...     "Canada on Monday froze the assets of 12 Belarusian officials.", "Canada",
    ...     "12 Belarusian officials")))
    ['12', 'asset', 'froze', 'offic']
    """
    names = {w.lower() for w in WORD.findall(f"{report.source_text} {report.target_text}")
             if w[0].isupper()}
    words = WORD.findall(report.evidence.lower())
    return frozenset(w if w.isdigit() else w[:STEM] for w in words
                     if w not in STOPWORDS and w not in names)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two stem sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@dataclass(frozen=True)
class EventRules:
    """When two reports are of the same happening.

    A report dated by the text covers its date's days; one dated by its document's
    publication date (`date_source` "document") only says the happening came on or
    before that day, so it covers the `lookback_days` before it as well. Reports whose
    days come within `window_days` of each other are compatible; their evidence must
    then reach `day_threshold` when both are dated to the day by their text, and
    `loose_threshold` otherwise (a month, a year or a publication date says less)."""

    window_days: int = 1
    lookback_days: int = 14
    day_threshold: float = 0.0
    loose_threshold: float = 0.05

    def covers(self, report: EventReport) -> tuple[dt.date, dt.date] | None:
        """The days `report` may have happened on; None when undated."""
        span = report.span()
        if span is None or report.date_source != "document":
            return span
        return span[0] - dt.timedelta(days=self.lookback_days), span[1]

    def relation(self, a: EventReport, b: EventReport) -> Relation | None:
        """How the dates of `a` and `b` agree: "day" (two text-dated days close enough),
        "loose" (other compatible dates), or None (incompatible, or undated)."""
        sa, sb = self.covers(a), self.covers(b)
        if sa is None or sb is None or _gap(sa, sb) > self.window_days:
            return None
        exact = all(r.date_precision == "day" and r.date_source != "document" for r in (a, b))
        return "day" if exact else "loose"

    def threshold(self, relation: Relation) -> float:
        return self.day_threshold if relation == "day" else self.loose_threshold


@dataclass(frozen=True)
class CanonicalEvent:
    """One happening and its reports. `cluster_id` is the first report's event id and
    stays as reports join; the date, evidence and `event_id` come from the most
    precisely dated report, preferring dates read in the text to publication dates
    (the first of them on a tie). `reports` counts event reports
    (GDELT NumMentions), `articles` distinct documents (NumArticles), `sources` distinct
    publishers, a document without one counting as its own (NumSources); `root` says
    whether some report is in its article's lead (IsRootEvent)."""

    cluster_id: str
    event_id: str
    source_code: str
    target_code: str
    plover: str
    date: str | None
    date_precision: Precision | None
    evidence: str
    reports: int
    articles: int
    sources: int
    first_report: dt.date | None
    last_report: dt.date | None
    root: bool
    event_ids: tuple[str, ...]


DEFAULT_RULES = EventRules()


@dataclass
class _Cluster:
    members: list[EventReport]
    docs: set[str]


class EventClusters:
    """Canonical events grown one report at a time.

    >>> clusters = EventClusters()
    >>> first = EventReport("e1", "d1", "CAN", "BLR", "SANCTION", "2021-06-21", "day",
    ...     "Canada imposed sanctions on Belarusian potash exports.", "Canada")
    >>> again = EventReport("e2", "d2", "CAN", "BLR", "SANCTION", "2021-06", "month",
    ...     "Ottawa's June sanctions on Belarusian potash exports angered Minsk.", "Ottawa")
    >>> clusters.add(first), clusters.add(again)
    ('e1', 'e1')
    """

    def __init__(self, rules: EventRules = DEFAULT_RULES,
                 stored: Callable[[Block | None], Iterable[tuple[EventReport, str]]] | None
                 = None) -> None:
        self.rules = rules
        # The placed reports of a dyad and type (None: of all), in the order placed.
        self._stored = stored
        self._read: set[Block] = set()
        self._read_all = stored is None
        self._clusters: dict[str, _Cluster] = {}
        self._cluster_of: dict[str, str] = {}
        self._stems: dict[str, frozenset[str]] = {}
        # block → year → event ids: a report is filed under every year its days, widened
        # by the window, touch, and compared with those filed under its own years.
        self._by_year: dict[Block, dict[int, list[str]]] = {}
        self._reports: dict[str, EventReport] = {}
        self._order: dict[str, int] = {}
        self._added = 0  # reports ever placed: their order, kept through removals

    def __len__(self) -> int:
        return len(self._clusters)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._cluster_of

    def match(self, report: EventReport) -> str | None:
        """The cluster `report` would join: the one holding the most similar compatible
        report from another document (the closer date, then the earlier report, on a
        tie), or None."""
        self.read(report.block)
        stems = evidence_stems(report)
        best: tuple[float, int, int] | None = None
        chosen = None
        for order, other in self._candidates(report):
            cluster_id = self._cluster_of[other.event_id]
            if report.doc_id in self._clusters[cluster_id].docs:
                continue
            relation = self.rules.relation(report, other)
            if relation is None:
                continue
            score = similarity(stems, self._stems[other.event_id])
            if score < self.rules.threshold(relation):
                continue
            key = (score, -_gap(report.span(), other.span()), -order)
            if best is None or key > best:
                best, chosen = key, cluster_id
        return chosen

    def add(self, report: EventReport) -> str:
        """Place a report; returns the id of the cluster it joined or started."""
        self.read(report.block)
        if report.event_id in self._cluster_of:
            raise InputError(f"event {report.event_id!r} is already clustered",
                             hint="Add each event once; look it up with cluster_of().")
        cluster_id = self.match(report) or report.event_id
        self._place(report, cluster_id)
        return cluster_id

    def read(self, block: Block) -> None:
        """Place the stored reports of a dyad and type, once, before any new one."""
        if self._read_all or self._stored is None or block in self._read:
            return
        if len(self._read) < READ_ALL_AFTER:
            self._read.add(block)
            found = self._stored(block)
        else:
            self._read_all = True
            found = (pair for pair in self._stored(None) if pair[0].block not in self._read)
        for report, cluster_id in found:
            if report.event_id not in self._cluster_of:
                self._place(report, cluster_id)

    def remove(self, event_id: str) -> None:
        """Take a report out (its document could not be stored after all); its cluster
        keeps its id while other reports remain in it."""
        cluster_id = self.cluster_of(event_id)
        report = self._reports.pop(event_id)
        cluster = self._clusters[cluster_id]
        cluster.members.remove(report)
        cluster.docs = {m.doc_id for m in cluster.members}
        if not cluster.members:
            del self._clusters[cluster_id]
        for table in (self._cluster_of, self._order, self._stems):
            del table[event_id]
        for filed in self._by_year.get(report.block, {}).values():
            if event_id in filed:
                filed.remove(event_id)

    def members(self, cluster_id: str) -> list[EventReport]:
        """The reports of a cluster, in the order they were added."""
        if cluster_id not in self._clusters:
            raise InputError(f"no event cluster {cluster_id!r}",
                             hint="Name a cluster id that cluster_of() gave.")
        return list(self._clusters[cluster_id].members)

    def cluster_of(self, event_id: str) -> str:
        if event_id not in self._cluster_of:
            raise InputError(f"event {event_id!r} is not clustered",
                             hint="Add it first with EventClusters.add().")
        return self._cluster_of[event_id]

    def assignments(self) -> Iterator[tuple[EventReport, str]]:
        """The state: each report with its cluster id, in the order added."""
        for event_id, report in self._reports.items():
            yield report, self._cluster_of[event_id]

    @classmethod
    def from_assignments(cls, pairs: Iterable[tuple[EventReport, str]],
                         rules: EventRules = DEFAULT_RULES) -> EventClusters:
        """The clusters whose `assignments()` these are (in the order added)."""
        clusters = cls(rules)
        for report, cluster_id in pairs:
            clusters._place(report, cluster_id)
        return clusters

    def canonical(self) -> list[CanonicalEvent]:
        """One canonical event per cluster, in the order the clusters started."""
        return [canonical_event(cluster_id, cluster.members)
                for cluster_id, cluster in self._clusters.items()]

    def _place(self, report: EventReport, cluster_id: str) -> None:
        cluster = self._clusters.setdefault(cluster_id, _Cluster([], set()))
        cluster.members.append(report)
        cluster.docs.add(report.doc_id)
        self._cluster_of[report.event_id] = cluster_id
        self._reports[report.event_id] = report
        self._order[report.event_id] = self._added
        self._added += 1
        self._stems[report.event_id] = evidence_stems(report)
        years = self._by_year.setdefault(report.block, {})
        for year in self._years(report, self.rules.window_days):
            years.setdefault(year, []).append(report.event_id)

    def _candidates(self, report: EventReport) -> Iterator[tuple[int, EventReport]]:
        years = self._by_year.get(report.block, {})
        seen: set[str] = set()
        for year in self._years(report, 0):
            for event_id in years.get(year, ()):
                if event_id not in seen:
                    seen.add(event_id)
                    yield self._order[event_id], self._reports[event_id]

    def _years(self, report: EventReport, widen: int) -> Iterable[int]:
        span = self.rules.covers(report)
        if span is None:
            return ()  # undated: filed nowhere, compared with nothing
        window = dt.timedelta(days=widen)
        return range((span[0] - window).year, (span[1] + window).year + 1)


def _gap(a: tuple[dt.date, dt.date] | None, b: tuple[dt.date, dt.date] | None) -> int:
    """Days between two spans (0 when they overlap or one is unknown)."""
    if a is None or b is None:
        return 0
    return max(0, (max(a[0], b[0]) - min(a[1], b[1])).days)


def canonical_event(cluster_id: str, members: list[EventReport]) -> CanonicalEvent:
    """The canonical event of a cluster's reports (in the order they were added)."""
    def vagueness(report: EventReport) -> tuple[bool, int]:
        span = report.span()
        return report.date_source == "document", (span[1] - span[0]).days if span else 1 << 20

    best = min(members, key=vagueness)  # min keeps the first of equals
    dates = [m.doc_date for m in members if m.doc_date is not None]
    return CanonicalEvent(
        cluster_id=cluster_id, event_id=best.event_id, source_code=best.source_code,
        target_code=best.target_code, plover=best.plover, date=best.date,
        date_precision=best.date_precision, evidence=best.evidence, reports=len(members),
        articles=len({m.doc_id for m in members}),
        sources=len({m.doc_source or f"doc:{m.doc_id}" for m in members}),
        first_report=min(dates, default=None), last_report=max(dates, default=None),
        root=any(m.lead for m in members), event_ids=tuple(m.event_id for m in members))
