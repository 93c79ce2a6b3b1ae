"""Reuters-21578 stories prepared with their own DATE field ("26-FEB-1987 15:01:01.79").

Reads ../shared/corpus/bulk/reuters21578 at test time (research-only data, never copied
here). Every story must come out with its own date, dirty fields included ("27-MAR-1987
08:45:34.42C G T M", an hour of 605). Measured: 19,811 prepared; 1,767 refused, none for
its date: 2 empty and the rest by the English check, all tables of figures (earnings,
prices, rates) with next to no lower-case prose; 1,730 of them are named as tables.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import shared_path

from detente.errors import DetenteError, EmptyDocumentError
from detente.ingest.prepare import prepare
from detente.ingest.readers import RawDoc

STORIES = 21_578
REFUSED_AT_MOST = 1_800  # measured 1,767
TABLES_AT_LEAST = 1_700  # measured 1,730 of them tables of figures
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass
class Outcome:
    stories: int = 0
    prepared: int = 0
    wrong: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    refused: list[tuple[dict[str, Any], DetenteError]] = field(default_factory=list)


def own_day(value: str) -> str:
    """The story's DATE field read independently of detente: "1-APR-1987 ..." → 1987-04-01."""
    day, month, year = re.match(r"\s*(\d{1,2})-([A-Z]{3})-(\d{4})", value).groups()
    return f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    path = shared_path("corpus", "bulk", "reuters21578", "reuters21578.jsonl")
    result = Outcome()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            story = json.loads(line)
            result.stories += 1
            raw = RawDoc(name=f"reuters:{story['newid']}", text=story.get("body") or "",
                         fmt="jsonl", meta={"title": story.get("title") or "",
                                            "date": story["date"]})
            try:
                doc = prepare(raw)
            except DetenteError as exc:
                result.refused.append((story, exc))
                continue
            result.prepared += 1
            found = doc.date.isoformat() if doc.date else ""
            if (found, doc.date_precision, doc.date_reason) != (own_day(story["date"]), "day",
                                                                 "metadata"):
                result.wrong.append((story["newid"], story["date"], found, doc.date_precision))
    return result


@pytest.mark.slow
def test_every_story_is_prepared_with_its_own_date(outcome: Outcome) -> None:
    assert outcome.stories == STORIES
    assert outcome.wrong == []
    codes = {exc.code for _story, exc in outcome.refused}
    assert codes <= {"E100", EmptyDocumentError.code}, codes  # never E103, a bad date
    kinds = Counter("empty" if isinstance(exc, EmptyDocumentError) else
                    "table" if "a table of figures, not prose" in exc.message else
                    "not English" if "not English" in exc.message else exc.message
                    for _story, exc in outcome.refused)
    assert set(kinds) <= {"empty", "table", "not English"}, kinds
    assert kinds["table"] >= TABLES_AT_LEAST, kinds  # earnings and rates tables are named
    assert len(outcome.refused) <= REFUSED_AT_MOST
    assert outcome.prepared + len(outcome.refused) == STORIES
