"""Parsing and coding on every core: documents go in batches to worker processes, each of
which loads spaCy and the coder once and codes its batches with `pipeline.process`.

A pool starts only for inputs of POOL_FROM_BATCHES batches or more: a worker costs
seconds to start (importing spaCy, loading the models), more than a small ingest takes.
Results come back in input order with at most two batches per worker in flight, so memory
stays bounded however many documents stream through. A worker that dies (killed, out of
memory) fails the documents of the batches in flight, each recorded against its input,
and a fresh pool takes the rest. `CodingPool` keeps one worker from call to call, for the
HTTP server's uploads.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import chain, islice
from types import TracebackType
from typing import Any, Self, TypeVar

from detente.coding.protocol import DocumentCoder
from detente.errors import UnexpectedInputError
from detente.ingest.pipeline import Coded, Failure, process, windows
from detente.records import Document
from detente.settings import Settings

# Inputs of fewer batches are coded in this process: 4 batches of 64 news stories take
# ~10 s on one core, a worker ~4 s to start.
POOL_FROM_BATCHES = 4

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Stage:
    """What a worker process needs to rebuild the parse-and-code stage: the settings, and
    whether events are coded (else sentences only are split)."""

    settings: Settings
    events: bool
    by_window: bool = False

    def coder(self) -> DocumentCoder | None:
        """The coder these settings name, loaded once per process."""
        return stage_coder(self.settings) if self.events else None


@lru_cache(maxsize=2)
def stage_coder(settings: Settings) -> DocumentCoder:
    from detente.coding import load_coder

    return load_coder(settings)


def code_batch(stage: Stage, docs: list[Document]) -> list[Coded | Failure]:
    """Parse and code one batch of documents (run in a worker process)."""
    work = windows if stage.by_window else process
    return list(work(docs, stage.coder(), stage.settings.batch_size))


def process_all(docs: Iterable[Document], coder: DocumentCoder | None,
                settings: Settings, by_window: bool = False, pool: CodingPool | None = None
                ) -> Iterator[Coded | Failure]:
    """`process` on `settings.worker_count` processes: one Coded or Failure per document,
    in input order (with `by_window`, `pipeline.windows`: a long document window by
    window). Up to POOL_FROM_BATCHES batches are read ahead: an input that ends within
    them is coded here with `coder`; a longer one in worker processes, each loading the
    coder `settings` name (`coding.load_coder`), so `coder` must be that one, or `workers`
    1 (which codes everything here, reading nothing ahead). With `pool`, every batch is
    coded in its worker instead, and `coder` is not used.

    >>> settings = load_settings({"workers": "auto"})  # doctest: +SKIP
    >>> [c.doc.doc_id for c in process_all(docs, load_coder(settings), settings)]  # doctest: +SKIP
    """
    workers = settings.worker_count
    batches = chunks(docs, settings.batch_size)
    if pool is not None:
        yield from pool.code(batches, by_window)
        return
    head = list(islice(batches, POOL_FROM_BATCHES)) if workers > 1 else []
    if len(head) < POOL_FROM_BATCHES:
        rest = (doc for batch in chain(head, batches) for doc in batch)
        yield from (windows if by_window else process)(rest, coder, settings.batch_size)
        return
    stage = Stage(settings, events=coder is not None, by_window=by_window)
    with WorkerPool(workers) as workers_pool:
        yield from coded_in(workers_pool, stage, chain(head, batches), window=2 * workers)


def coded_in(pool: WorkerPool, stage: Stage, batches: Iterable[list[Document]], window: int
             ) -> Iterator[Coded | Failure]:
    """The batches coded in `pool`, in order; a batch whose worker stopped fails each of
    its documents."""
    for batch, result in in_order(lambda b: pool.submit(code_batch, stage, b), batches,
                                  window=window):
        if isinstance(result, BaseException):
            yield from (stopped(doc.path, result) for doc in batch)
        else:
            yield from result


def chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Consecutive lists of at most `size` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def stopped(name: str, exc: BaseException) -> Failure:
    """The failure of an input whose worker stopped before coding it."""
    message = (f"{name}: could not be coded: the worker process stopped "
               f"({type(exc).__name__}: {str(exc)[:200] or 'no message'})")
    return Failure(input=name, code=UnexpectedInputError.code, message=message,
                   hint="Run the command again to retry it (what was stored is skipped); "
                        "if it stops again, the input may need more memory than a worker "
                        "has: try fewer workers.")


def in_order(submit: Callable[[Item], Future[Result]], items: Iterable[Item], window: int
             ) -> Iterator[tuple[Item, Result | BaseException]]:
    """Each item with its task's result, or the exception the task raised, in input order,
    with at most `window` tasks submitted and not yet returned. `submit` may return a
    concurrent.futures or a dask.distributed future: both have `result()`."""
    pending: deque[tuple[Item, Future[Result]]] = deque()

    def settled() -> tuple[Item, Result | BaseException]:
        item, future = pending.popleft()
        try:
            return item, future.result()
        except Exception as exc:  # noqa: BLE001 - the task's failure, returned to be recorded against its inputs
            return item, exc

    for item in items:
        pending.append((item, submit(item)))
        if len(pending) >= window:
            yield settled()
    while pending:
        yield settled()


class WorkerPool:
    """Worker processes started fresh ("spawn": no model or thread state is inherited),
    each running `initializer` first; a pool broken by a dying worker is replaced on the
    next submission."""

    def __init__(self, workers: int, initializer: Callable[[], object] | None = None) -> None:
        self.workers = workers
        self.initializer = initializer
        self.executor = self.start()

    def start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=self.initializer)

    def submit(self, fn: Callable[..., Result], *args: Any) -> Future[Result]:
        try:
            return self.executor.submit(fn, *args)
        except BrokenProcessPool:
            self.restart()
            return self.executor.submit(fn, *args)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.executor.shutdown(wait=exc is None, cancel_futures=True)


class CodingPool:
    """One worker process, kept from call to call, that parses and codes for a process
    that must stay responsive (the HTTP server's uploads): its models load there once,
    its CPU time runs at a lower priority (`niceness`), it never holds this process's
    GIL, and a parser that crashes takes down the worker, not the server (the documents
    in flight fail, recorded; the next call starts a fresh worker).

    >>> with CodingPool(load_settings()) as pool:  # doctest: +SKIP
    ...     ingest(paths, settings, pool=pool)
    """

    def __init__(self, settings: Settings, niceness: int = 10) -> None:
        self.settings = settings
        # Below this process as it is now: the worker starts from the thread that first
        # submits, which may already run lower (the server's ingest thread).
        own = os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else 0
        self.workers = WorkerPool(1, initializer=partial(run_at, min(own + niceness, 19)))

    def coder_name(self) -> str | None:
        """The name of the coder the worker loads (loading it), or None when none is
        installed (documents are then stored with their sentences only). A worker that
        died since the last call is replaced."""
        try:
            return self.workers.submit(coder_name, self.settings).result()
        except BrokenProcessPool:
            self.workers.restart()
            return self.workers.submit(coder_name, self.settings).result()

    def code(self, batches: Iterable[list[Document]], by_window: bool
             ) -> Iterator[Coded | Failure]:
        stage = Stage(self.settings, events=self.coder_name() is not None, by_window=by_window)
        yield from coded_in(self.workers, stage, batches, window=2)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.workers.__exit__(kind, exc, trace)


def run_at(niceness: int) -> None:
    """Run this process (a worker, before its first task) at this nice value."""
    with suppress(OSError, AttributeError):  # AttributeError: no setpriority (Windows)
        os.setpriority(os.PRIO_PROCESS, 0, niceness)


def coder_name(settings: Settings) -> str | None:
    """The name of the coder `settings` name, loaded in this process; None if missing."""
    from detente.errors import ModelMissingError

    try:
        return stage_coder(settings).name
    except (ImportError, ModelMissingError):
        return None
