"""How the server reaches its database: open only while requests need it.

A server that held its DuckDB file for its whole life would lock out every other reader,
a notebook included (DuckDB lets several processes read a file, or one write it). So
`OnDemand` opens the file when a request arrives and closes it when the last request in
flight is answered: read-only for reads, read-write for an upload. Requests that overlap
share one connection, each through its own cursor (DuckDB answers them side by side,
each in its own snapshot), so a busy server opens the file once, not once per request.

An upload waits for the reads in flight on a read-only connection to finish, then opens
the file for writing; reads that arrive meanwhile use the upload's connection. Another
process holding the file for writing makes a request fail with StoreLockedError (409).

`Shared` serves a store the caller opened and keeps (tests, benchmarks), as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Protocol

from detente.errors import StoreLockedError
from detente.store import Store, open_store, reading


class Access(Protocol):
    """Where the routes get a store: `reading()` for reads, `writing()` for an upload."""

    @property
    def path(self) -> str: ...

    def reading(self) -> AbstractContextManager[Store]: ...

    def writing(self) -> AbstractContextManager[Store]: ...


class Shared:
    """A store the caller opened: reads get cursors of it, uploads write through it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def path(self) -> str:
        return self.store.path

    def reading(self) -> AbstractContextManager[Store]:
        return reading(self.store)

    @contextmanager
    def writing(self) -> Iterator[Store]:
        yield self.store


class OnDemand:
    """The database file at `path`, opened while requests are in flight (module docstring).

    >>> access = OnDemand("detente.duckdb")  # doctest: +SKIP
    >>> with access.reading() as store:  # doctest: +SKIP
    ...     store.count("events")
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._changed = threading.Condition()
        self._open: ExitStack | None = None
        self._store: Store | None = None
        self._writable = False
        self._users = 0
        self._writers_waiting = 0

    @property
    def path(self) -> str:
        return self._path

    @property
    def is_open(self) -> bool:
        """Whether the file is open now (a request is in flight)."""
        return self._store is not None

    @contextmanager
    def reading(self) -> Iterator[Store]:
        with self._changed:
            # A waiting upload goes first, so a stream of reads cannot hold it off.
            while self._writers_waiting and self._store is not None and not self._writable:
                self._changed.wait()
            store = self._acquire(writable=False)
            cursor = store.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            self._release()

    @contextmanager
    def writing(self) -> Iterator[Store]:
        with self._changed:
            self._writers_waiting += 1
            try:
                while self._store is not None and not self._writable:
                    self._changed.wait()
                store = self._acquire(writable=True)
            finally:
                self._writers_waiting -= 1
        try:
            yield store
        finally:
            self._release()

    def _acquire(self, writable: bool) -> Store:
        """The open store, opened now if none is (the caller holds the condition)."""
        if self._store is None:
            stack = ExitStack()
            # Opened under the condition: the requests that wait for it share it after.
            try:
                self._store = stack.enter_context(open_store(self._path,
                                                             read_only=not writable))
            except StoreLockedError as exc:
                raise busy(self._path, writable) from exc
            self._open, self._writable = stack, writable
        self._users += 1
        return self._store

    def _release(self) -> None:
        with self._changed:
            self._users -= 1
            if self._users == 0 and self._open is not None:
                self._open.close()
                self._open, self._store, self._writable = None, None, False
                self._changed.notify_all()


def busy(path: str, writable: bool) -> StoreLockedError:
    """The server's answer when another process holds its database file."""
    if writable:
        return StoreLockedError(
            f"the database {path} is open in another process, so the upload cannot be "
            "stored now",
            hint="Close the other connection (a notebook's duckdb.connect(..., "
                 "read_only=True) holds the file until closed) and upload again.")
    return StoreLockedError(
        f"the database {path} is held for writing by another process",
        hint="Try again when it is done; read-only connections never block the server.")
