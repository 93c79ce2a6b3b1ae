"""Key events of a dyad: the largest Goldstein scores, the most reported, the first of a kind.

Each stored event is one document's report. Reports of the same happening are
grouped into one cluster: same source, target and PLOVER type in the same month
(the same year for year-only dates). A cluster is scored by

    |Goldstein| + 1.5 per extra reporting document (at most 3) + 2 if first of its kind

where "first of its kind" means the earliest cluster of that type in that direction
of the dyad. The cluster's best-attested event (highest confidence, most precise
date) stands for it. "A and B met" is coded as two events, A→B and B→A, from one
sentence; the pair is shown once, marked `mutual`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from detente import query
from detente.analysis.common import dyad_where
from detente.jsonio import json_ready
from detente.settings import Settings
from detente.store import DbLike, Store, reading

EXTRA_SOURCE_BONUS = 1.5
MAX_EXTRA_SOURCES = 3
FIRST_OF_KIND_BONUS = 2.0
PRECISION_RANK = {"day": 2, "month": 1, "year": 0}


@dataclass(frozen=True)
class KeyEvent:
    """One significant event of a dyad, with its evidence and why it ranks."""

    rank: int
    event_id: str
    date: str | None
    date_start: dt.date | None
    plover: str
    plover_mode: str
    cameo: str
    quad_class: int
    goldstein: float
    source: str
    source_name: str
    target: str
    target_name: str
    evidence: str
    doc_id: str
    title: str
    url: str
    sources: int
    first_of_kind: bool
    mutual: bool
    score: float
    reasons: tuple[str, ...]

    @property
    def actors(self) -> str:
        joint = " <-> " if self.mutual else " -> "
        return f"{self.source}{joint}{self.target}"

    @property
    def label(self) -> str:
        """Short text for plot labels, e.g. 'JPN SANCTION RUS'."""
        if self.mutual:
            return f"{self.source} & {self.target} {self.plover}"
        return f"{self.source} {self.plover} {self.target}"

    def to_dict(self) -> dict[str, Any]:
        data = json_ready(asdict(self))
        data["actors"] = self.actors
        data["label"] = self.label
        return data


def key_events(
    db: DbLike,
    a: str,
    b: str,
    top: int = 10,
    *,
    both_directions: bool = True,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    settings: Settings | None = None,
) -> list[KeyEvent]:
    """The `top` most significant events between two actors (codes or names, names read
    with the actor files of `settings`), best first.

    >>> [k.label for k in key_events("detente.duckdb", "JPN", "RUS", top=2)]  # doctest: +SKIP
    ['JPN SANCTION RUS', 'RUS COERCE JPN']
    """
    settings = query.given(settings)
    query.at_least_one(top, "top")
    first, last = query.date_range(since, until, settings)
    with reading(db) as store:
        code_a, code_b = query.dyad(a, b, store, settings)
        return rank_key_events(store, code_a, code_b, top, both_directions, first, last)


def key_events_frame(events: list[KeyEvent]) -> pl.DataFrame:
    """Key events as a polars frame (for notebooks)."""
    return pl.DataFrame([{**asdict(k), "reasons": "; ".join(k.reasons)} for k in events])


def rank_key_events(store: Store, a: str, b: str, top: int, both_directions: bool,
                    since: dt.date | None, until: dt.date | None, *, history: bool = True
                    ) -> list[KeyEvent]:
    """Rank the dyad's clusters (codes already resolved); without `history`, historical
    events are left out, as in a timeline that leaves them out."""
    if top < 1:
        return []
    where, params = dyad_where(a, b, both_directions, since, until, alias="e.",
                               history=history)
    rows = store.query(
        f"""
        SELECT e.event_id, e.doc_id, e.sentence_index, e.evidence, e.date, e.date_precision,
               e.date_start, e.source_code, e.source_name, e.target_code, e.target_name,
               e.plover, e.plover_mode, e.cameo, e.quad_class, e.goldstein, e.confidence,
               d.title, d.url
        FROM events e LEFT JOIN documents d ON d.doc_id = e.doc_id
        WHERE {where}
        ORDER BY e.date_start, e.event_id
        """, params)
    clusters: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        clusters.setdefault(_cluster_key(row), []).append(row)
    # The earliest cluster of each (source, target, type) is the first of its kind.
    firsts: dict[tuple[str, ...], tuple[dt.date, tuple[str, ...]]] = {}
    for key, members in clusters.items():
        kind, start = key[:3], min(m["date_start"] for m in members)
        if kind not in firsts or start < firsts[kind][0]:
            firsts[kind] = (start, key)
    first_keys = {key for _, key in firsts.values()}
    scored = [_score(key, members, key in first_keys) for key, members in clusters.items()]
    scored.sort(key=lambda s: (-s["score"], s["rep"]["date_start"], s["rep"]["event_id"]))
    chosen: list[dict[str, Any]] = []
    sentences_taken: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in scored:
        mirror = _mirror_of(item, sentences_taken)
        if mirror is not None:
            mirror["mutual"] = True
            continue
        if len(chosen) < top:
            chosen.append(item)
            for m in item["members"]:
                sentences_taken[(m["doc_id"], m["sentence_index"], m["plover"])] = item
    return [_key_event(rank, item) for rank, item in enumerate(chosen, start=1)]


def _cluster_key(row: dict[str, Any]) -> tuple[str, ...]:
    date = row["date"] or ""
    when = date[:4] if row["date_precision"] == "year" else date[:7]
    return (row["source_code"], row["target_code"], row["plover"], when)


def _score(key: tuple[str, ...], members: list[dict[str, Any]], first: bool) -> dict[str, Any]:
    rep = max(members, key=lambda m: (m["confidence"] or 0.0,
                                      PRECISION_RANK.get(m["date_precision"] or "", -1),
                                      -m["date_start"].toordinal(), m["event_id"]))
    documents = len({m["doc_id"] for m in members})
    goldstein = rep["goldstein"] or 0.0
    extra = min(documents - 1, MAX_EXTRA_SOURCES)
    score = abs(goldstein) + EXTRA_SOURCE_BONUS * extra + (FIRST_OF_KIND_BONUS if first else 0)
    reasons = [f"Goldstein {goldstein:+.1f}"]
    if documents > 1:
        reasons.append(f"reported in {documents} documents")
    if first:
        reasons.append(f"first {rep['plover']} {key[0]}->{key[1]}")
    return {"rep": rep, "members": members, "documents": documents, "first": first,
            "score": round(score, 3), "reasons": tuple(reasons), "mutual": False}


def _mirror_of(item: dict[str, Any], taken: dict[tuple[Any, ...], dict[str, Any]]
               ) -> dict[str, Any] | None:
    """The chosen cluster this one mirrors (B→A from the same sentence), if any."""
    for m in item["members"]:
        other = taken.get((m["doc_id"], m["sentence_index"], m["plover"]))
        if other is not None and other["rep"]["source_code"] == m["target_code"]:
            return other
    return None


def _key_event(rank: int, item: dict[str, Any]) -> KeyEvent:
    rep = item["rep"]
    return KeyEvent(
        rank=rank, event_id=rep["event_id"], date=rep["date"], date_start=rep["date_start"],
        plover=rep["plover"] or "", plover_mode=rep["plover_mode"] or "",
        cameo=rep["cameo"] or "", quad_class=rep["quad_class"],
        goldstein=rep["goldstein"] or 0.0, source=rep["source_code"],
        source_name=rep["source_name"] or "", target=rep["target_code"],
        target_name=rep["target_name"] or "", evidence=rep["evidence"] or "",
        doc_id=rep["doc_id"], title=rep["title"] or "", url=rep["url"] or "",
        sources=item["documents"], first_of_kind=item["first"], mutual=item["mutual"],
        score=item["score"], reasons=item["reasons"])
