"""What the resolver returns (`Resolution`) and what its readings look at (`Reading`).

A `Reading` is one actor phrase cut into the kinds of part each reading of
`ActorResolver` tests for (persons, named entities, countries, titles and sector
words), together with the date and sentence it was read in.

>>> from detente.actors.phrase import Phrase
>>> reading = Reading.of(Phrase("", [], []), "", None, None)
>>> reading.out(None, None, None, "no words to resolve", "").reason
'no words to resolve'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from detente.actors.phrase import Part, Phrase


@dataclass(frozen=True)
class Resolution:
    """The reading of one actor phrase. `code` is None when unresolved; `reason` always
    says what matched or why nothing did. `kind` is person, country, government,
    organisation, company, group, description or place; `location` is the country
    of a place (places are not actors, so their `code` stays None)."""

    text: str
    code: str | None
    sector: str | None
    name: str | None
    reason: str
    kind: str = ""
    location: str | None = None

    @property
    def resolved(self) -> bool:
        return self.code is not None

    @property
    def is_place(self) -> bool:
        return self.kind == "place"

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


@dataclass(frozen=True)
class Reading:
    """One phrase, its parts before the split word ("of", "in") sorted by kind, and the
    date and sentence it is read in. Readings never change it: one that needs other
    parts reads a copy (`dataclasses.replace`)."""

    ph: Phrase
    text: str
    date: dt.date | None
    context: str | None
    names: list[str]
    titles: list[Part]
    sectors: list[Part]
    persons: list[Part]
    owners: list[Part]
    entities: list[Part]
    former: bool

    @classmethod
    def of(cls, ph: Phrase, text: str, date: dt.date | None, context: str | None) -> Reading:
        """Sort the parts of `ph` (text `text`) for the readings."""
        pre = ph.pre
        return cls(
            ph, text, date, context,
            names=ph.unknown_names(),
            titles=[p for p in pre if p.kind == "title"],
            sectors=[p for p in pre if p.kind in ("title", "sector")],
            persons=[p for p in pre if p.kind == "person" and not p.possessive],
            owners=[p for p in pre if p.kind == "owner"],
            entities=[p for p in pre if p.kind == "entity"],
            former=any(p.kind == "modifier" and p.value == "former" for p in pre),
        )

    def out(self, code: str | None, sector: str | None, name: str | None, reason: str,
            kind: str, location: str | None = None) -> Resolution:
        """The resolution of this phrase, with the phrase's own notes appended."""
        if kind == "description" and self.names and name == self.names[0]:
            # "Deputy Defence Minister Anna Kowalska": a person the registry lacks,
            # placed by the title the text gives them
            kind, reason = "person", f"'{name}' is not in the registry; {reason}"
        return Resolution(self.text, code, sector, name, reason + self.ph.notes(), kind,
                          location)
