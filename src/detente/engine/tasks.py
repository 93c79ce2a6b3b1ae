"""One task, run on a worker: read a few inputs, prepare, parse and code their documents,
and return their rows as Arrow tables, ready to be written.

A worker process loads spaCy and the coder on its first task and keeps them (the
`Stage`'s cache); a worker with several threads codes one task at a time, since spaCy
and the coder are not shared between threads.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from detente.engine.inputs import Input
from detente.engine.tables import coded_tables
from detente.ingest.parallel import Stage
from detente.ingest.pipeline import Coded, Failure, failure_of, prepared, process
from detente.ingest.prepare import DatedAs
from detente.ingest.readers import unexpected
from detente.records import Document

ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class TaskResult:
    """What a task found: the tables of its documents and failures (`ingest_errors`),
    the failures, and how many documents repeated one earlier in the task."""

    tables: dict[str, pa.Table]
    failures: tuple[Failure, ...]
    repeated: int


def code_task(stage: Stage, inputs: Sequence[Input], date: DatedAs | None = None
              ) -> TaskResult:
    """Read, prepare, parse and code the documents of `inputs` (each document once),
    with the publication `date` given for all, when there is one (ingest's `date`)."""
    settings = stage.settings
    max_bytes = settings.max_doc_mb * 1_000_000
    with ONE_AT_A_TIME:
        raws = (raw for item in inputs for raw in item.raw_documents(max_bytes))
        docs: dict[str, Document] = {}
        failures: list[Failure] = []
        repeated = 0
        for item in prepared(raws, date, day_first=settings.day_first):
            if isinstance(item, Failure):
                failures.append(item)
            elif item.doc_id in docs:
                repeated += 1
            else:
                docs[item.doc_id] = item
        coded: list[Coded] = []
        for result in process(docs.values(), stage.coder(), settings.batch_size):
            if isinstance(result, Failure):
                failures.append(result)
            else:
                coded.append(result)
        tables = writable_tables(coded, failures)
    return TaskResult(tables, tuple(failures), repeated)


def writable_tables(coded: list[Coded], failures: list[Failure]) -> dict[str, pa.Table]:
    """The task's tables; a document whose rows Arrow refuses becomes a failure of its
    own ("could not be stored", as ingest records it), never the task's."""
    now = dt.datetime.now()
    try:
        return coded_tables(coded, failures, now)
    except (pa.ArrowException, ValueError, TypeError):
        pass
    kept = []
    for item in coded:
        try:
            coded_tables([item], [], now)
        except (pa.ArrowException, ValueError, TypeError) as exc:
            failures.append(failure_of(unexpected(exc, item.doc.path, "could not be stored"),
                                       item.doc.path))
        else:
            kept.append(item)
    return coded_tables(kept, failures, now)
