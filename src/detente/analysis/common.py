"""Shared parts of the analyses: actor codes from user input, periods, date arguments,
and which events are historical.

Users name actors as codes ("JPN", "G7") or names ("Japan"); every analysis turns
them into the codes stored in the `events` table with `resolve_actor`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

from detente.date_input import read_day
from detente.errors import InputError, UnknownActorError
from detente.store import Store

Period = Literal["month", "quarter", "year"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "year")

# Codes for actors that belong to no one country (EVENTS.md §3).
INTERNATIONAL_CODES = frozenset(
    {"G7", "G20", "EU", "NATO", "UN", "APEC", "ASEAN", "OSCE", "SCO", "BRICS", "IMF", "WB",
     "WST", "EUR", "IGO"})

ACTOR_FORMS = ("use an ISO 3166 alpha-3 code such as JPN, an international code such as G7, "
               "or a country name such as Japan")

# The actors package ships the ISO 3166 table; analyses only read it.
COUNTRIES_CSV = Path(__file__).resolve().parents[1] / "actors" / "data" / "countries.csv"

QUAD_NAMES = {1: "verbal_cooperation", 2: "material_cooperation", 3: "verbal_conflict",
              4: "material_conflict"}

# An event is historical when it is dated (date_start) more than HISTORY_YEARS years
# before the publication date of the document reporting it: "the 1956 declaration" in
# an article of 2018. EVENTS.md codes such events, but a timeline left to include them
# stretches over decades of empty periods, so timelines leave them out by default.
HISTORY_YEARS = 5


@cache
def _country_table() -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """ISO alpha-3 codes, and (lower-cased name or alias, code) pairs, from countries.csv.

    Cached: the file is package data and never changes while detente runs.
    """
    if not COUNTRIES_CSV.is_file():
        return frozenset(), ()
    codes: set[str] = set()
    names: list[tuple[str, str]] = []
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip().upper()
            if not code:
                continue
            codes.add(code)
            for name in [row.get("name") or "", *(row.get("aliases") or "").split("|")]:
                if name.strip():
                    names.append((name.strip().casefold(), code))
    return frozenset(codes), tuple(names)


def _stored_codes(store: Store) -> set[str]:
    rows = store.con.execute(
        "SELECT DISTINCT source_code FROM events UNION SELECT DISTINCT target_code FROM events"
    ).fetchall()
    return {r[0] for r in rows if r[0]}


@cache
def _actor_resolver() -> Any:
    """The actors package's resolver over the shipped registry, built once (0.3 s), or
    None when the package is not installed."""
    try:
        from detente.actors import ActorResolver
    except ImportError:
        return None
    return ActorResolver()


def _resolve_name(text: str, date: dt.date | None) -> str | None:
    """A country or organisation name → code, with the actors package when installed."""
    resolver = _actor_resolver()
    if resolver is not None:
        resolution = resolver.resolve(text, date=date)
        code = getattr(resolution, "code", None)
        if getattr(resolution, "resolved", bool(code)) and code:
            return str(code).upper()
    wanted = text.strip().casefold()
    wanted = {wanted, wanted.removeprefix("the ")}
    for name, code in _country_table()[1]:
        if name in wanted:
            return code
    return None


def resolve_actor(text: str, store: Store, date: dt.date | None = None) -> str:
    """The stored code for an actor typed by a user: a code or a name.

    >>> with open_store(":memory:") as s:  # doctest: +SKIP
    ...     resolve_actor("Japan", s), resolve_actor("g7", s)
    ('JPN', 'G7')
    """
    raw = (text or "").strip()
    upper = raw.upper()
    if upper in INTERNATIONAL_CODES:
        return upper
    if re.fullmatch(r"[A-Za-z]{3}", raw):
        iso_codes = _country_table()[0]
        if upper in iso_codes or upper in _stored_codes(store):
            return upper
        if not iso_codes and raw == upper:
            # Without the ISO table a typed upper-case code is taken as given.
            return upper
    if raw:
        code = _resolve_name(raw, date)
        if code:
            return code
    raise UnknownActorError(
        f"unknown country or actor {text!r}: {ACTOR_FORMS}",
        hint="International codes: " + " ".join(sorted(INTERNATIONAL_CODES))
             + "; `detente network` lists the codes in the store.")


def resolve_dyad(store: Store, a: str, b: str, command: str,
                 date: dt.date | None = None) -> tuple[str, str]:
    """Both actors of a dyad as stored codes; the same actor twice is an error."""
    code_a, code_b = resolve_actor(a, store, date), resolve_actor(b, store, date)
    if code_a == code_b:
        raise InputError(f"a dyad needs two different actors, got {code_a} twice",
                         hint=f"Name two actors, e.g. `detente {command} JPN RUS`.")
    return code_a, code_b


def dyad_clause(a: str, b: str, both_directions: bool, alias: str = ""
                ) -> tuple[str, list[Any]]:
    """SQL matching events A→B (and B→A with `both_directions`); `alias` like "e."."""
    one = f"({alias}source_code = ? AND {alias}target_code = ?)"
    if both_directions:
        return f"({one} OR {one})", [a, b, b, a]
    return one, [a, b]


def historical_sql(alias: str = "") -> str:
    """SQL that is true for a historical event (see HISTORY_YEARS): one dated more than
    HISTORY_YEARS years before its document's publication date. An event whose document
    has no date is never historical. `alias` is the events table's, like "e."; without
    one the columns are qualified as `events.`, so the subquery cannot capture them.

    >>> historical_sql("e.")  # doctest: +ELLIPSIS
    'EXISTS (SELECT 1 FROM documents hist_doc WHERE hist_doc.doc_id = e.doc_id AND ...)'
    """
    ref = alias or "events."
    return ("EXISTS (SELECT 1 FROM documents hist_doc WHERE hist_doc.doc_id = "
            f"{ref}doc_id AND {ref}date_start < hist_doc.date - INTERVAL {HISTORY_YEARS} YEAR)")


def dyad_where(a: str, b: str, both_directions: bool, since: dt.date | None,
               until: dt.date | None, alias: str = "", *, history: bool = True
               ) -> tuple[str, list[Any]]:
    """The WHERE clause of a dyad's analysable events: dated, not negated, in range;
    without `history`, not historical either."""
    clause, params = dyad_clause(a, b, both_directions, alias)
    clauses = [clause, f"NOT coalesce({alias}negated, FALSE)", f"{alias}date_start IS NOT NULL"]
    if not history:
        clauses.append(f"NOT {historical_sql(alias)}")
    if since:
        clauses.append(f"{alias}date_start >= ?")
        params.append(since)
    if until:
        clauses.append(f"{alias}date_start <= ?")
        params.append(until)
    return " AND ".join(clauses), params


def check_period(by: str) -> Period:
    if by not in PERIODS:
        raise InputError(f"unknown period {by!r}",
                         hint="Use --by month, --by quarter or --by year.")
    return by  # type: ignore[return-value]


def as_date(value: dt.date | str | None, name: str, end: bool = False) -> dt.date | None:
    """A date argument given as a date or a string of any form and precision. A partial
    date stands for its first day, or with `end` (for --until) its last day:
    "2014" → 2014-01-01, or 2014-12-31."""
    if value is None or isinstance(value, dt.date):
        return value
    return read_day(str(value), name, end=end)


def check_range(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise InputError(f"--since {since} is after --until {until}",
                         hint="Swap the two dates.")


def period_key(day: dt.date, by: Period) -> str:
    """'2014-03' (month), '2014-Q1' (quarter) or '2014' (year)."""
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if by == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def period_start(day: dt.date, by: Period) -> dt.date:
    if by == "month":
        return dt.date(day.year, day.month, 1)
    if by == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def next_period(start: dt.date, by: Period) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[by]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_starts(first: dt.date, last: dt.date, by: Period) -> list[dt.date]:
    """Every period from the one holding `first` to the one holding `last`, in order."""
    starts, current = [], period_start(first, by)
    while current <= last:
        starts.append(current)
        current = next_period(current, by)
    return starts


# A date is coarser than a period when the period cannot place it (a year-only date
# in a monthly series); such events sit in the period holding the date's first day.
COARSER = {"month": ("year",), "quarter": ("year",), "year": ()}


def range_text(since: dt.date | None, until: dt.date | None) -> str:
    if since and until:
        return f" from {since} to {until}"
    if since:
        return f" since {since}"
    if until:
        return f" until {until}"
    return ""


def plain(value: Any) -> Any:
    """JSON-ready: dates as ISO strings, tuples as lists."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
