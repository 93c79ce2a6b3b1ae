"""The seed articles end to end: dates, actors and the story they tell (needs ../shared)."""

from __future__ import annotations

import pytest

from detente import library
from detente.settings import load_settings
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    seeds = shared_path("seeds")
    db = tmp_path_factory.mktemp("seeds") / "seeds.duckdb"
    report = library.ingest([seeds], settings=load_settings({"db": db, "fast": True}, env={}))
    assert len(report.added) == 5 and not report.failures
    return db


def test_inferred_publication_dates(seeds_db):
    dates = {d.path.rsplit("/", 1)[-1][:3]: d for d in library.docs(seeds_db)}
    assert all(d.date_inferred for d in dates.values())
    assert dates["003"].date.isoformat() == "2015-03-25"
    assert dates["002"].date.strftime("%Y-%m") == "2014-09"
    assert dates["004"].date.year == 2020
    assert dates["001"].date.year in (2017, 2018)
    assert dates["000"].date.year == 2015


def test_the_story_of_2014_sanctions(seeds_db):
    sanctions = library.events(seeds_db, source="JPN", target="RUS", type="SANCTION")
    assert {e.date[:7] for e in sanctions} & {"2014-09"}
    criticism = library.events(seeds_db, source="RUS", target="JPN", type="ACCUSE")
    assert any(e.date.startswith("2014-09") and "foreign ministry" in e.evidence
               for e in criticism)
    for event in sanctions + criticism:
        assert event.evidence and event.source.code and event.coder
