"""Key events of a dyad: the largest Goldstein scores, the most reported, the first of a kind.

A cluster is one happening: a canonical event (`canonical_events`), its documents the
articles that report it. In the raw view (`raw=True`) each stored event is one
document's report, and reports are grouped into one cluster by source, target and
PLOVER type in the same month (the same year for year-only dates). A cluster is scored by

    |Goldstein| + 1.5 per extra reporting document (at most 3) + 2 if first of its kind

where "first of its kind" means the earliest cluster of that type in that direction
of the dyad. The cluster's best-attested event (highest confidence, most precise
date) stands for it. "A and B met" is coded as two events, A→B and B→A, from one
sentence; the pair is shown once, marked `mutual`.

DuckDB groups, scores and orders the clusters (`key_ranking`); only the first of the
ranking reach Python, however many reports the dyad has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from detente import query
from detente.analysis.common import dyad_where
from detente.analysis.key_ranking import (
    EXTRA_SOURCE_BONUS,
    FIRST_OF_KIND_BONUS,
    MAX_EXTRA_SOURCES,
    Cluster,
    Ranking,
    SentenceKey,
    rank_clusters,
    report_details,
)
from detente.jsonio import json_ready
from detente.settings import Settings
from detente.store import DbLike, Store, reading

# The head of the ranking first read holds 2 × top clusters and these: room for the
# mirrored clusters skipped on the way, read again 4 times as long when they fill it.
HEAD_SPARE = 8


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
    raw: bool = False,
    settings: Settings | None = None,
) -> list[KeyEvent]:
    """The `top` most significant events between two actors (codes or names, names read
    with the actor files of `settings`), best first: canonical events, each with the
    articles that report it, or with `raw=True` every report, grouped by month.

    >>> [k.label for k in key_events("detente.duckdb", "JPN", "RUS", top=2)]  # doctest: +SKIP
    ['JPN SANCTION RUS', 'RUS COERCE JPN']
    """
    settings = query.given(settings)
    query.at_least_one(top, "top")
    first, last = query.date_range(since, until, settings)
    with reading(db) as store:
        code_a, code_b = query.dyad(a, b, store, settings)
        return rank_key_events(store, code_a, code_b, top, both_directions, first, last,
                               raw=query.view(raw))


def key_events_frame(events: list[KeyEvent]) -> pl.DataFrame:
    """Key events as a polars frame (for notebooks)."""
    return pl.DataFrame([{**asdict(k), "reasons": "; ".join(k.reasons)} for k in events])


def rank_key_events(store: Store, a: str, b: str, top: int, both_directions: bool,
                    since: dt.date | None, until: dt.date | None, *, history: bool = True,
                    raw: bool = False, light: str | None = None) -> list[KeyEvent]:
    """Rank the dyad's clusters (codes already resolved); without `history`, historical
    events are left out, as in a timeline that leaves them out. `light` names a table of
    the dyad's canonical events with their light columns (`timeline.dyad_rows`), which
    the ranking then reads first instead of the store's.

    DuckDB groups and ranks the clusters; here, going down the ranking, a cluster that
    mirrors one already chosen (B→A from the same sentence) marks it `mutual` instead of
    taking a place, so the head of the ranking read grows until it fills `top` places."""
    if top < 1:
        return []
    where, params = dyad_where(a, b, both_directions, since, until)
    head = 2 * top + HEAD_SPARE
    while True:
        ranking = rank_clusters(store, where, params, history=history, head=head, raw=raw,
                                light=light)
        chosen, mutual = _choose(ranking, top)
        if len(chosen) == top or head >= ranking.clusters:
            break
        head *= 4
    details = report_details(store, [c.rep for c in chosen])
    return [_key_event(rank, cluster, i in mutual, details[cluster.rep["event_id"]])
            for rank, (i, cluster) in enumerate(enumerate(chosen), start=1)]


def _choose(ranking: Ranking, top: int) -> tuple[list[Cluster], set[int]]:
    """The first `top` clusters of the ranking that mirror none chosen before them, and
    the indexes of those that a later cluster mirrors."""
    chosen: list[Cluster] = []
    mutual: set[int] = set()
    # Each two-way sentence of a chosen cluster, to the index of the last one holding it.
    taken: dict[SentenceKey, int] = {}
    for cluster in ranking.head:
        mirror = _mirror_of(cluster, chosen, taken)
        if mirror is not None:
            mutual.add(mirror)
        elif len(chosen) < top:
            taken.update((sentence, len(chosen)) for sentence in cluster.sentences)
            chosen.append(cluster)
    if len(chosen) == top:  # else the caller reads a longer head
        for cluster in ranking.mirrors:
            mirror = _mirror_of(cluster, chosen, taken)
            if mirror is not None:
                mutual.add(mirror)
    return chosen, mutual


def _mirror_of(cluster: Cluster, chosen: list[Cluster], taken: dict[SentenceKey, int]
               ) -> int | None:
    """The index of the chosen cluster this one mirrors (B→A from the same sentence)."""
    for sentence in cluster.sentences:
        index = taken.get(sentence)
        if index is not None and chosen[index].source == cluster.target:
            return index
    return None


def _key_event(rank: int, cluster: Cluster, mutual: bool, details: dict[str, Any]
               ) -> KeyEvent:
    rep = cluster.rep | details
    goldstein = rep["goldstein"] or 0.0
    extra = min(cluster.documents - 1, MAX_EXTRA_SOURCES)
    score = (abs(goldstein) + EXTRA_SOURCE_BONUS * extra
             + (FIRST_OF_KIND_BONUS if cluster.first else 0))
    reasons = [f"Goldstein {goldstein:+.1f}"]
    if cluster.documents > 1:
        reasons.append(f"reported in {cluster.documents} documents")
    if cluster.first:
        reasons.append(f"first {rep['plover']} {cluster.source}->{cluster.target}")
    return KeyEvent(
        rank=rank, event_id=rep["event_id"], date=rep["date"], date_start=rep["date_start"],
        plover=rep["plover"] or "", plover_mode=rep["plover_mode"] or "",
        cameo=rep["cameo"] or "", quad_class=rep["quad_class"], goldstein=goldstein,
        source=rep["source_code"], source_name=rep["source_name"] or "",
        target=rep["target_code"], target_name=rep["target_name"] or "",
        evidence=rep["evidence"] or "", doc_id=rep["doc_id"], title=rep["title"] or "",
        url=rep["url"] or "", sources=cluster.documents, first_of_kind=cluster.first,
        mutual=mutual, score=round(score, 3), reasons=tuple(reasons))
