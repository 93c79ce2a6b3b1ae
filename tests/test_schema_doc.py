"""docs/schema.md names every table, view and column of a fresh store, with its type."""

from __future__ import annotations

import re
from pathlib import Path

from detente.store import SCHEMA_VERSION, open_store

SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def documented() -> dict[str, dict[str, str]]:
    """Each `### name` section's table rows: column → type as the page writes them."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in SCHEMA_DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### `(\w+)`", line)
        if heading:
            current = sections.setdefault(heading.group(1), {})
        elif current is not None and (row := re.match(r"\| `(\w+)` \| (\w+)", line)):
            current[row.group(1)] = row.group(2)
    return sections


def test_the_schema_page_describes_every_table_view_and_column() -> None:
    pages = documented()
    with open_store(":memory:") as store:
        names = [r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name").fetchall()]
        assert set(pages) == set(names)
        for name in names:
            columns = {r[0]: r[1] for r in store.con.execute(f"DESCRIBE {name}").fetchall()}
            page = pages[name]
            if name in {"events_with_documents", "canonical_events"}:
                page = {**pages["events"], **page}  # "every column of events", then these
            assert page == columns, name


def test_the_schema_page_lists_every_migration() -> None:
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    listed = re.findall(r"^\| (\d+) \| ", text, flags=re.MULTILINE)
    assert [int(v) for v in listed] == list(range(1, SCHEMA_VERSION + 1))
