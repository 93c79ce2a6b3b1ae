"""The public API is what detente/__init__.py re-exports; this list is the contract."""

from __future__ import annotations

import detente

EXPECTED = {
    "ActorRef", "DetenteError", "Document", "DocumentInfo", "Event", "EventFilter",
    "IngestReport", "InputError", "Location", "NotFoundError", "Sentence", "Settings",
    "StoreError", "__version__", "code", "docs", "events", "ingest", "load_settings",
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
