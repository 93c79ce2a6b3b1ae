"""`run` resumes: a re-run skips the inputs done, a run killed with SIGKILL (or one that
left a half-written part) loses and duplicates nothing, and a dying worker only delays
its inputs to the next run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from detente.engine import inputs, run
from detente.ingest.parallel import WorkerPool, in_order
from detente.settings import Settings, load_settings
from detente.store import DATASET_MANIFEST, dataset_parts, open_store

COUNTRIES = ["Brazil", "Argentina", "Chile", "Peru", "Canada", "Mexico", "Egypt", "Kenya",
             "Nigeria", "France", "Spain", "Italy"]
ACTIONS = ["accused {b} of breaking the fishing agreement",
           "imposed sanctions on {b}",
           "signed a defence agreement with {b}",
           "expelled two diplomats from {b}"]
TABLES = ("documents", "sentences", "actors", "events", "doc_signatures", "event_clusters",
          "ingest_errors")


def feed(count: int, start: int = 0) -> list[str]:
    """JSONL lines of short, distinct, dated documents over several months (distinct
    enough that none is a near duplicate of another: each has a filing line of its own)."""
    lines = []
    for number in range(start, start + count):
        a, b = COUNTRIES[number % 12], COUNTRIES[(number * 5 + 1) % 12]
        action = ACTIONS[number % 4].format(b=b)
        text = (f"{a} {action} on Monday, officials said in report number {number + 1}. "
                f"The report was filed as {number * 7919 % 10007} under section "
                f"{number * 31 % 97} of volume {number * 13 % 41} by clerk {number % 23}.")
        lines.append(json.dumps({"id": f"r{number}", "date": f"2021-{number % 12 + 1:02d}-15",
                                 "text": text}))
    return lines


def fast(**flags: object) -> Settings:
    return load_settings({"fast": True, "workers": 1, **flags}, env={})


def rows(db: Path, table: str) -> list[tuple[object, ...]]:
    with open_store(db, read_only=True) as store:
        found = store.query(f"SELECT * FROM {table}")
    return sorted((tuple(v for k, v in row.items() if k not in {"ingested_at", "recorded_at"})
                   for row in found), key=repr)


def distinct_documents(db: Path) -> tuple[int, int]:
    with open_store(db, read_only=True) as store:
        return store.one("SELECT count(*), count(DISTINCT doc_id) FROM documents")


# JSONL lines per input and per task here, so that a small feed makes many tasks.
SLICE = 4


@pytest.fixture(scope="module", autouse=True)
def small_slices() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inputs, "SLICE_LINES", SLICE)
        yield


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A feed of 48 documents, and its dataset from one uninterrupted run: 12 parts."""
    folder = tmp_path_factory.mktemp("clean")
    source = folder / "feed.jsonl"
    source.write_text("\n".join(feed(48)) + "\n", encoding="utf-8")
    output = folder / "dataset"
    report = run([source], output, fast(), part_documents=SLICE)
    assert (report.documents, report.parts) == (48, 12) and report.events >= 24
    return source, output


@pytest.mark.slow
def test_a_rerun_skips_the_inputs_done_and_codes_new_ones(clean, tmp_path):
    source, done = clean
    output = tmp_path / "dataset"
    shutil.copytree(done, output)
    manifest = (output / DATASET_MANIFEST).read_bytes()
    again = run([source], output, fast())
    assert (again.inputs, again.skipped, again.documents, again.parts) == (0, 12, 0, 0)
    assert (output / DATASET_MANIFEST).read_bytes() == manifest
    extra = tmp_path / "extra.txt"
    extra.write_text("Kenya recalled its ambassador from Nigeria on Friday.", encoding="utf-8")
    more = run([source, extra], output, fast())
    assert (more.inputs, more.skipped, more.documents) == (1, 12, 1)


@pytest.mark.slow
def test_lines_appended_to_a_feed_leave_its_earlier_slices_done(tmp_path):
    source = tmp_path / "feed.jsonl"
    source.write_text("\n".join(feed(5)) + "\n", encoding="utf-8")
    output = tmp_path / "dataset"
    assert run([source], output, fast()).inputs == 2  # lines 1-4 and 5
    with source.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(feed(2, start=5)) + "\n")
    report = run([source], output, fast())  # lines 5-7 make the second slice now
    assert (report.inputs, report.skipped, report.documents, report.present) == (1, 1, 2, 1)
    assert distinct_documents(output) == (7, 7)


@pytest.mark.slow
def test_a_half_written_part_is_dropped_and_its_inputs_coded_again(clean, tmp_path):
    source, done = clean
    output = tmp_path / "dataset"
    shutil.copytree(done, output)
    # As a kill leaves it: the third part's line cut short, its files (and the fourth's)
    # written but not listed, and a temporary file half written.
    lines = (output / DATASET_MANIFEST).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    cut = "\n".join(lines[:2]) + "\n" + lines[2][:40]
    (output / DATASET_MANIFEST).write_text(cut, encoding="utf-8")
    stray = output / "events" / "year=2021" / "month=1" / ".part-0123456789abcdef.parquet.tmp"
    stray.write_bytes(b"PAR1 half")
    with open_store(output) as store:  # readers see the finished parts only
        assert store.count("documents") == 8
    report = run([source], output, fast(), part_documents=SLICE)
    assert (report.documents, report.skipped) == (40, 2)
    assert not stray.exists()
    for table in TABLES:
        assert rows(output, table) == rows(done, table), table
    assert len(dataset_parts(output)) == 12


@pytest.mark.subprocess
def test_a_run_killed_with_sigkill_loses_and_duplicates_nothing(clean, tmp_path):
    source, done = clean
    output = tmp_path / "dataset"
    script = textwrap.dedent(f"""
        from detente.engine import inputs, run
        from detente.settings import load_settings
        inputs.SLICE_LINES = {SLICE}
        run([{str(source)!r}], {str(output)!r},
            load_settings({{"fast": True, "workers": 1}}, env={{}}), part_documents=1)
    """)
    child = subprocess.Popen([sys.executable, "-c", script])
    manifest = output / DATASET_MANIFEST
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if manifest.exists() and manifest.read_bytes().count(b"\n") >= 3:
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    assert child.wait() == -signal.SIGKILL, "the run ended before it could be killed"
    finished = len(dataset_parts(output))
    assert 3 <= finished < 12
    report = run([source], output, fast())
    assert report.skipped == finished
    assert distinct_documents(output) == (48, 48)
    for table in TABLES:
        assert rows(output, table) == rows(done, table), table


def test_a_dying_worker_fails_its_task_and_the_pool_goes_on():
    with WorkerPool(1) as pool:
        results = list(in_order(lambda task: pool.submit(*task),
                                [(os._exit, 3), (pow, 2, 5)], window=1))
    [(_, died), (_, after)] = results
    assert type(died).__name__ == "BrokenProcessPool"
    assert after == 32


@pytest.mark.slow
def test_a_failed_task_leaves_its_inputs_for_the_next_run(tmp_path, monkeypatch):
    from detente.engine import runner

    source = tmp_path / "feed.jsonl"
    source.write_text("\n".join(feed(3 * SLICE)) + "\n", encoding="utf-8")
    output = tmp_path / "dataset"
    real = runner.code_task

    def lost_on_line_two(stage, group, date=None):
        if group[0].first_line == SLICE + 1:  # as dask raises KilledWorker for a task it lost
            raise RuntimeError("the worker holding the task was lost")
        return real(stage, group, date)

    monkeypatch.setattr(runner, "code_task", lost_on_line_two)
    report = run([source], output, fast())
    assert (report.documents, [f.input for f in report.retry]) == (2 * SLICE, [str(source)])
    assert "worker process stopped" in report.retry[0].message
    monkeypatch.setattr(runner, "code_task", real)
    again = run([source], output, fast())
    assert (again.inputs, again.skipped, again.documents) == (1, 2, SLICE)
