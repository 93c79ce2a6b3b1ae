"""Well-known events a text may name without dating them ("after Iraq's invasion of
Kuwait"): the bundled table `data/known_events.csv`, extended by the user's files
(`--known-events`). Event dating and publication-date inference both read it."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from detente.date_input import parse_date
from detente.errors import InputError

__all__ = ["KnownEvent", "load_known_events"]


@dataclass(frozen=True)
class KnownEvent:
    """A well-known event a text may name without dating it ("B's annexation of C")."""

    name: str
    date: str
    source: str
    target: str
    plover: str
    pattern: re.Pattern[str]

    def matches(self, text: str, source: str, target: str, plover: str) -> bool:
        return all(want in ("", got) for want, got in
                   ((self.source, source), (self.target, target), (self.plover, plover))) \
            and self.pattern.search(text) is not None


def _read_known(text: str, where: str) -> list[KnownEvent]:
    events = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            date, _precision = parse_date(row["date"])
            events.append(KnownEvent(row["name"], date, row.get("source") or "",
                                     row.get("target") or "", row.get("plover") or "",
                                     re.compile(row["pattern"], re.IGNORECASE)))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise InputError(f"{where}, line {line}: cannot read the known event ({exc})",
                             hint="Columns: name,date,source,target,plover,pattern; the date "
                                  "as YYYY, YYYY-MM or YYYY-MM-DD and the pattern a regular "
                                  "expression.") from exc
    return events


@lru_cache(maxsize=8)
def load_known_events(extra: tuple[Path, ...] = ()) -> tuple[KnownEvent, ...]:
    """The bundled table of known events, then the user's files (later rows win)."""
    bundled = files("detente").joinpath("data", "known_events.csv").read_text(encoding="utf-8")
    events = _read_known(bundled, "known_events.csv")
    for path in extra:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"known_events: cannot read the known events file {path}: "
                             f"{exc.strerror}", hint="Check the path.",
                             input="known_events") from exc
        events = _read_known(text, str(path)) + events
    return tuple(events)
