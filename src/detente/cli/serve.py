"""`detente serve`: the HTTP API and dashboard over one database.

The command checks the port and opens the database itself before the server starts, so
a busy port or a locked or unreadable file is reported like any other CLI error, with
its hint and exit code. It then marks the database as served (`detente.served`) for as
long as it runs: the server opens the file only while it answers requests, so others
may read it meanwhile, but no other process may write it. `main` registers it.
"""

from __future__ import annotations

import errno
import socket
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from detente.cli.common import ConfigOption, DbOption, err, out, refuse, run, settings_from

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Seconds an idle keep-alive connection stays open. Longer than clients keep theirs
# (httpx: 5 s), so the client always closes first: a server that closes first can close
# a connection on which a request is already on its way, and that request is reset.
KEEP_ALIVE_S = 75


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, or None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def prepare(db: Path) -> None:
    """Create or migrate the database now, so that a locked or unreadable one is an error
    before the server starts."""
    from detente.store import open_store

    with open_store(db):
        pass


HostOption = Annotated[str, typer.Option("--host", help="Address to listen on; the API has no "
                                                        "login, so keep it on loopback.")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]


def serve_command(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    config: ConfigOption = None,
) -> None:
    """Serve the JSON API and the dashboard at http://HOST:PORT/ (Ctrl+C stops it).

    While it runs, add documents on the dashboard or by POST /api/documents, not ingest;
    reading the database (detente events, a notebook's read-only connection) works.
    """
    import uvicorn

    from detente.api import create_app
    from detente.served import serving

    settings = settings_from(config, db=db)
    problem = port_problem(host, port)
    if problem:
        refuse("port", problem, "Stop the other server, or choose another port, such as "
                                f"port {port + 1}.")
    with ExitStack() as stack:
        # Opened once (created, migrated, or refused when locked or served), then marked.
        run(lambda: prepare(settings.db))
        run(lambda: stack.enter_context(serving(settings.db)))
        # On loopback, only loopback host names are answered (no DNS rebinding).
        app = create_app(settings, allowed_hosts=LOOPBACK if host in LOOPBACK else None)
        shown = f"[{host}]" if ":" in host else host
        out.print(f"detente: serving {settings.db} at http://{shown}:{port}/ "
                  "(API under /api, Ctrl+C to stop)", highlight=False)
        if host not in LOOPBACK:
            err.print(f"[yellow]warning[/] listening on {host}: anyone who can reach this "
                      "address can read the database and upload documents.", highlight=False)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                    timeout_keep_alive=KEEP_ALIVE_S)
