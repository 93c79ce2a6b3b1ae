"""Actors: who does what to whom, as (code, sector, name) at a date.

>>> from detente.actors import ActorResolver
>>> ActorResolver().resolve("Russia's foreign ministry").code
'RUS'

The public API:
  * `ActorResolver(extra_files).resolve(text, date, context) -> Resolution`
  * `find_mentions(doc, date, resolver) -> list[Mention]` over a spaCy Doc
  * `list_actors(country, on, extra_files) -> list[ActorEntry]`
  * `import_petrarch(path) -> list[dict]` and `write_actors_file(rows, path)`
  * `evaluate_actors(path) -> ActorEvalReport` on PLOVER gold records
Domain knowledge lives in `detente/actors/data/*.csv` (see the README there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from detente.actors.evaluate import ActorEvalReport, evaluate_actors
from detente.actors.mentions import Mention, find_mentions
from detente.actors.petrarch import import_petrarch, read_petrarch, write_actors_file
from detente.actors.registry import load_registry
from detente.actors.resolver import ActorResolver, Resolution
from detente.actors.sources import ActorEntry, Role

__all__ = [
    "ActorEntry",
    "ActorEvalReport",
    "ActorResolver",
    "Mention",
    "Resolution",
    "Role",
    "evaluate_actors",
    "find_mentions",
    "import_petrarch",
    "list_actors",
    "read_petrarch",
    "write_actors_file",
]


def list_actors(country: str | None = None, on: dt.date | None = None,
                extra_files: Sequence[Path] = ()) -> list[ActorEntry]:
    """Registry entries, optionally for one country code, optionally on one day.

    Without `on`: every entry of the country (country, capitals' seats, groups,
    companies, places, people who ever held a role there). With `on`: the people
    holding a dated role that day, each with only those roles.

    >>> [a.name for a in list_actors("RUS", dt.date(2015, 3, 20)) if a.roles[0].title == "President"]
    ['Vladimir Putin']
    """
    code = country.upper() if country else None
    entries = load_registry(extra_files).entries
    out = []
    for entry in entries:
        if on is not None:
            roles = tuple(r for r in entry.roles_on(on) if code is None or r.code == code)
            if entry.kind == "person" and roles:
                out.append(replace(entry, roles=roles))
            continue
        if code is None or entry.code == code or any(r.code == code for r in entry.roles):
            out.append(entry)
    return out
