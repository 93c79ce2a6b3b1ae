"""Resolve an actor phrase to a code, a sector and a name, at a date.

>>> r = ActorResolver()
>>> r.resolve("Russia's foreign ministry").to_dict()["name"]
'Ministry of Foreign Affairs of Russia'

The phrase is cut into registry matches (`phrase.py`); the parts are then read the
way a coder would, one reading after another until one applies: a known person wins,
then a named organisation, group or company, then a country named by a name, demonym,
capital or possessive (with the head noun or title giving the sector), then a country
after a preposition ("rebels in the Ivory Coast"), then a place, then the sentence
around the phrase. Places are not actors. Anything else is left unresolved with a
reason. A historical state keeps its own name and its successor's code ("USSR" is
RUS, named "Soviet Union"); a person the registry lacks is placed by the title the
text gives them ("Polish Deputy Defence Minister Anna Kowalska" is POL GOV, kind
person).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from detente.actors.persons import PersonCall, choose_person
from detente.actors.phrase import Part, Phrase, read_phrase
from detente.actors.reading import Reading, Resolution
from detente.actors.registry import Registry, load_registry
from detente.actors.sources import ActorEntry
from detente.actors.text import Tok, tokenize

__all__ = ["ActorResolver", "Resolution"]

KIND_OF_ENTRY = {"organisation": "organisation", "company": "company", "group": "group",
                 "country": "country", "person": "person"}


class ActorResolver:
    """Resolves actor phrases with the shipped registry plus `extra_files`.

    Build one and reuse it: the registry and the lookup of context sentences are
    cached per resolver.
    """

    def __init__(self, extra_files: Sequence[Path] = ()) -> None:
        self.extra_files = tuple(Path(p) for p in extra_files)
        self.registry: Registry = load_registry(self.extra_files)
        self._context_parts = functools.lru_cache(maxsize=2048)(self._read_context)

    def __getstate__(self) -> dict[str, tuple[Path, ...]]:
        # Worker processes rebuild the (cached) registry instead of pickling it.
        return {"extra_files": self.extra_files}

    def __setstate__(self, state: dict[str, tuple[Path, ...]]) -> None:
        ActorResolver.__init__(self, state["extra_files"])

    # -- public -----------------------------------------------------------------------
    def resolve(self, text: str, date: dt.date | None = None,
                context: str | None = None) -> Resolution:
        """Resolve one phrase. `context` is the sentence it comes from, if known.

        >>> ActorResolver().resolve("Japanese officials").code
        'JPN'
        """
        return self.resolve_strict(text, date, context, strict_case=text != text.lower())

    def resolve_strict(self, text: str, date: dt.date | None, context: str | None,
                       strict_case: bool = True) -> Resolution:
        """`resolve`, choosing whether names must be capitalised as in the data (the
        mention finder always asks for that; `resolve` relaxes it for all-lower input)."""
        if isinstance(date, dt.datetime):
            date = date.date()
        toks = tokenize(text)
        phrase = read_phrase(self.registry, toks, context, text=text,
                             relaxed=not strict_case, fuzzy=True)
        return self._compose(phrase, text.strip(), date, context)

    # -- composition --------------------------------------------------------------------
    def _compose(self, ph: Phrase, text: str, date: dt.date | None,
                 context: str | None) -> Resolution:
        """Try the readings in a coder's order of trust; the first that applies wins."""
        r = Reading.of(ph, text, date, context)
        if not ph.pre and not ph.post:
            return r.out(None, None, None, "no words to resolve", "")
        if ph.dyad:
            return r.out(None, None, None, ph.dyad, "")
        readings: tuple[Callable[[Reading], Resolution | None], ...] = (
            self._as_person, self._as_entity, self._as_owner, self._as_located,
            self._as_place, self._as_context)
        for read in readings:
            found = read(r)
            if found is not None:
                return found
        if r.names:
            return r.out(None, None, None, f"unknown name '{r.names[0]}' (not in the registry)",
                         "")
        return r.out(None, None, None, f"no actor words in '{text}'", "")

    def _as_person(self, r: Reading) -> Resolution | None:
        """A known person ("Foreign Minister Sergei Lavrov"): the title before the name,
        the one country in the phrase and the date choose among namesakes."""
        if not r.persons:
            return None
        head = r.persons[-1]
        title = next((t for t in reversed(r.titles) if t.start < head.start), None)
        call = PersonCall(surface=head.text, via_surname=head.via_surname,
                          office=title.value if title else None,
                          title=title.text if title else None, owner=_single_code(r.owners),
                          former=r.former, title_sector=title.sector if title else "")
        res = choose_person(self.registry, head.entries, call, r.date, r.context)
        return r.out(res.code, res.sector, res.name, res.reason, "person")

    def _as_entity(self, r: Reading) -> Resolution | None:
        """A named organisation, group or company ("the Duma", "NATO's army"), its
        sector taken from a sector word or title after it."""
        ent = r.entities[-1] if r.entities else None
        if ent is None:
            return None
        if r.owners and _generic_igo(ent, r.owners, r.ph):
            # "the Russian Security Council" is Russia's, not the UN's: read as the
            # country's own body
            body = Part("sector", ent.start, ent.end, ent.text, sector="GOV",
                        value=f"{ent.text} of {{country}}")
            return self._as_owner(replace(r, sectors=[*r.sectors, body]))
        if ent.possessive and r.owners:
            return None  # "Russia's Gazprom ...": the country reading decides
        entry = ent.entries[0]
        after = [s for s in r.sectors if s.start > ent.start]
        if entry.kind == "organisation" and entry.sector == "IGO":
            sector = "MIL" if after and after[-1].sector == "MIL" else "IGO"
        else:
            sector = after[-1].sector if after else entry.sector
        titled = [s for s in after if s.kind == "title"]
        if r.names and titled and any(p.kind == "name" and p.start > titled[-1].start
                                      for p in r.ph.pre):
            # "Duma deputy Ivan Petrov": the title belongs to the institution
            return r.out(entry.code, "ELI" if r.former else sector, r.names[0],
                         f"{titled[-1].text} of {entry.name} ({entry.code})", "description")
        kind = KIND_OF_ENTRY.get(entry.kind, "group")
        if kind == "group" and sector == "GOV":
            kind = "government"
        return r.out(entry.code, sector, entry.name,
                     f"{kind} '{ent.text}' → {entry.name} ({entry.code})", kind)

    def _as_owner(self, r: Reading) -> Resolution | None:
        """A country named in the phrase by name, demonym, capital or possessive
        ("Russia's foreign ministry"), or through a person ("Putin's spokesman")."""
        owners = r.owners or self._owner_by_person(r)
        if not owners:
            return None
        codes = list(dict.fromkeys(p.code for p in owners))
        if len(codes) > 1:
            return r.out(None, None, None,
                         f"names several countries ({', '.join(map(str, codes))}): code each "
                         "separately", "")
        owner = owners[-1]
        return self._owned(r, owner, [s for s in r.sectors if s.start > owner.start])

    def _owner_by_person(self, r: Reading) -> list[Part]:
        """"Putin's spokesman": the possessive person's country owns the head word that
        follows. Empty when there is no such person or head word."""
        owned_by = [p for p in r.ph.pre if p.kind == "person" and p.possessive]
        if not owned_by or r.entities or not r.sectors:
            return []
        head = owned_by[-1]
        res = choose_person(self.registry, head.entries,
                            PersonCall(surface=head.text, via_surname=head.via_surname),
                            r.date, r.context)
        if not res.code:
            return []
        return [replace(head, kind="owner", code=res.code, how=f"{res.name or head.text}'s")]

    def _as_located(self, r: Reading) -> Resolution | None:
        """A country after the split word: "the chairman of Russia's lower house",
        "rebels in the Ivory Coast"."""
        ph, sectors = r.ph, r.sectors
        located = [p for p in ph.post if p.kind in ("owner", "entity", "place", "person")
                   and p.code]
        if not located:
            return None
        where = located[0]
        if ph.split_word == "of" and where.kind == "owner" and sectors:
            inner = [p for p in ph.post if p.kind in ("sector", "title")
                     and p.start > where.start]
            if inner and sectors[-1].kind == "title":
                # "chairman of Russia's lower house": the office belongs to the house
                country = self._state_name(where)
                return r.out(where.code, inner[-1].sector,
                             f"{sectors[-1].text.title()} of the {inner[-1].text} of {country}",
                             f"'{sectors[-1].text}' of the {inner[-1].text} of {country} "
                             f"({where.code})", "description")
            return self._owned(r, where, sectors)
        head_word = sectors[-1] if sectors else None
        if head_word and head_word.kind == "title":
            name = r.names[0] if r.names else self._holder(where, head_word, r.date)
            sector = "ELI" if r.former else head_word.sector
            return r.out(where.code, sector, name,
                         f"'{head_word.text}' of {where.text} ({where.code})", "description")
        return r.out(where.code, head_word.sector if head_word else "", None,
                     f"'{head_word.text if head_word else ph.head_text()}' "
                     f"{ph.split_word} {where.text} ({where.code})",
                     _kind_for(head_word) if head_word else "group")

    def _as_place(self, r: Reading) -> Resolution | None:
        """A place: with a head word it locates an actor ("Crimean officials"), alone it
        is a location, which is not an actor."""
        places = [p for p in r.ph.pre if p.kind == "place"]
        if not places:
            return None
        if r.sectors and places[0].code:
            place = places[0]
            return r.out(place.code, r.sectors[-1].sector, None,
                         f"'{r.sectors[-1].text}' of {place.text}, a place in {place.code}",
                         _kind_for(r.sectors[-1]))
        place = places[-1]
        return r.out(None, None, place.entries[0].name,
                     f"place, not an actor: {place.entries[0].name}"
                     f"{' (' + place.code + ')' if place.code else ''}", "place", place.code)

    def _as_context(self, r: Reading) -> Resolution | None:
        """A head word with no country in the phrase ("rebels", "the President"): the
        one country the sentence names, where that is a fair guess; otherwise the head
        word's sector, unresolved."""
        ph, names = r.ph, r.names
        if not r.sectors and not ph.ambiguous:
            return None
        head_word = r.sectors[-1] if r.sectors else None
        if ph.ambiguous and head_word is None:
            return r.out(None, None, None, ph.ambiguous[0], "")
        titled = head_word is not None and head_word.kind == "title"
        if (head_word is not None and titled and head_word.value != "leader" and not names
                and not r.context):
            return r.out(None, head_word.sector, None,
                         f"title '{head_word.text}' without a country", "description")
        # The one country named in the sentence is a fair guess for a collective
        # domestic actor ("rebels", "the opposition"), not for an office holder:
        # "Vice Foreign Minister X summoned the Russian ambassador" is not Russian.
        found = self._from_context(ph, r.context, r.date, titled)
        if found:
            code, where = found
            sector: str | None = "ELI" if r.former and titled else (
                head_word.sector if head_word else "")
            return r.out(code, sector, names[0] if names else None,
                         f"'{head_word.text if head_word else r.text}' with no country in the "
                         f"phrase; the sentence names only {where} ({code})",
                         _kind_for(head_word) if head_word else "group")
        what = f"'{head_word.text}' ({head_word.sector})" if head_word else f"'{r.text}'"
        extra = f"; unknown name '{names[0]}'" if names and not titled else ""
        extra += "".join(f"; {a}" for a in ph.ambiguous)
        sector = "ELI" if r.former and titled else (head_word.sector if head_word else None)
        return r.out(None, sector, names[0] if names else None,
                     f"{what} names no country{extra}", _kind_for(head_word))

    def _owned(self, r: Reading, owner: Part, sectors: list[Part]) -> Resolution:
        """A phrase whose country is named in it: "Russia's foreign ministry". `sectors`
        are the head words that belong to the owner (after it, or before "of" it)."""
        former, names, date = r.former, r.names, r.date
        code = owner.code
        country = self._state_name(owner)
        head = sectors[-1] if sectors else None
        shared = ""
        if head is None and r.ph.bare_owner_text() and r.context:
            # "the Chilean and Peruvian presidents", "the leaders of Chile and Peru":
            # each country of a coordination takes the head noun they share
            head = self._sector_in_context(r.ph, r.context)
            if head is not None:
                shared = f"; '{head.text}' is shared with it in the sentence"
        if head is not None and head.kind == "title":
            sector = "ELI" if former else head.sector
            name = names[0] if names else (None if former else self._holder(owner, head, date))
            holder = f" → {name}" if name and not names else ""
            if name is None and head.value not in ("minister", "secretary"):
                name = f"{head.value.title()} of {country}"
            when = f" on {date.isoformat()}" if date and holder else ""
            return r.out(code, sector, name,
                         f"{'former ' if former else ''}{head.text} of {country} ({code}), "
                         f"from {owner.how} '{owner.text}'{when}{holder}{shared}",
                         "description")
        if head is not None:
            name = head.value.format(country=country) if head.value else (
                names[0] if names else None)
            return r.out(code, head.sector, name,
                         f"'{head.text}' of {country} ({code}), from {owner.how} "
                         f"'{owner.text}'{shared}", _kind_for(head))
        if names and owner.possessive:
            return r.out(code, "", names[0],
                         f"{owner.how} '{owner.text}' → {code}; '{names[0]}' is not in the "
                         "registry", "person")
        if names and not all(n.endswith("s") for n in names):
            # "Chilean Juan Perez" is an unknown person, not Chile; a plural name
            # ("Russian Cossacks") is a people of the country and reads as the country
            return r.out(None, None, None,
                         f"unknown name '{r.ph.text.strip()}' (it contains {owner.how} "
                         f"'{owner.text}', {code})", "")
        if owner.seat:
            entry = owner.entries[0]
            return r.out(code, entry.sector or "GOV",
                         entry.institution or f"Government of {country}",
                         f"{owner.how} '{owner.text}' stands for the "
                         f"{entry.institution or 'government of ' + country} ({code})",
                         "government")
        historical = ("; a historical state, coded as its successor"
                      if _historical(owner) else "")
        return r.out(code, "", country,
                     f"{owner.how} '{owner.text}' → {country} ({code}){historical}", "country")

    def _state_name(self, owner: Part) -> str:
        """The name of the country a part names: a historical state keeps its own
        ("USSR" → "Soviet Union"), though it is coded as its successor (RUS)."""
        entry = _historical(owner)
        return entry.name if entry else self.registry.country_name(owner.code)

    def _holder(self, owner: Part, title: Part, date: dt.date | None) -> str | None:
        """Name of the person holding a titled office on `date`, if exactly one does.
        The holders of a historical state's offices are looked up only while it
        existed: "the Soviet leader" in a text of 2019 is not the Russian president."""
        code = owner.code
        if not code or date is None or title.value in ("minister", "secretary"):
            return None
        office = title.value
        state = _historical(owner)
        if state is not None:
            if not any(r.dated and r.active(date) for r in state.roles):
                return None
            if office == "leader" and state.note:
                office = state.note  # the Soviet leader was the general secretary
        found = self.registry.holders(code, office, date)
        people = {p.name for p, _ in found}
        return people.pop() if len(people) == 1 else None

    # -- context ----------------------------------------------------------------------------
    def _read_context(self, context: str) -> Phrase:
        return read_phrase(self.registry, tokenize(context), None, split=False)

    def _from_context(self, ph: Phrase, context: str | None, date: dt.date | None,
                      individual: bool = False) -> tuple[str, str] | None:
        """The one country a sentence names outside the phrase, and where.

        For an office holder ("President X", X unknown) the sentence's country counts
        only where it places a domestic actor or a location ("rebels in the Ivory
        Coast", "Young Algerians", "a curfew in Abidjan") and never a state actor: in
        "Vice Foreign Minister X summoned the Russian ambassador" X is not Russian.
        """
        if not context:
            return None
        whole = self._context_parts(context)
        skip = _occurrence(whole.toks, ph.toks)
        parts = whole.pre
        codes: dict[str, str] = {}
        domestic: set[str] = set()
        state: set[str] = set()
        for k, part in enumerate(parts):
            if part.kind not in ("owner", "entity", "place", "person") or not part.code:
                continue
            if skip and part.start < skip[1] and part.end > skip[0]:
                continue
            if part.kind == "entity" and part.entries[0].kind == "organisation":
                continue
            if part.kind == "person" and len({e.code for e in part.entries}) > 1:
                continue
            codes.setdefault(part.code, part.text)
            role = _context_role(parts, k)
            (domestic if role == "domestic" else state if role == "state" else set()).add(
                part.code)
        if len(codes) != 1:
            return None
        code, where = next(iter(codes.items()))
        if individual and (code not in domestic or code in state):
            return None
        return code, f"'{where}'"

    def _sector_in_context(self, ph: Phrase, context: str) -> Part | None:
        """For a bare country in a coordination, the head noun it shares: the one after
        it ("Israeli and Egyptian officials", "Chile and Peru's leaders") or, across
        "of", the one before it ("the leaders of Chile and Peru"). A comma alone does
        not coordinate: in "talks in Bosnia, Defence Secretary X said" Bosnia is no
        minister."""
        whole = self._context_parts(context)
        at = _occurrence(whole.toks, ph.toks)
        if not at:
            return None
        after = [p for p in whole.pre if p.start >= at[1]]
        before = [p for p in whole.pre if p.end <= at[0]][::-1]
        ahead = after[:_coordination(after, articles=False)]
        behind = before[:_coordination(before, articles=True)]
        if len(ahead) < len(after) and after[len(ahead)].kind in ("sector", "title"):
            rest = after[len(ahead) + 1:]
            # "Peru and the leaders of Chile", "Syria and Palestinian leader Yasser
            # Arafat": that head has its own country or person
            own = bool(rest) and (rest[0].text.lower() == "of"
                                  or rest[0].kind in ("name", "person"))
            joined = _joined(ahead) or not any(p.kind == "conj" for p in ahead)
            return after[len(ahead)] if joined and not own else None
        rest = before[len(behind):]
        if (any(p.kind == "conj" for p in behind) and _joined(behind + ahead) and len(rest) >= 2
                and rest[0].text.lower() == "of" and rest[1].kind in ("sector", "title")):
            return rest[1]
        return None


def _generic_igo(ent: Part, owners: list[Part], ph: Phrase) -> bool:
    """An international body named by a generic phrase right after a country's name."""
    entry = ent.entries[0]
    before = [o for o in owners if o.end <= ent.start]
    return (entry.kind == "organisation" and entry.sector == "IGO" and bool(before)
            and before[-1].end == ent.start and not before[-1].possessive
            and not any(w.isupper() and len(w) > 1 for w in ent.text.replace(".", "").split()))


# Parts between the countries of a coordination and the head noun they share.
COORDINATED = frozenset({"owner", "conj", "hyphen", "modifier", "possessive"})
NON_STATE = frozenset({"REB", "OPP", "CVL", "EDU", "MED", "PTY", "BUS"})
LOCATIVE = frozenset({"in", "near", "throughout", "inside", "across", "at", "within", "around",
                      "from", "based"})


def _context_role(parts: list[Part], k: int) -> str:
    """How a sentence uses a country: "domestic" (it places a non-state actor or is a
    location), "state" (a government, army, official or a bare country) or ""."""
    part = parts[k]
    if part.kind == "place":
        return "domestic"
    if part.kind == "entity":
        return "domestic" if part.sector in NON_STATE else "state"
    if part.kind == "person":
        return "state"
    for back in range(k - 1, max(k - 4, -1), -1):  # "in Abidjan", "in the Ivory Coast"
        prev = parts[back]
        if prev.kind == "prep":
            if prev.text.lower() in LOCATIVE:
                return "domestic"
            break
        if prev.kind not in ("modifier", "name", "word"):
            break
    for nxt in parts[k + 1:]:
        if nxt.kind in ("sector", "title"):
            return "domestic" if nxt.sector in NON_STATE and nxt.kind == "sector" else "state"
        if nxt.kind in ("owner", "conj", "modifier", "hyphen", "name"):
            continue
        break
    if part.how == "demonym" and part.text.endswith("s"):
        return "domestic"  # "Young Algerians": the people of a country
    return "state"


def _historical(part: Part) -> ActorEntry | None:
    """The historical state a part names, if it names one."""
    entry = part.entries[0] if part.entries else None
    return entry if entry is not None and entry.kind == "historical" else None


def _coordination(parts: list[Part], articles: bool) -> int:
    """How many of `parts`, read outward from a country, continue a coordination of
    countries ("and Peru's", ", Peru and the")."""
    for count, part in enumerate(parts):
        if part.kind not in COORDINATED or (part.value == "article" and not articles):
            return count
    return len(parts)


def _joined(parts: list[Part]) -> bool:
    """Whether "and", "or" or "&" is among the parts (commas alone list, not join)."""
    return any(p.kind == "conj" and p.text.lower() in ("and", "or", "&") for p in parts)


def _single_code(owners: list[Part]) -> str | None:
    codes = {p.code for p in owners}
    return codes.pop() if len(codes) == 1 else None


def _kind_for(word: Part | None) -> str:
    if word is None:
        return ""
    if word.kind == "title":
        return "description"
    return "government" if word.sector == "GOV" else "group"


def _occurrence(haystack: list[Tok], needle: list[Tok]) -> tuple[int, int] | None:
    """Token range of the first occurrence of `needle` (by folded text) in `haystack`."""
    words = [t.norm for t in needle]
    if not words:
        return None
    for i in range(len(haystack) - len(words) + 1):
        if [t.norm for t in haystack[i:i + len(words)]] == words:
            return i, i + len(words)
    return None
