"""Which process serves a database: `detente serve` marks the file it serves, so that other
writers are refused while readers are welcome.

The server opens the DuckDB file only while it answers a request (read-only for reads),
so a notebook or `detente events` can read the file while the server runs. A writer in
another process, such as `detente ingest`, would take the file for minutes and leave the
server unable to answer, and a second server would clear the first one's uploads; so the
server holds an exclusive lock on `<db>.serve.lock` (holding its process id) for its
life, and `open_store` refuses to open the database for writing in any other process
while it is held. The lock goes with the process, however it ends.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from detente.errors import StoreLockedError


def lock_file(db: str | Path) -> Path:
    """The lock file a server of `db` holds: `<db>.serve.lock` beside it."""
    return Path(f"{db}.serve.lock")


def server_of(db: str | Path) -> int | None:
    """The process id of another process serving `db`, or None when none does (this
    process serving it counts as none: its own writes are the server's)."""
    path = lock_file(db)
    if not path.exists():
        return None
    with path.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = handle.read().strip()
            pid = int(text) if text.isdigit() else 0
            return None if pid == os.getpid() else pid
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def served_error(db: str | Path, pid: int) -> StoreLockedError:
    """Why `db` cannot be written while a server (process `pid`) serves it."""
    return StoreLockedError(
        f"db: the database {db} is in use by another process: `detente serve` (pid {pid}) "
        "is serving it",
        hint="Upload through the server (POST /api/documents, or the dashboard's Documents "
             "page), stop the server, or use another database file. Reading works meanwhile: "
             "detente events, detente.events(), duckdb.connect(FILE, read_only=True).",
        input="db")


def refuse_if_served(db: str | Path) -> None:
    """Raise StoreLockedError when another process serves `db`."""
    pid = server_of(db)
    if pid is not None:
        raise served_error(db, pid)


@contextmanager
def serving(db: str | Path) -> Iterator[None]:
    """Mark `db` as served by this process while the block runs; StoreLockedError when
    another process serves it already.

    >>> with serving("detente.duckdb"):  # doctest: +SKIP
    ...     uvicorn.run(app)
    """
    path = lock_file(db)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            raise served_error(db, int(text) if text.isdigit() else 0) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            # Removed while still held, so no other process can take a file being removed.
            path.unlink(missing_ok=True)
