"""User words → typed filters: the one door through which every surface asks a question.

The library, the exports, the CLI and the HTTP routes all read what a user typed here, so
the same words give the same answer, or the same error, everywhere:

- actors as codes ("JPN", "g7") or names ("Japan", "the Group of Seven"), names read by
  the actor resolver built from the settings (so the user's actor files count);
- dates of any form and precision `date_input` reads: "2014" stands for its first day
  as `since` and its last as `until`;
- PLOVER types, older names included (DEMAND is REQUEST), and timeline periods.

An error names the parameter it is about, as the library and the HTTP API call it
("since: 'yesterday' is not a date"), and carries that name in `input`; the CLI writes
its flag (`--since`) in its place. A message never names a flag itself.

>>> from detente.settings import Settings
>>> plover_type("demand"), period("quarter")
('REQUEST', 'quarter')
>>> date_range("2014", "2014-03", Settings())
(datetime.date(2014, 1, 1), datetime.date(2014, 3, 31))
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from detente.date_input import read_day
from detente.dates import PERIODS, Period
from detente.errors import DetenteError, InputError, UnknownActorError
from detente.settings import Settings, load_settings

if TYPE_CHECKING:
    from detente.actors import ActorResolver
    from detente.store import EventFilter, Store

E = TypeVar("E", bound=DetenteError)

# Codes for actors that belong to no one country (EVENTS.md §3).
INTERNATIONAL_CODES = frozenset(
    {"G7", "G20", "EU", "NATO", "UN", "APEC", "ASEAN", "OSCE", "SCO", "BRICS", "IMF", "WB",
     "WST", "EUR", "IGO"})

ACTOR_FORMS = ("use an ISO 3166 alpha-3 code such as JPN, an international code such as G7, "
               "or a country name such as Japan")

# The actors package ships the ISO 3166 table; queries only read it.
COUNTRIES_CSV = Path(__file__).resolve().parent / "actors" / "data" / "countries.csv"


def about(error: E, *params: str) -> E:
    """`error`, marked as being about these parameters (see the module docstring)."""
    error.input = ",".join(params)
    return error


def given(settings: Settings | None) -> Settings:
    """The settings a library call runs with: the caller's, else those `load_settings`
    merges (defaults, config file, DETENTE_* variables)."""
    return settings if settings is not None else load_settings()


def resolver(settings: Settings) -> ActorResolver:
    """The actor resolver for these settings: the shipped registry and `settings.actors`.
    Cheap after the first: the registry is cached per list of actor files."""
    from detente.actors import ActorResolver

    return ActorResolver(extra_files=settings.actors)


# -- actors ------------------------------------------------------------------------------

@cache
def _country_table() -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """ISO alpha-3 codes, and (lower-cased name or alias, code) pairs, from countries.csv.
    Cached: the file is package data and never changes while detente runs."""
    codes: set[str] = set()
    names: list[tuple[str, str]] = []
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip().upper()
            codes.add(code)
            for name in [row["name"], *(row["aliases"] or "").split("|")]:
                if name.strip():
                    names.append((name.strip().casefold(), code))
    return frozenset(codes), tuple(names)


def _stored_codes(store: Store) -> set[str]:
    rows = store.con.execute(
        "SELECT DISTINCT source_code FROM events UNION SELECT DISTINCT target_code FROM events"
    ).fetchall()
    return {r[0] for r in rows if r[0]}


def _named(text: str, settings: Settings, date: dt.date | None) -> str | None:
    """The code of a country or organisation name: the actor resolver's reading, else
    the country table's names and aliases."""
    code = resolver(settings).resolve(text, date=date).code
    if code:
        return code.upper()
    wanted = text.casefold()
    wanted_forms = {wanted, wanted.removeprefix("the ")}
    for name, country in _country_table()[1]:
        if name in wanted_forms:
            return country
    return None


def actor(value: str | None, name: str, store: Store, settings: Settings,
          date: dt.date | None = None) -> str | None:
    """The stored code for the actor a user typed as parameter `name`, a code or a name;
    None when nothing was typed. UnknownActorError when it names no actor.

    >>> with open_store(":memory:") as store:  # doctest: +SKIP
    ...     actor("Japan", "source", store, Settings()), actor("g7", "b", store, Settings())
    ('JPN', 'G7')
    """
    raw = (value or "").strip()
    if not raw:
        return None
    upper = raw.upper()
    if upper in INTERNATIONAL_CODES:
        return upper
    if re.fullmatch(r"[A-Za-z]{3}", raw) and (upper in _country_table()[0]
                                              or upper in _stored_codes(store)):
        return upper
    code = _named(raw, settings, date)
    if code:
        return code
    raise about(UnknownActorError(
        f"{name}: unknown country or actor {value!r}: {ACTOR_FORMS}",
        hint="International codes: " + " ".join(sorted(INTERNATIONAL_CODES))
             + "; the network of the stored events lists the codes in the store."), name)


def dyad(a: str, b: str, store: Store, settings: Settings) -> tuple[str, str]:
    """Both actors of a dyad (parameters `a` and `b`) as stored codes; the same actor
    twice is an error."""
    code_a, code_b = actor(a, "a", store, settings), actor(b, "b", store, settings)
    if code_a is None or code_b is None:
        missing = "a" if code_a is None else "b"
        raise about(InputError(f"{missing}: a dyad needs two actors",
                               hint="Name two actors, such as JPN and RUS."), missing)
    if code_a == code_b:
        raise about(InputError(f"a dyad needs two different actors, got {code_a} twice",
                               hint="Name two actors, such as JPN and RUS."), "a", "b")
    return code_a, code_b


# -- event types and periods -------------------------------------------------------------

def plover_type(value: str | None, name: str = "type") -> str | None:
    """A PLOVER type as its current name (older names such as DEMAND are mapped); None
    when nothing was typed. InputError for a name PLOVER does not have."""
    if value is None or not value.strip():
        return None
    from detente.coding.ontology import OLD_NAMES, PLOVER_TYPES, normalise_type

    current = normalise_type(value)
    if current not in PLOVER_TYPES:
        older = ", ".join(f"{old} ({new})" for old, new in OLD_NAMES.items())
        raise about(InputError(
            f"{name}: unknown event type {value!r}",
            hint=f"Use a PLOVER type: {', '.join(PLOVER_TYPES)}; older names are read as "
                 f"current ones: {older}."), name)
    return current


def period(by: str, name: str = "by") -> Period:
    """A timeline period: month, quarter or year."""
    for known in PERIODS:
        if by == known:
            return known
    raise about(InputError(f"{name}: unknown period {by!r}",
                           hint=f"Use {', '.join(PERIODS[:-1])} or {PERIODS[-1]}."), name)


def at_least_one(value: int, name: str) -> int:
    """A count the user asked for (`top`), which must be 1 or more."""
    if value < 1:
        raise about(InputError(f"{name}: must be at least 1, got {value}",
                               hint="Ask for 1 or more, such as 10."), name)
    return value


# -- dates ---------------------------------------------------------------------------------

def day(value: str | dt.date | None, name: str, settings: Settings,
        end: bool = False) -> dt.date | None:
    """A date or period as a day: its first day, or with `end` its last ("2014" as
    `until` runs through 2014-12-31); None when nothing was given. BadDateError naming
    `name` and the accepted forms when it cannot be read."""
    if value is None or isinstance(value, dt.date):
        return value
    if not value.strip():
        return None
    return read_day(value, name, end=end, day_first=settings.day_first)


def date_range(since: str | dt.date | None, until: str | dt.date | None,
               settings: Settings) -> tuple[dt.date | None, dt.date | None]:
    """`since` as its first day and `until` as its last; a reversed range is an error."""
    first, last = day(since, "since", settings), day(until, "until", settings, end=True)
    if first and last and first > last:
        raise about(InputError(f"since {first} is after until {last}",
                               hint="Swap the two dates."), "since", "until")
    return first, last


# -- event filters -------------------------------------------------------------------------

def event_filter(store: Store, settings: Settings, *, source: str | None = None,
                 target: str | None = None, type: str | None = None,
                 since: str | dt.date | None = None, until: str | dt.date | None = None,
                 doc_id: str | None = None, raw: bool = False) -> EventFilter:
    """The filters of `detente events`, `export` and `GET /api/events`, from what the
    user typed: actor codes or names, a PLOVER type, partial dates; and the view: one
    canonical event per happening, or with `raw` every report of it (see `view`)."""
    from detente.store import EventFilter

    first, last = date_range(since, until, settings)
    return EventFilter(source=actor(source, "source", store, settings),
                       target=actor(target, "target", store, settings),
                       plover=plover_type(type), since=first, until=last,
                       doc_id=doc_id or None, raw=view(raw))


def view(raw: bool) -> bool:
    """The `raw` switch every surface shares (library keyword `raw`, CLI `--raw`, HTTP
    `raw=true`): False, the default, reads canonical events, one per happening however
    many articles report it (`canonical_events`); True reads every report (`events`), as
    detente did before deduplication.

    >>> view(False), view(True)
    (False, True)
    """
    if not isinstance(raw, bool):
        raise about(InputError(f"raw: expected true or false, got {raw!r}",
                               hint="Leave it out for canonical events, or set it to true "
                                    "for every report."), "raw")
    return raw
