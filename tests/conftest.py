"""Shared fixtures, and the two lanes of the test run.

`pytest` runs the fast lane: unit, CLI and store tests. `pytest --slow` (what
`make test` and CI run) adds the tests marked `slow` (the spaCy model or a trained
model), `subprocess` (a process of their own: the installed CLI, a server) and
`browser` (Chromium). Marked tests are skipped, not hidden, without `--slow`, so the
summary says how much the fast lane left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SLOW_MARKERS = ("slow", "subprocess", "browser")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run the tests marked slow, subprocess or browser")


# tryfirst: the marks added here must be in place before `-m` selects tests.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # A test that loads the spaCy model through the fixture is slow wherever it is.
        if "nlp" in getattr(item, "fixturenames", ()):
            item.add_marker("slow")
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow lane: run with --slow (make test)")
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_MARKERS):
            item.add_marker(skip)


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test saying why (a user's clone has no ../shared)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} beside the checkout (CI has it)")
    return path


@pytest.fixture(scope="session")
def nlp():
    from detente.nlp import load_nlp

    return load_nlp()
