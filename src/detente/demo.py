"""The bundled example: ingest `examples/japan-russia/` and summarise what was coded."""

from __future__ import annotations

from pathlib import Path

from detente.errors import NotFoundError


def example_dir() -> Path:
    """The example corpus: beside the source tree (a clone) or in the current folder."""
    candidates = [Path(__file__).resolve().parents[2] / "examples" / "japan-russia",
                  Path.cwd() / "examples" / "japan-russia"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise NotFoundError("the example corpus examples/japan-russia was not found",
                        hint="Run `detente demo` from a clone of the detente repository.")
