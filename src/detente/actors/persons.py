"""Time-aware person resolution: which role a named person holds on a day.

Kept apart from the phrase logic in `resolver.py`: given the candidate people a
name or surname may mean, plus what the phrase says (a title, a country, "former"),
pick one person and their role, and say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from detente.actors.registry import Registry
from detente.actors.sources import ActorEntry, Role
from detente.actors.text import fold

SECTOR_RANK = {"GOV": 0, "IGO": 1, "MIL": 2, "LEG": 3, "JUD": 4, "PTY": 5, "OPP": 6, "ELI": 7}


@dataclass(frozen=True)
class PersonCall:
    """What the phrase around a name tells us."""

    surface: str
    via_surname: bool
    office: str | None = None  # office named in the phrase ("prime minister")
    title: str | None = None  # the title as written
    owner: str | None = None  # country named in the phrase ("Japanese", "Russia's")
    former: bool = False
    title_sector: str = ""


@dataclass(frozen=True)
class PersonResult:
    code: str | None
    sector: str | None
    name: str | None
    reason: str


def describe(role: Role) -> str:
    return f"{role.title or role.sector or 'role'} of {role.code}"


def _best(roles: Sequence[Role], offices: Sequence[str]) -> Role:
    for office in offices:
        for role in roles:
            if role.office == office:
                return role
    return min(roles, key=lambda r: SECTOR_RANK.get(r.sector, 9))


def _ever_held(person: ActorEntry, offices: Sequence[str], owner: str | None) -> list[Role]:
    return [r for r in person.roles if r.office in offices and (not owner or r.code == owner)]


def choose_person(reg: Registry, candidates: Sequence[ActorEntry], call: PersonCall,
                  date: dt.date | None, context: str | None) -> PersonResult:
    """Pick among people a name may mean, then their role on `date`."""
    pool = list(dict.fromkeys(candidates))
    offices = _offices(reg, call)
    if call.owner:
        narrowed = [p for p in pool if any(r.code == call.owner for r in p.roles)]
        if not narrowed and call.office and not call.via_surname and len(pool) == 1:
            # The text is explicit ("Georgian President Eduard Shevardnadze") and the
            # registry lacks that role: believe the text.
            return PersonResult(call.owner, "ELI" if call.former else call.title_sector or "GOV",
                                pool[0].name,
                                f"'{call.surface}' → {pool[0].name}: the text calls them "
                                f"{call.title} of {call.owner}, a role the registry lacks")
        pool = narrowed or pool
    if offices and len(pool) > 1:
        narrowed = [p for p in pool if _ever_held(p, offices, call.owner)]
        pool = narrowed or pool
    if len(pool) > 1 and context:
        folded = f" {fold(context)} "
        named = [p for p in pool
                 if any(f" {fold(n)} " in folded or f" {fold(n)}'" in folded
                        for n in (p.name, *p.aliases))]
        pool = named if len(named) == 1 else pool
    if len(pool) > 1 and date:
        active = [p for p in pool if p.roles_on(date)]
        if len(active) > 1:
            names = " and ".join(p.name for p in active)
            return PersonResult(None, None, None,
                                f"'{call.surface}' is ambiguous: {names} both hold office on "
                                f"{date.isoformat()}")
        pool = active or pool
    if len(pool) > 1:
        names = ", ".join(p.name for p in pool)
        codes = {p.code for p in pool}
        if len(codes) == 1 and None not in codes:
            code = pool[0].code
            if date is None:
                sectors = {max(p.roles, key=lambda r: r.start or dt.date.min).sector
                           for p in pool if p.roles}
                return PersonResult(code, sectors.pop() if len(sectors) == 1 else "", None,
                                    f"'{call.surface}' could be {names} (no date given); "
                                    f"all {code}")
            return PersonResult(code, "ELI", None,
                                f"'{call.surface}' could be {names} (none in office on "
                                f"{date.isoformat()}); all {code}")
        return PersonResult(None, None, None, f"'{call.surface}' is ambiguous: {names}")
    return person_role(pool[0], call, offices, date)


def _offices(reg: Registry, call: PersonCall) -> tuple[str, ...]:
    if not call.office:
        return ()
    if call.office in ("leader", "head of state", "head of government"):
        return reg.leader_offices(call.owner) if call.owner else (
            "president", "prime minister", "chancellor", "king", "supreme leader")
    return (call.office,)


def person_role(person: ActorEntry, call: PersonCall, offices: Sequence[str],
                date: dt.date | None) -> PersonResult:
    """The role `person` holds in this phrase, on `date` when given."""
    how = f"surname '{call.surface}'" if call.via_surname else f"'{call.surface}'"
    head = f"{how} → {person.name}"
    dated = [r for r in person.roles if r.dated]
    default = [r for r in person.roles if not r.dated]
    if not person.roles:
        return PersonResult(person.code, "ELI", person.name, f"{head}, no known roles")
    if call.former:
        past = [r for r in dated if date is None or (r.start and r.start <= date)] or dated
        if past:
            held = [r for r in past if r.office in offices] or past
            role = max(held, key=lambda r: (r.end or dt.date.max, r.start or dt.date.min))
            return PersonResult(role.code, "ELI", person.name,
                                f"{head}, former {describe(role)} ({role.span()}): 'former' "
                                "in the text")
    if date is not None:
        on = person.roles_on(date)
        if on:
            role = _best(on, offices)
            return PersonResult(role.code, role.sector, person.name,
                                f"{head}, {describe(role)} on {date.isoformat()}")
        held = [r for r in dated if r.office in offices]
        if held and not call.former:
            role = max(held, key=lambda r: r.start or dt.date.min)
            return PersonResult(role.code, role.sector, person.name,
                                f"{head}: the text calls them '{call.title}'; held "
                                f"{role.span()}, not on {date.isoformat()}")
        if default:
            role = default[0]
            return PersonResult(role.code, role.sector, person.name,
                                f"{head}, default role {describe(role)}")
        before = [r for r in dated if r.end and r.end < date]
        if before:
            role = max(before, key=lambda r: r.end or dt.date.min)
            return PersonResult(role.code, "ELI", person.name,
                                f"{head}, former {describe(role)} (until "
                                f"{role.end.isoformat() if role.end else '?'}) on "
                                f"{date.isoformat()}")
        after = [r for r in dated if r.start and r.start > date]
        role = min(after, key=lambda r: r.start or dt.date.max) if after else dated[0]
        return PersonResult(role.code, "ELI", person.name,
                            f"{head}, not yet in office on {date.isoformat()} "
                            f"({describe(role)} from {role.start.isoformat() if role.start else '?'})")
    held = [r for r in dated if r.office in offices] or dated or default
    role = max(held, key=lambda r: r.start or dt.date.min)
    return PersonResult(role.code, role.sector, person.name,
                        f"{head}, no date given: {describe(role)} ({role.span()})")
