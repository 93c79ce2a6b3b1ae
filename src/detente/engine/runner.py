"""`run`: code inputs on worker processes into a Parquet dataset, resumably.

The client (this process) plans the inputs, skips those the dataset's manifest lists as
done, and sends the rest as tasks of a few hundred documents to the workers: a local
process pool (`engine="local"`), or dask.distributed (`engine="dask"`): a LocalCluster,
or the cluster behind `scheduler`. Workers read the inputs themselves (with an existing
scheduler, the inputs must be at the same paths on every worker: a shared filesystem).

Results are taken in input order, with at most two tasks per worker thread in flight, so
the client's memory is bounded by the tasks in flight and one part's rows. Documents
already in the dataset (repeated in the inputs, or from an earlier run) are dropped, as
ingest skips stored documents, so each document is written once, by its first input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from detente.dedup.state import Deduplicator
from detente.engine import dataset
from detente.engine.dedup import deduplicated
from detente.engine.inputs import Input, key_of, plan, tasks
from detente.engine.tasks import TaskResult, code_task
from detente.errors import ConfigError, DetenteError
from detente.ingest.parallel import Stage, WorkerPool, in_order, stopped
from detente.ingest.pipeline import Failure, Progress
from detente.ingest.prepare import DatedAs, date_override
from detente.settings import Settings
from detente.store import DATASET_TABLES, open_dataset

Engine = Literal["local", "dask"]
ENGINES = ("local", "dask")
# Documents per part file: large enough that a year of news makes thousands of files, not
# millions; small enough that the client holds one part's rows (~100 MB of news) at once.
PART_DOCUMENTS = 20_000

Submit = Callable[..., "Future[Any]"]


@dataclass
class RunReport:
    """What a run did. `copies` of the `documents` written repeat a coded one (written
    linked to it, without its rows); `failures` are inputs that could not be read,
    prepared or coded (also written to `ingest_errors`); `retry` are inputs whose task
    failed (a worker died): nothing of them is written, and the next run codes them
    again."""

    output: str
    engine: str
    workers: int
    inputs: int = 0
    skipped: int = 0
    documents: int = 0
    copies: int = 0
    present: int = 0
    sentences: int = 0
    events: int = 0
    parts: int = 0
    failures: list[Failure] = field(default_factory=list)
    retry: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is left to retry and something was written or done before."""
        return not self.retry and bool(self.documents or self.present or self.skipped)

    def to_dict(self) -> dict[str, object]:
        data = {k: v for k, v in self.__dict__.items() if k not in {"failures", "retry"}}
        return {**data, "failures": [f.__dict__ for f in self.failures],
                "retry": [f.__dict__ for f in self.retry], "ok": self.ok}


def run(inputs: Sequence[str | Path], output_dir: str | Path, settings: Settings, *,
        engine: Engine = "local", scheduler: str | None = None,
        progress: Progress | None = None, part_documents: int = PART_DOCUMENTS,
        date: dt.date | str | None = None, stdin: IO[Any] | None = None) -> RunReport:
    """Code files, folders, glob patterns, JSONL files and `-` (JSONL on standard input,
    or `stdin`) into the Parquet dataset `output_dir` (created, or added to), on
    `settings.worker_count` workers. `date` overrides every input's publication date, as
    ingest's does: a day, or a date of any form and precision ("2015-03" is a month).

    >>> report = run(["news/*.jsonl"], "out/", load_settings(), engine="dask")  # doctest: +SKIP
    >>> report.documents, report.events  # doctest: +SKIP
    (20000, 5126)
    """
    if engine not in ENGINES:
        raise ConfigError(f"engine: {engine!r} is not an engine",
                          hint="use local (a process pool here) or dask (dask.distributed)",
                          input="engine")
    if scheduler and engine != "dask":
        raise ConfigError(f"scheduler: {scheduler!r} needs the dask engine",
                          hint="set engine to dask, or leave the scheduler out",
                          input="scheduler,engine")
    root = Path(output_dir)
    given = date_override(date, settings.day_first)
    max_bytes = settings.max_doc_mb * 1_000_000
    planned = {n: plan([item], max_bytes) for n, item in enumerate(inputs) if str(item) != "-"}
    dataset.create(root)
    with dataset.writing(root):
        piped: list[Input] = []
        if len(planned) < len(inputs):
            read = plan([saved_stdin(root, stdin or sys.stdin)], max_bytes)
            piped = [replace(item, name="<stdin>") for item in read]
        todo = [item for n in range(len(inputs)) for item in planned.get(n, piped)]
        return write(root, todo, settings, engine, scheduler, progress, part_documents,
                     given)


def saved_stdin(root: Path, stream: IO[Any]) -> Path:
    """Standard input saved in the dataset folder, named by the hash of its bytes: a
    re-run given the same lines finds them done and skips them, as it skips a file."""
    folder = root / "_stdin"
    folder.mkdir(exist_ok=True)
    incoming = folder / f".incoming-{os.getpid()}.tmp"
    digest = hashlib.sha256()
    source = getattr(stream, "buffer", stream)
    with incoming.open("wb") as handle:
        while chunk := source.read(1 << 20):
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            digest.update(data)
            handle.write(data)
    saved = folder / f"{digest.hexdigest()[:16]}.jsonl"
    os.replace(incoming, saved)
    return saved


def write(root: Path, planned: list[Input], settings: Settings, engine: Engine,
          scheduler: str | None, progress: Progress | None, part_documents: int,
          date: DatedAs | None = None) -> RunReport:
    """Code the planned inputs the dataset at `root` has not done, into new parts."""
    finished = dataset.prepare(root)
    done = {key for part in finished for key in part.inputs}
    todo = [item for item in planned if item.key not in done]
    report = RunReport(str(root), engine, settings.worker_count,
                       skipped=len(planned) - len(todo))
    if not todo:
        return report
    with open_dataset(root) as written:
        dedup = Deduplicator.load(written)
    writer = PartWriter(root, dataset.doc_ids(root, finished), part_documents, report, dedup)
    stage = Stage(settings, events=True)
    with executor(engine, settings.worker_count, scheduler) as (submit, window):
        try:
            for group, result in in_order(lambda g: submit(code_task, stage, g, date),
                                          tasks(todo), window):
                if isinstance(result, DetenteError):
                    raise result  # a missing model or a bad setting fails every task alike
                if isinstance(result, BaseException):
                    report.retry.extend(stopped(item.path, result) for item in group)
                    continue
                writer.add(group, result)
                if progress:
                    progress(report.documents, report.sentences)
        finally:
            writer.flush()  # what was coded before an interrupt is kept
    return report


class PartWriter:
    """Takes finished tasks in input order and writes them as parts of about
    `part_documents` documents, leaving out documents the dataset already holds, with
    near duplicates linked and events clustered (`engine.dedup`)."""

    def __init__(self, root: Path, written: set[str], part_documents: int,
                 report: RunReport, dedup: Deduplicator) -> None:
        self.root = root
        self.dedup = dedup
        self.written = written
        self.part_documents = part_documents
        self.report = report
        self.pending: list[tuple[tuple[Input, ...], dict[str, pa.Table]]] = []
        self.documents = 0

    def add(self, group: tuple[Input, ...], result: TaskResult) -> None:
        tables = result.tables
        ids = tables["documents"].column("doc_id").to_pylist()
        new = [doc_id for doc_id in ids if doc_id not in self.written]
        if len(new) < len(ids):
            keep = pa.array(new, pa.string())
            tables = {folder: table.filter(pc.is_in(table["doc_id"], value_set=keep))
                      if "doc_id" in table.column_names and folder != "ingest_errors"
                      else table for folder, table in tables.items()}
        self.written.update(new)
        tables, copies = deduplicated(tables, self.dedup)
        self.pending.append((group, tables))
        self.documents += len(new)
        report = self.report
        report.inputs += len(group)
        report.documents += len(new)
        report.copies += copies
        report.present += len(ids) - len(new) + result.repeated
        report.sentences += tables["sentences"].num_rows
        report.events += tables["events"].num_rows
        report.failures.extend(result.failures)
        if self.documents >= self.part_documents:
            self.flush()

    def flush(self) -> None:
        """Write the pending tasks as one part (named by the inputs it holds)."""
        if not self.pending:
            return
        inputs = [item.key for group, _ in self.pending for item in group]
        tables = {folder: pa.concat_tables([found[folder] for _, found in self.pending])
                  for folder in DATASET_TABLES}
        dataset.write_part(self.root, key_of("|".join(inputs)), tables, inputs)
        self.report.parts += 1
        self.pending, self.documents = [], 0


@contextmanager
def executor(engine: Engine, workers: int, scheduler: str | None
             ) -> Iterator[tuple[Submit, int]]:
    """A function that submits a task and returns its future, and how many tasks to keep
    in flight: the dask cluster's, a local process pool's, or (one local worker) this
    process's, running each task as it is submitted."""
    if engine == "dask":
        with dask_client(workers, scheduler) as client:
            threads = sum(client.nthreads().values()) or workers
            yield (lambda fn, *args: client.submit(fn, *args, pure=False)), 2 * threads
    elif workers == 1:
        yield here, 1
    else:
        with WorkerPool(workers) as pool:
            yield pool.submit, 2 * workers


def here(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    """Run a task in this process, as a finished future."""
    future: Future[Any] = Future()
    try:
        future.set_result(fn(*args))
    except Exception as exc:  # noqa: BLE001 - handed back through the future, as a pool does
        future.set_exception(exc)
    return future


@contextmanager
def dask_client(workers: int, scheduler: str | None) -> Iterator[Any]:
    """A dask.distributed client: of the scheduler at `scheduler`, or of a LocalCluster of
    `workers` single-threaded worker processes (each with its share of the memory)."""
    from distributed import Client

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"scheduler: cannot reach the dask scheduler at {scheduler}: "
                              f"{exc}",
                              hint="Start one (`dask scheduler`) with workers (`dask worker "
                                   "ADDRESS --nthreads 1`), or leave the scheduler out to "
                                   "run a local cluster.", input="scheduler") from exc
        with client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client


# A LocalCluster worker's settings. dask's diagnostics, off or slowed: a task holds the GIL
# for seconds of parsing, and the statistical profiler (every 10 ms), the event loop's
# health check (every 20 ms) and the memory monitor (every 100 ms) each take it back from
# the task's thread. On 1,200 Reuters stories (--fast, 2 workers) they cost 12-15% of the
# run's CPU time. And glibc's own heap trimming, which dask's nanny replaces with
# MALLOC_TRIM_THRESHOLD_=64 KiB: a worker then hands freed pages back and faults them in
# again for every batch (1,200 stories with the learned extractor: 77-81 CPU-s with it,
# 65-72 without, a local pool 67-75; docs/scale.md).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.tick.interval": "1s",
                 "distributed.admin.system-monitor.gil.enabled": False,
                 "distributed.worker.memory.monitor-interval": "1s",
                 "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


@contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A dask LocalCluster of `workers` single-threaded worker processes, each with its
    share of the memory, dask's diagnostics quiet and glibc's own heap trimming
    (WORKER_CONFIG)."""
    import dask
    from distributed import LocalCluster

    with (dask.config.set(WORKER_CONFIG),
          LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                       dashboard_address=None, silence_logs=logging.ERROR) as cluster):
        yield cluster
