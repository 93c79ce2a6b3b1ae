"""Stories, not reports, through `detente ingest` (the --fast coder): a repost is stored
linked to its original and not coded again; an edited wire copy is linked and coded; the
reports of one happening in four articles are one canonical event with their counts,
while a second sanction round two months later stays apart; a later ingest joins the
happenings stored before without moving them; ingesting again changes nothing; and
`detente docs` and `GET /api/docs` show the clusters.

The articles are written for these tests (the countries' actions are invented)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente import library
from detente.api import create_app
from detente.cli import app
from detente.settings import Settings, load_settings
from detente.store import open_store

pytestmark = pytest.mark.slow

BODY = """OTTAWA - Canada imposed sanctions on Belarus on Monday, freezing the assets of seventeen officials over the forced landing of a passenger jet in Minsk.

Foreign Minister Marc Garneau said the measures also bar the officials from entering Canada and from doing business with Canadian banks. The government in Minsk condemned the decision as interference in its internal affairs.

The seventeen include the commander of the air force, two deputy ministers and the head of the state television company, according to a list published by the foreign ministry in Ottawa late on Monday.

Canadian officials said further steps were being prepared together with European partners, and that the sanctions would stay in place until the detained journalist and his companion were released.

Opposition politicians in Ottawa welcomed the move but asked why the government had waited almost a month after the landing to act."""


def header(title: str, date: str, source: str) -> str:
    return f"Title: {title}\nDate: {date}\nSource: {source}\n\n"


ARTICLES = {
    "1-original.txt": header("Canada freezes assets of Belarusian officials", "2021-06-22",
                             "Maple Ledger") + BODY,
    # the same story as a wire service runs it: byline, agency tag, credits
    "2-repost.txt": header("Canada sanctions Belarus officials", "2021-06-22",
                           "Prairie Post") + "By Helen Tremblay\n\n"
    + BODY.replace("OTTAWA - ", "OTTAWA (Reuters) - ", 1)
    + "\n\n(Reporting by Helen Tremblay; Editing by Sam Cole)\n",
    # a syndicated copy cut at the bottom, with a few words changed
    "3-edited.txt": header("Canada freezes Belarusian assets", "2021-06-23", "Lakeshore Daily")
    + BODY.rsplit("\n\n", 1)[0].replace("also bar the officials", "bar the officials")
    .replace("late on Monday", "on Monday evening")
    .replace("together with European partners", "with European partners"),
    "4-follow-up.txt": header("Minsk recalls envoy after Ottawa's sanctions", "2021-06-25",
                              "Baltic Courier")
    + "Belarus recalled its ambassador from Canada on Thursday, three days after Canada "
      "imposed sanctions on Belarus and froze the assets of seventeen Belarusian "
      "officials.\n\nThe foreign ministry in Minsk said the recall was a response to "
      "hostile measures. Analysts said relations between the two countries had rarely "
      "been worse.\n",
    "5-second-round.txt": header("Canada widens Belarus sanctions to potash exports",
                                 "2021-08-10", "Maple Ledger")
    + "OTTAWA - Canada imposed new sanctions on Belarus on Monday, banning imports of "
      "Belarusian potash and petroleum products in a second round of measures.\n\nThe "
      "Belarusian government accused Canada of trying to strangle its economy. Ottawa "
      "said the ban would hurt the state companies that fund the security services.\n",
}
TABLES = ("documents", "sentences", "actors", "events", "doc_signatures", "event_clusters")


def write(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(ARTICLES[name], encoding="utf-8")
    return folder


def settings(db: Path) -> Settings:
    return load_settings({"fast": True, "workers": 1, "db": db}, env={})


def rows(db: Path, table: str) -> list[tuple[object, ...]]:
    with open_store(db, read_only=True) as store:
        found = store.query(f"SELECT * FROM {table}")
    return sorted((tuple(v for k, v in r.items() if k != "ingested_at") for r in found),
                  key=repr)


def documents(db: Path) -> dict[str, dict[str, object]]:
    """Each document's row with its number of events, by the file it was read from."""
    with open_store(db, read_only=True) as store:
        found = store.query("SELECT d.*, (SELECT count(*) FROM events e WHERE e.doc_id ="
                            " d.doc_id) AS events, (SELECT count(*) FROM sentences s WHERE"
                            " s.doc_id = d.doc_id) AS sentences FROM documents d")
    return {Path(str(r["path"])).name: r for r in found}


def sanctions(db: Path, table: str) -> list[dict[str, object]]:
    with open_store(db, read_only=True) as store:
        return store.query(f"SELECT * FROM {table} WHERE source_code = 'CAN' AND "
                           "target_code = 'BLR' AND plover = 'SANCTION' ORDER BY date_start")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = write(tmp_path_factory.mktemp("articles") / "in", sorted(ARTICLES))
    db = tmp_path_factory.mktemp("store") / "store.duckdb"
    report = library.ingest([folder], settings(db))
    assert (len(report.added), len(report.copies), report.failures) == (5, 1, [])
    return folder, db


def test_a_repost_is_stored_linked_and_not_coded_again(ingested):
    docs = documents(ingested[1])
    original, repost = docs["1-original.txt"], docs["2-repost.txt"]
    assert (repost["copy_of"], repost["canonical_id"]) == (original["doc_id"],
                                                           original["doc_id"])
    assert repost["similarity"] >= 0.8
    assert (repost["events"], repost["sentences"]) == (0, 0)
    assert original["events"] >= 1 and original["canonical_id"] == original["doc_id"]


def test_an_edited_copy_is_linked_and_still_coded(ingested):
    docs = documents(ingested[1])
    edited = docs["3-edited.txt"]
    assert edited["canonical_id"] == docs["1-original.txt"]["doc_id"]
    assert edited["copy_of"] is None and 0.3 <= edited["similarity"] < 0.8
    assert edited["events"] >= 1


def test_four_articles_of_one_happening_are_one_canonical_event_with_their_counts(ingested):
    db = ingested[1]
    june, august = sanctions(db, "canonical_events")
    # the original, its copy, the edited copy and the follow-up, from four publishers
    assert (june["reports"], june["articles"], june["sources"]) == (4, 4, 4)
    assert (june["first_report"], june["last_report"], june["root"]) == (
        dt.date(2021, 6, 22), dt.date(2021, 6, 25), True)
    assert (june["date"], june["date_source"]) == ("2021-06-21", "text")
    # the second round, two months later, is another happening
    assert (august["date"], august["reports"], august["articles"]) == ("2021-08-09", 1, 1)
    raw = sanctions(db, "events")
    assert len(raw) == 4 and len({r["cluster_id"] for r in raw}) == 2
    found = library.events(db, source="Canada", target="Belarus", type="SANCTION")
    assert [e.event_id for e in found] == [june["event_id"], august["event_id"]]
    assert len(library.events(db, source="CAN", target="BLR", type="SANCTION", raw=True)) == 4


def test_ingesting_again_changes_nothing(ingested):
    folder, db = ingested
    before = {table: rows(db, table) for table in TABLES}
    report = library.ingest([folder], settings(db))
    assert (report.added, len(report.present)) == ([], 5)
    assert {table: rows(db, table) for table in TABLES} == before


def test_a_later_article_joins_the_happening_stored_before(tmp_path):
    db = tmp_path / "store.duckdb"
    library.ingest([write(tmp_path / "first", ["1-original.txt"])], settings(db))
    (stored,) = sanctions(db, "events")
    before = {table: rows(db, table) for table in TABLES}
    report = library.ingest([write(tmp_path / "later", ["4-follow-up.txt",
                                                        "5-second-round.txt"])], settings(db))
    assert len(report.added) == 2
    joined, second = sanctions(db, "canonical_events")
    assert joined["cluster_id"] == stored["event_id"] and joined["reports"] == 2
    assert second["reports"] == 1
    for table, found in before.items():  # what was stored stays as it was
        assert set(found) <= set(rows(db, table)), table
    with open_store(db, read_only=True) as store:
        assert store.query("SELECT position FROM doc_signatures ORDER BY position") == [
            {"position": n} for n in range(3)]


def test_docs_shows_each_documents_cluster_on_every_surface(ingested):
    db = ingested[1]
    docs = {Path(d.path).name: d for d in library.docs(db)}
    original = docs["1-original.txt"].doc_id
    assert {name: (d.canonical_id == original, d.cluster_size, d.copy_of == original)
            for name, d in docs.items()} == {
        "1-original.txt": (True, 3, False), "2-repost.txt": (True, 3, True),
        "3-edited.txt": (True, 3, False), "4-follow-up.txt": (False, 1, False),
        "5-second-round.txt": (False, 1, False)}
    with TestClient(create_app(db)) as client:
        answer = client.get("/api/docs").json()["documents"]
    assert answer == [d.to_dict() for d in library.docs(db)]
    table = CliRunner().invoke(app, ["docs", "--db", str(db)])
    assert table.exit_code == 0 and f"{original[:10]} (3)" in table.stdout
    shown = CliRunner().invoke(app, ["doc", docs["2-repost.txt"].doc_id, "--db", str(db)])
    assert f"copy of: {original}" in shown.stdout and "0 events" in shown.stdout
