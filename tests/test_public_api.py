"""The public API is what detente/__init__.py re-exports; this list is the contract."""

from __future__ import annotations

import subprocess
import sys

import pytest

import detente

# What loads only when used: importing the package or the CLI loads none of these.
HEAVY = ("altair", "duckdb", "networkx", "onnxruntime", "polars", "spacy", "vl_convert")

EXPECTED = {
    "ActorRef", "DetenteError", "Document", "DocumentDetail", "DocumentInfo", "Event",
    "EventFilter", "DocumentList", "EventList",
    "IngestReport", "InputError", "Location", "NotFoundError", "Sentence", "Settings",
    "StoreError", "__version__", "code", "doc", "docs", "events", "ingest", "load_settings",
    "open_store", "DemoAnalysis", "ExportReport", "KeyEvent", "Network", "NetworkEdge",
    "NetworkNode", "Timeline", "TimelineRow", "UnknownActorError", "export", "key_events",
    "network", "timeline",
}


def test_exported_names():
    assert set(detente.__all__) == EXPECTED
    for name in detente.__all__:
        assert hasattr(detente, name), name


def test_public_functions_have_docstrings_and_types():
    import inspect

    for name in detente.__all__:
        value = getattr(detente, name)
        if inspect.isfunction(value):
            assert value.__doc__, f"{name} has no docstring"
            hints = inspect.get_annotations(value)
            assert "return" in hints, f"{name} has no return type"


def test_names_that_are_also_subpackages_stay_the_functions():
    import detente.export.gdelt
    import detente.ingest.readers

    assert detente.export.__module__ == "detente.export"
    assert detente.ingest.__module__ == "detente.library"
    assert callable(detente.export) and callable(detente.ingest)


@pytest.mark.parametrize("module", ["detente", "detente.cli.main"])
def test_importing_loads_no_model_database_or_plot_library(module):
    """`import detente` and `detente --help` stay quick: the heavy libraries load on use."""
    code = (f"import sys, {module}; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []
