"""Key events of the raw view (every report) ranked in DuckDB against a reference ranking
done in Python over every report of the dyad (the ranking's first implementation), on
stores of realistic shape:
many reports of one happening, meetings coded both ways from one sentence, imprecise,
historical, negated and undated dates, tied confidences and dates."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from example_stores import Spec, add_document, fill

from detente.analysis import timeline
from detente.analysis.common import dyad_where
from detente.analysis.key_events import HEAD_SPARE, KeyEvent, rank_key_events
from detente.analysis.key_ranking import rank_clusters
from detente.store import Store, open_store

# PLOVER types with two CAMEO codes of different Goldstein scores each, so that the
# reports of one cluster can disagree on the score.
KINDS = [("CONSULT", 1, [("040", 1.0), ("042", 1.9)]),
         ("SANCTION", 4, [("163", -8.0), ("162", -5.6)]),
         ("ACCUSE", 3, [("111", -2.0), ("112", -2.0)]),
         ("COOPERATE", 2, [("061", 6.4), ("064", 7.0)]),
         ("AGREE", 1, [("030", 4.0), ("031", 5.2)]),
         ("PROTEST", 4, [("140", -6.5), ("141", -6.9)])]
ACTORS = ["JPN", "RUS", "USA", "CHN"]


def reference_ranking(store: Store, a: str, b: str, top: int, both_directions: bool,
                      since: dt.date | None, until: dt.date | None, history: bool
                      ) -> list[KeyEvent]:
    """Every report of the dyad read, clustered and ranked in Python."""
    where, params = dyad_where(a, b, both_directions, since, until, alias="e.",
                               history=history)
    rows = store.query(
        f"""SELECT e.*, d.title, d.url FROM events e LEFT JOIN documents d ON d.doc_id = e.doc_id
            WHERE {where} ORDER BY e.date_start, e.event_id""", params)
    clusters: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        date = row["date"] or ""
        when = date[:4] if row["date_precision"] == "year" else date[:7]
        clusters.setdefault((row["source_code"], row["target_code"], row["plover"], when),
                            []).append(row)
    firsts: dict[tuple[Any, ...], tuple[dt.date, tuple[Any, ...]]] = {}
    for key, members in clusters.items():
        start = min(m["date_start"] for m in members)
        if key[:3] not in firsts or start < firsts[key[:3]][0]:
            firsts[key[:3]] = (start, key)
    first_keys = {key for _, key in firsts.values()}
    precision = {"day": 2, "month": 1, "year": 0}
    scored = []
    for key, members in clusters.items():
        rep = max(members, key=lambda m: (m["confidence"] or 0.0,
                                          precision.get(m["date_precision"] or "", -1),
                                          -m["date_start"].toordinal(), m["event_id"]))
        documents = len({m["doc_id"] for m in members})
        goldstein = rep["goldstein"] or 0.0
        first = key in first_keys
        score = abs(goldstein) + 1.5 * min(documents - 1, 3) + (2.0 if first else 0)
        reasons = [f"Goldstein {goldstein:+.1f}"]
        if documents > 1:
            reasons.append(f"reported in {documents} documents")
        if first:
            reasons.append(f"first {rep['plover']} {key[0]}->{key[1]}")
        scored.append({"rep": rep, "members": members, "documents": documents, "first": first,
                       "score": round(score, 3), "reasons": tuple(reasons), "mutual": False})
    scored.sort(key=lambda s: (-s["score"], s["rep"]["date_start"], s["rep"]["event_id"]))
    chosen: list[dict[str, Any]] = []
    taken: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in scored:
        mirror = next((taken[k] for m in item["members"]
                       if (k := (m["doc_id"], m["sentence_index"], m["plover"])) in taken
                       and taken[k]["rep"]["source_code"] == m["target_code"]), None)
        if mirror is not None:
            mirror["mutual"] = True
        elif len(chosen) < top:
            chosen.append(item)
            for m in item["members"]:
                taken[(m["doc_id"], m["sentence_index"], m["plover"])] = item
    return [KeyEvent(
        rank=rank, event_id=r["event_id"], date=r["date"], date_start=r["date_start"],
        plover=r["plover"] or "", plover_mode=r["plover_mode"] or "", cameo=r["cameo"] or "",
        quad_class=r["quad_class"], goldstein=r["goldstein"] or 0.0, source=r["source_code"],
        source_name=r["source_name"] or "", target=r["target_code"],
        target_name=r["target_name"] or "", evidence=r["evidence"] or "", doc_id=r["doc_id"],
        title=r["title"] or "", url=r["url"] or "", sources=item["documents"],
        first_of_kind=item["first"], mutual=item["mutual"], score=item["score"],
        reasons=item["reasons"]) for rank, item in enumerate(chosen, start=1)
        for r in [item["rep"]]]


def happening(rng: random.Random) -> dict[str, Any]:
    """Something that happened between two actors, which several documents may report."""
    source, target = rng.sample(ACTORS[:3] if rng.random() < 0.8 else ACTORS, 2)
    if rng.random() < 0.5:
        source, target = rng.sample(["JPN", "RUS"], 2)
    plover, quad, cameos = rng.choice(KINDS)
    day = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(9 * 365))
    if rng.random() < 0.1:  # recalled from long ago
        day = day.replace(year=rng.randrange(1950, 2000))
    return {"source": source, "target": target, "plover": plover, "quad": quad,
            "cameos": cameos, "day": day,
            "mutual": rng.random() < (0.6 if plover in {"CONSULT", "AGREE"} else 0.2)}


def report(rng: random.Random, event: dict[str, Any], sentence: int) -> list[Spec]:
    """One document's report of `event` in sentence `sentence`: its date as precise as the
    writer knew it, a meeting coded both ways (mostly)."""
    day: dt.date = event["day"]
    date: str | None = rng.choices(
        [day.isoformat(), day.isoformat()[:7], str(day.year), None], [6, 3, 2, 0.3])[0]
    cameo, goldstein = rng.choice(event["cameos"])
    common = {"plover": event["plover"], "date": date, "goldstein": goldstein,
              "quad": event["quad"], "cameo": cameo, "sentence": sentence,
              "confidence": rng.choice([0.6, 0.75, 0.9]), "negated": rng.random() < 0.05}
    specs = [Spec(event["source"], event["target"], **common)]
    if event["mutual"] and rng.random() < 0.7:  # else coded one way only, as coders do
        specs.append(Spec(event["target"], event["source"], **common))
    return specs


def fill_realistic(store: Store, seed: int, documents: int = 240) -> None:
    """`documents` documents reporting 120 happenings, several reports each."""
    rng = random.Random(seed)
    events = [happening(rng) for _ in range(120)]
    for n in range(documents):
        told = rng.sample(events, rng.randint(1, 4))
        published = max(e["day"] for e in told) + dt.timedelta(days=rng.randrange(4))
        specs = [spec for i, e in enumerate(told) for spec in report(rng, e, i)]
        add_document(store, f"report {n}", rng.choice([published.isoformat(), None]), specs,
                     url=f"https://example.org/{n}")


@pytest.fixture(scope="module")
def realistic(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("key-events") / "events.duckdb"
    with open_store(path) as store:
        fill_realistic(store, seed=7)
    return path


QUESTIONS = [(a, b, both, since, until)
             for a, b in [("JPN", "RUS"), ("RUS", "JPN"), ("USA", "RUS")]
             for both in (True, False)
             for since, until in [(None, None), (dt.date(2012, 1, 1), dt.date(2016, 6, 30))]]


@pytest.mark.parametrize("history", [True, False])
@pytest.mark.parametrize(("a", "b", "both", "since", "until"), QUESTIONS)
def test_the_same_key_events_as_ranking_every_report(realistic, a, b, both, since, until,
                                                     history):
    with open_store(realistic, read_only=True) as store:
        for top in (1, 2, 4, 10, 20, 40, 500):
            expected = reference_ranking(store, a, b, top, both, since, until, history)
            assert rank_key_events(store, a, b, top, both, since, until,
                                   history=history, raw=True) == expected


def test_the_realistic_store_has_what_the_ranking_tells_apart(realistic):
    """The comparison above means something: the store holds mutual pairs, clusters of
    several documents, tied scores and more clusters than a head holds, and for the top 2
    a cluster beyond the head read mirrors a chosen one."""
    with open_store(realistic, read_only=True) as store:
        ranked = reference_ranking(store, "JPN", "RUS", 500, True, None, None, True)
        where, params = dyad_where("JPN", "RUS", True, None, None)
        ranking = rank_clusters(store, where, params, history=False, head=2 * 2 + HEAD_SPARE,
                                raw=True)
        top_two = rank_key_events(store, "JPN", "RUS", 2, True, None, None, history=False,
                                  raw=True)
    assert (len(ranked), sum(k.mutual for k in ranked), sum(k.sources > 1 for k in ranked),
            sum(k.first_of_kind for k in ranked), len({k.score for k in ranked})) == (
        111, 35, 76, 11, 36)
    assert ranking.clusters > 2 * 40 + HEAD_SPARE
    (chosen,) = [c for c in ranking.head for k in top_two
                 if k.mutual and c.rep["event_id"] == k.event_id]

    def mirrors(c):
        return c.source == chosen.target and set(c.sentences) & set(chosen.sentences)

    assert not any(mirrors(c) for c in ranking.head)
    assert any(mirrors(c) for c in ranking.mirrors)


def test_the_example_store(tmp_path):
    with open_store(tmp_path / "events.duckdb") as store:
        fill(store)
        for top in (1, 2, 7, 10):
            for history in (True, False):
                assert rank_key_events(store, "JPN", "RUS", top, True, None, None,
                                       history=history, raw=True) == reference_ranking(
                    store, "JPN", "RUS", top, True, None, None, history)


def test_a_longer_head_is_read_when_mirrors_fill_the_first(tmp_path):
    """One meeting coded A→B in January and B→A in twelve other months of the same
    sentences: twelve mirrored clusters (Goldstein 2.8) rank between the first key event
    and the second (an accusation, 0.5 + 2 as the first of its kind), past the head of
    2 × 2 + 8 clusters first read."""
    meeting = [Spec("JPN", "RUS", "CONSULT", "2015-01-10", 2.8, 1, "043", sentence=s)
               for s in range(12)]
    meeting += [Spec("RUS", "JPN", "CONSULT", f"2015-{s + 1:02d}-10" if s else "2016-01-10",
                     2.8, 1, "043", sentence=s) for s in range(12)]
    with open_store(tmp_path / "events.duckdb") as store:
        add_document(store, "talks", "2016-01-12", meeting)
        add_document(store, "minor", "2016-03-01",
                     [Spec("JPN", "RUS", "ACCUSE", "2016-02-27", -0.5, 3, "111")])
        add_document(store, "older", "2014-03-01",
                     [Spec("JPN", "RUS", "ACCUSE", "2014-02-27", -0.5, 3, "111")])
        found = rank_key_events(store, "JPN", "RUS", 2, True, None, None, raw=True)
        assert found == reference_ranking(store, "JPN", "RUS", 2, True, None, None, True)
    assert [(k.label, k.date, k.mutual) for k in found] == [
        ("JPN & RUS CONSULT", "2015-01-10", True), ("JPN ACCUSE RUS", "2014-02-27", False)]


@pytest.fixture(scope="module")
def clustered(realistic, tmp_path_factory) -> Path:
    """The realistic store with the reports of one direction, type and day as one
    happening each (as deduplication would cluster them): canonical events told by
    several articles, whose representative is one of their reports."""
    path = tmp_path_factory.mktemp("clustered") / "events.duckdb"
    shutil.copy(realistic, path)
    with open_store(path) as store:
        store.con.execute("""
            UPDATE events SET cluster_id = md5(concat_ws('|', source_code, target_code,
                                                         plover, date_start))""")
        store.con.execute("""
            INSERT INTO event_clusters
            SELECT cluster_id, 1, max(event_id), count(*), count(DISTINCT doc_id),
                   count(DISTINCT doc_id), min(doc_date), max(doc_date), TRUE
            FROM events GROUP BY cluster_id HAVING count(*) > 1""")
        assert store.one("SELECT max(articles) FROM canonical_events")[0] > 3
    return path


@pytest.mark.parametrize("history", [True, False])
@pytest.mark.parametrize(("a", "b", "both", "since", "until"), QUESTIONS)
@pytest.mark.parametrize("stored", ["realistic", "clustered"])
def test_the_canonical_ranking_read_from_the_head_days_is_the_whole_ranking(
        stored, request, a, b, both, since, until, history):
    """Canonical events (each its own cluster in the realistic store, not deduplicated;
    told by several articles in the clustered one) ranked from the days the light
    columns point to, against all of them read: the same head, mirrors and count,
    however short the head (ties of score and day abound)."""
    where, params = dyad_where(a, b, both, since, until)
    with open_store(request.getfixturevalue(stored), read_only=True) as store:
        for head in (1, 2, 3, 5, 8, 13, 30, 500):
            whole = rank_clusters(store, where, params, history=history, head=head,
                                  prune=False)
            assert rank_clusters(store, where, params, history=history, head=head) == whole
            assert whole.clusters > 0
            # mirrors in id order, whatever order DuckDB's threads find them in
            ids = [c.rep["event_id"] for c in whole.mirrors]
            assert ids == sorted(ids)


def test_the_timeline_labels_are_the_key_events(realistic):
    """A timeline reads the dyad once for its counts and its labels' first reading; its
    labels are the key events read alone."""
    for history in (True, False):
        for since in (None, "2012-03-01"):
            labels = timeline(realistic, "JPN", "RUS", by="year", since=since, labels=5,
                              history=history).key_events
            with open_store(realistic, read_only=True) as store:
                alone = rank_key_events(store, "JPN", "RUS", 5, True,
                                        dt.date(2012, 3, 1) if since else None, None,
                                        history=history)
            assert labels == tuple(alone) and len(alone) == 5
