"""The `detente` command line: thin commands over the library functions.

| module | commands |
|---|---|
| `main` | the app; ingest, docs, doc, errors, events, code, demo |
| `common` | options, error printing and output formats, declared once |
| `actors` | actors resolve, list, import; eval actors |
| `analysis` | timeline, key-events, network, export |
| `serve` | serve |
| `run` | run, load (the scale engine) |
| `train` | train, classify, eval gsr, docs, corpus, plv |

Imports go one way: `main` imports the command modules, which import `common`, which
imports none of them. `detente.cli.app` is `main.app`, loaded on first use.
"""

# ruff: noqa: TC004 - the names load on first use (detente.lazy); these imports are for
# type checkers only, while `__all__` lists them for readers and linters.
from __future__ import annotations

from typing import TYPE_CHECKING

from detente.lazy import exports

__all__ = ["app"]

exports(__name__, {"detente.cli.main": ("app",)})

if TYPE_CHECKING:
    from detente.cli.main import app
