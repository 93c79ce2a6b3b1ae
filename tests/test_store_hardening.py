"""The store under trouble: repeated failures recorded once, inputs recorded under the
names they were given, a damaged write-ahead log named with its recovery, and reads
that go on while a write is open."""

from __future__ import annotations

import doctest
import shutil
import threading
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from detente import cli
from detente import store as store_module
from detente.errors import StoreError
from detente.records import Document
from detente.store import Store, open_store, reading


def a_document(text: str, path: str = "article.txt") -> Document:
    return Document.create(text, title=text.split(".")[0], path=path, fmt="txt")


def test_the_store_examples_run() -> None:
    assert doctest.testmod(store_module).failed == 0


def test_the_same_failure_again_updates_its_row_and_adds_none(tmp_path: Path) -> None:
    with open_store(tmp_path / "errors.duckdb") as store:
        store.record_error("notes.txt", "E102", "notes.txt is empty", "Add text.")
        first = store.errors()[0]["recorded_at"]
        for _ in range(3):  # three re-runs, or three retries of one upload
            store.record_error("notes.txt", "E102", "notes.txt is empty", "Add some text.")
        rows = store.errors()
        assert len(rows) == 1
        assert rows[0]["hint"] == "Add some text." and rows[0]["recorded_at"] >= first
        # Another code or another message for the same input is another failure.
        store.record_error("notes.txt", "E101", "notes.txt is empty")
        store.record_error("notes.txt", "E102", "notes.txt is still empty")
        assert store.count("ingest_errors") == 3


def test_inputs_are_recorded_under_the_names_given(tmp_path: Path) -> None:
    temporary = str(tmp_path / "detente-upload-x1" / "1" / "brief.txt")
    with open_store(tmp_path / "names.duckdb") as store:
        recorder = store.recording_as({temporary: "brief.txt"})
        doc = a_document("Chile and Peru signed a treaty on fishing rights in Lima.",
                         path=temporary)
        assert recorder.cursor().add_document(doc, [])  # the names go with its cursors
        recorder.record_error(temporary, "E102", f"{temporary} is empty",
                              f"Remove {temporary} or add text.")
        recorder.close()
        assert store.document(doc.doc_id)["path"] == "brief.txt"
        error = store.errors()[0]
        assert (error["input"], error["message"], error["hint"]) == (
            "brief.txt", "brief.txt is empty", "Remove brief.txt or add text.")
        # The store's own cursors record names as they are.
        store.record_error(temporary, "E102", "empty")
        assert store.errors()[-1]["input"] == temporary


def store_with_pending_wal(db: Path) -> tuple[str, Path]:
    """A store with one checkpointed document, then a write left only in its WAL (as
    after a crash); returns the checkpointed document's id and the WAL's path."""
    with open_store(db) as store:
        doc = a_document("Kenya and Ghana agreed to open a new trade office in Accra.")
        store.add_document(doc, [])
    con = duckdb.connect(str(db))
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.execute("INSERT INTO ingest_errors (input, code, message) VALUES ('late.txt', "
                "'E102', 'late.txt is empty')")
    con.close()
    wal = Path(f"{db}.wal")
    assert wal.stat().st_size > 0
    return doc.doc_id, wal


def damage(wal: Path) -> None:
    """Flip every bit past the first third of `wal`: its header is intact, its entries
    (checksummed) are not."""
    data = bytearray(wal.read_bytes())
    middle = len(data) // 3
    data[middle:] = bytes(255 - b for b in data[middle:])
    wal.write_bytes(bytes(data))


def test_a_damaged_wal_is_named_with_its_recovery(tmp_path: Path) -> None:
    db = tmp_path / "detente.duckdb"
    doc_id, wal = store_with_pending_wal(db)
    damage(wal)

    with pytest.raises(StoreError) as caught, open_store(db):
        pass
    error = caught.value
    assert str(wal) in error.message and "damaged" in error.message
    assert "not a detente DuckDB database" not in error.message
    assert error.hint.startswith("Move detente.duckdb.wal aside")
    assert "the database before the last checkpoint is intact" in error.hint

    # Doing what the hint says recovers everything up to the last checkpoint.
    shutil.move(wal, f"{wal}.damaged")
    with open_store(db) as store:
        assert store.document(doc_id)["title"].startswith("Kenya and Ghana")
        assert store.count("ingest_errors") == 0


def test_the_cli_names_a_damaged_wal_too(tmp_path: Path) -> None:
    db = tmp_path / "detente.duckdb"
    _doc_id, wal = store_with_pending_wal(db)
    damage(wal)
    result = CliRunner().invoke(cli.app, ["docs", "--db", str(db)])
    assert result.exit_code == 3
    output = " ".join(result.output.split())
    assert "detente.duckdb.wal" in output and "is damaged" in output
    assert "Move detente.duckdb.wal aside" in output


def test_a_wal_from_another_database_is_named_too(tmp_path: Path) -> None:
    _doc_id, wal = store_with_pending_wal(tmp_path / "first.duckdb")
    other = tmp_path / "second.duckdb"
    with open_store(other):
        pass
    shutil.copy(wal, f"{other}.wal")
    with pytest.raises(StoreError) as caught, open_store(other):
        pass
    assert f"{other}.wal" in caught.value.message
    assert caught.value.hint.startswith("Move second.duckdb.wal aside")


def test_reads_go_on_while_a_write_is_open(tmp_path: Path) -> None:
    """A reader's cursor is not held up by a writer's open transaction: it reads the
    last committed state, in another thread, while the write is still open."""
    with open_store(tmp_path / "busy.duckdb") as store:
        store.add_document(a_document("Egypt hosted talks between Turkey and Greece."), [])
        writer = store.cursor()
        writer.con.execute("BEGIN")
        writer.con.execute("INSERT INTO documents (doc_id, title) VALUES ('pending', 'x')")
        seen: dict[str, int] = {}

        def read() -> None:
            with reading(store) as cursor:
                seen["documents"] = cursor.count("documents")
                seen["pending"] = len(cursor.query(
                    "SELECT 1 FROM documents WHERE doc_id = 'pending'"))

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=60)
        assert not reader.is_alive(), "the read waited for the open write"
        assert seen == {"documents": 1, "pending": 0}
        writer.con.execute("COMMIT")
        with reading(store) as cursor:
            assert cursor.count("documents") == 2
        writer.close()


def test_each_reader_has_its_own_cursor(tmp_path: Path) -> None:
    with open_store(tmp_path / "cursors.duckdb") as store:
        cursors: list[Store] = []
        barrier = threading.Barrier(3)

        def read() -> None:
            with reading(store) as cursor:
                cursors.append(cursor)
                barrier.wait(timeout=60)  # all three cursors are open at once
                assert cursor.count("documents") == 0

        threads = [threading.Thread(target=read) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len({id(c.con) for c in cursors}) == 3
        assert all(c.con is not store.con for c in cursors)
