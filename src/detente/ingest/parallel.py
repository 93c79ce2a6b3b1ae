"""Parsing and coding on every core: documents go in batches to worker processes, each of
which loads spaCy and the coder once and codes its batches with `pipeline.process`.

A pool starts only for inputs of POOL_FROM_BATCHES batches or more: a worker costs
seconds to start (importing spaCy, loading the models), more than a small ingest takes.
Results come back in input order with at most two batches per worker in flight, so memory
stays bounded however many documents stream through. A worker that dies (killed, out of
memory) fails the documents of the batches in flight, each recorded against its input,
and a fresh pool takes the rest.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
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
                settings: Settings, by_window: bool = False) -> Iterator[Coded | Failure]:
    """`process` on `settings.worker_count` processes: one Coded or Failure per document,
    in input order (with `by_window`, `pipeline.windows`: a long document window by
    window). Up to POOL_FROM_BATCHES batches are read ahead: an input that ends
    within them is coded here with `coder`; a longer one in worker processes, each loading
    the coder `settings` name (`coding.load_coder`), so `coder` must be that one, or
    `workers` 1 (which codes everything here, reading nothing ahead).

    >>> settings = load_settings({"workers": "auto"})  # doctest: +SKIP
    >>> [c.doc.doc_id for c in process_all(docs, load_coder(settings), settings)]  # doctest: +SKIP
    """
    workers = settings.worker_count
    batches = chunks(docs, settings.batch_size)
    head = list(islice(batches, POOL_FROM_BATCHES)) if workers > 1 else []
    if len(head) < POOL_FROM_BATCHES:
        rest = (doc for batch in chain(head, batches) for doc in batch)
        yield from (windows if by_window else process)(rest, coder, settings.batch_size)
        return
    stage = Stage(settings, events=coder is not None, by_window=by_window)
    with WorkerPool(workers) as pool:
        for batch, result in in_order(lambda b: pool.submit(code_batch, stage, b),
                                      chain(head, batches), window=2 * workers):
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
    """Worker processes started fresh ("spawn": no model or thread state is inherited);
    a pool broken by a dying worker is replaced on the next submission."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor = self.start()

    def start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn: Callable[..., Result], *args: Any) -> Future[Result]:
        try:
            return self.executor.submit(fn, *args)
        except BrokenProcessPool:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self.start()
            return self.executor.submit(fn, *args)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.executor.shutdown(wait=exc is None, cancel_futures=True)
