"""Reading an actor phrase: registry matches become typed `Part`s.

"former Japanese Prime Minister Yukio Hatoyama" becomes
modifier(former) · owner(JPN, demonym) · title(prime minister) · person(Hatoyama);
"anti-Syria journalist" keeps Syria out of the owners; "Japan-Russia" is a relation,
not an actor. The resolver decides what the parts mean together.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from detente.actors.registry import Lexeme, Registry
from detente.actors.sources import ActorEntry
from detente.actors.text import CALENDAR_WORDS, Tok, edit_distance_one, tokenize

PREPOSITIONS = frozenset(
    "in of from throughout at near across inside within on for with to into against under "
    "over by based operating living outside around".split())
CONJUNCTIONS = frozenset({"and", "or", "&", ",", "/"})
OWNER_HOW = {"country": "country name", "demonym": "demonym", "capital": "capital",
             "seat": "seat of power"}
# Words that make the title after them a deputy's ("Deputy Defence Minister").
DEPUTY_WORDS = frozenset({"deputy", "vice"})
# Misspellings are forgiven for country names only: people's names are too alike
# ("Osama" is one letter from "Obama").
FUZZY_KINDS = frozenset({"country", "demonym", "capital"})


@dataclass(frozen=True)
class Part:
    """A run of tokens with one meaning. `kind`: person, entity (organisation, group,
    company), owner (a country by name, demonym, capital or seat), place, title,
    sector, modifier, possessive, prep, conj, hyphen, paren, name (an unknown
    capitalised word), word, ambiguous. `value` is a title's office, a sector word's
    institution template, a modifier's role, why a name is ambiguous, or the full name
    of an elided country ("North" in "North and South Korea" is "North Korea")."""

    kind: str
    start: int
    end: int
    text: str
    entries: tuple[ActorEntry, ...] = ()
    code: str | None = None
    sector: str = ""
    value: str = ""
    how: str = ""
    possessive: bool = False
    via_surname: bool = False
    seat: bool = False
    ignored: str = ""  # why an owner does not count ("anti-Syria")
    note: str = ""  # how an ambiguous name was read


@dataclass
class Phrase:
    text: str
    toks: list[Tok]
    parts: list[Part]
    pre: list[Part] = field(default_factory=list)
    post: list[Part] = field(default_factory=list)
    split_word: str = ""
    dyad: str = ""
    ambiguous: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def notes(self) -> str:
        remarks = self.remarks + [p.note for p in self.pre + self.post if p.note]
        return "".join(f"; {r}" for r in remarks)

    def unknown_names(self) -> list[str]:
        """Unknown capitalised names in the head part ("Dawda Jawara")."""
        runs: list[list[Part]] = [[]]
        for part in self.pre:
            run = runs[-1]
            if part.kind == "name" or (part.kind == "hyphen" and run):
                if run and run[-1].end != part.start:
                    runs.append([])
                runs[-1].append(part)
            elif run:
                runs.append([])
        out = []
        for run in runs:
            while run and run[-1].kind == "hyphen":
                run.pop()
            if run:
                out.append(self.text[self.toks[run[0].start].start:self.toks[run[-1].end - 1].end])
        return out

    def head_text(self) -> str:
        content = [p for p in self.pre if p.kind not in ("modifier", "possessive", "conj",
                                                         "hyphen", "paren")]
        return content[-1].text if content else self.text

    def bare_owner_text(self) -> bool:
        return all(p.kind in ("owner", "modifier", "possessive") for p in self.pre)


def _text(toks: Sequence[Tok], text: str, start: int, end: int) -> str:
    return text[toks[start].start:toks[end - 1].end]


# Shorter names are too close to other words: "Ghani" is one letter from "Ghana".
FUZZY_MIN = 7


@functools.lru_cache(maxsize=8)
def _fuzzy_index(reg: Registry) -> dict[str, list[tuple[str, tuple[Lexeme, ...]]]]:
    index: dict[str, list[tuple[str, tuple[Lexeme, ...]]]] = {}
    for key, lexes in reg.lexicon.items():
        if len(key) == 1 and len(key[0]) >= FUZZY_MIN and key[0].isalpha():
            names = tuple(lx for lx in lexes if lx.kind in FUZZY_KINDS)
            if names:
                index.setdefault(key[0][0], []).append((key[0], names))
    return index


def _fuzzy(reg: Registry, tok: Tok) -> tuple[str, tuple[Lexeme, ...]] | None:
    """A one-letter misspelling of exactly one known name: "Ethopia" → "ethiopia"."""
    word = tok.norm
    if len(word) < FUZZY_MIN or not word.isalpha() or not tok.is_capitalised:
        return None
    found = [(k, lx) for k, lx in _fuzzy_index(reg).get(word[0], ())
             if abs(len(k) - len(word)) <= 1 and edit_distance_one(k, word)]
    codes = {lx.entry.code for _, lexes in found for lx in lexes if lx.entry}
    return found[0] if len(found) == 1 and len(codes) == 1 else None


@functools.lru_cache(maxsize=8)
def _people_index(reg: Registry) -> dict[str, list[tuple[str, ActorEntry]]]:
    index: dict[str, list[tuple[str, ActorEntry]]] = {}
    for person in reg.people:
        for name in (person.name, *person.aliases):
            folded = " ".join(t.norm for t in tokenize(name))
            if " " in folded:
                index.setdefault(folded[0], []).append((folded, person))
    return index


def _fuzzy_person(reg: Registry, run: list[Part], toks: list[Tok]) -> ActorEntry | None:
    """A full name one letter away from exactly one known person's name:
    "Francois Mitterand" → François Mitterrand (single words are never guessed)."""
    written = " ".join(t.norm for t in toks[run[0].start:run[-1].end])
    if len(written) < 8:
        return None
    found = {id(p): p for folded, p in _people_index(reg).get(written[0], ())
             if folded.split()[0] == written.split()[0] and edit_distance_one(folded, written)}
    return next(iter(found.values())) if len(found) == 1 else None


def _name_part(reg: Registry, lexes: tuple[Lexeme, ...], start: int, end: int, text: str,
               context: str | None, key: tuple[str, ...] | None) -> Part:
    amb = reg.ambiguities.get(key) if key else None
    if amb is not None:
        code, why = amb.choose(context)
        if code is None:
            return Part("ambiguous", start, end, text, value=f"'{text}' is ambiguous: {why}")
        pick = next((lx for lx in lexes if lx.entry and lx.entry.code == code), None)
        if pick is None:
            entry = reg.country(code)
            if entry is None:
                return Part("ambiguous", start, end, text, value=f"'{text}': {why}")
            pick = Lexeme("country", (text,), entry)
        part = _name_part(reg, (pick,), start, end, text, None, None)
        return replace(part, note=f"'{text}' read as {code}: {why}")
    lexes = tuple(lx for lx in lexes if lx.kind != "ambiguous")
    if not lexes:
        return Part("ambiguous", start, end, text, value=f"'{text}' is ambiguous")
    best = min(lexes, key=lambda lx: _PRIORITY.get(lx.kind, 99))
    if best.kind in ("person", "surname"):
        people = tuple(dict.fromkeys(lx.entry for lx in lexes
                                     if lx.kind in ("person", "surname") and lx.entry))
        surname = all(lx.kind == "surname" for lx in lexes if lx.kind in ("person", "surname"))
        return Part("person", start, end, text, people, people[0].code, via_surname=surname)
    entry = best.entry
    assert entry is not None
    if best.kind in ("organisation", "group", "company"):
        return Part("entity", start, end, text, (entry,), entry.code, entry.sector)
    if best.kind == "place":
        return Part("place", start, end, text, (entry,), entry.code)
    return Part("owner", start, end, text, (entry,), entry.code, entry.sector,
                how=OWNER_HOW.get(best.kind, best.kind), seat=best.kind in ("capital", "seat"))


_PRIORITY = {"person": 0, "surname": 1, "organisation": 2, "group": 3, "company": 4,
             "country": 5, "demonym": 6, "seat": 7, "capital": 8, "place": 9}


def _vocab_part(lexes: tuple[Lexeme, ...], start: int, end: int, text: str) -> Part:
    for kind in ("title", "sector", "modifier"):
        lx = next((x for x in lexes if x.kind == kind), None)
        if lx is not None:
            return Part(kind, start, end, text, sector=lx.sector, value=lx.value)
    return Part("word", start, end, text)


def _plain_part(tok: Tok, i: int) -> Part:
    norm = tok.norm
    if norm in ("'s", "'"):
        return Part("possessive", i, i + 1, tok.text)
    if norm in PREPOSITIONS:
        return Part("prep", i, i + 1, tok.text)
    if norm in CONJUNCTIONS:
        return Part("conj", i, i + 1, tok.text)
    if norm == "-":
        return Part("hyphen", i, i + 1, tok.text)
    if norm in ("(", ")", "[", "]"):
        return Part("paren", i, i + 1, tok.text)
    if tok.is_capitalised and tok.is_word and not tok.text[:1].isdigit():
        return Part("name", i, i + 1, tok.text)
    return Part("word", i, i + 1, tok.text)


def scan_parts(reg: Registry, toks: list[Tok], text: str, context: str | None,
               relaxed: bool = False, fuzzy: bool = False) -> tuple[list[Part], list[str]]:
    """Cut tokens into parts, longest registry match first."""
    parts: list[Part] = []
    remarks: list[str] = []
    i = 0
    while i < len(toks):
        found = reg.match_at(toks, i, relaxed)
        prev = parts[-1] if parts else None
        if found:
            end, lexes = found
            span = _text(toks, text, i, end)
            names = tuple(lx for lx in lexes if lx.kind not in ("title", "sector", "modifier"))
            if i == 0 and names and len(names) < len(lexes) and all(
                    lx.kind == "surname" for lx in names):
                names = ()  # "Young Algerians": a first word is more likely the vocabulary
            if names and all(lx.kind == "ambiguous" for lx in names) and not reg.ambiguities.get(
                    tuple(t.norm for t in toks[i:end])):
                names = ()
            key = tuple(t.norm for t in toks[i:end])
            part = (_name_part(reg, names, i, end, span, context, key) if names
                    else _vocab_part(lexes, i, end, span))
            if (part.kind == "person" and part.via_surname and toks[i].norm in CALENDAR_WORDS
                    and not (prev and (prev.kind == "title" or prev.value == "honorific"))):
                part = Part("word", i, end, span)
            parts.append(part)
            i = end
            continue
        part = _plain_part(toks[i], i)
        if part.kind == "name" and fuzzy:
            guess = _fuzzy(reg, toks[i])
            if guess is not None:
                known, lexes = guess
                part = _name_part(reg, lexes, i, i + 1, toks[i].text, context, (known,))
                remarks.append(f"spelling '{toks[i].text}' read as '{known}'")
        parts.append(part)
        i += 1
    parts = _deputies(_elided(reg, parts, toks, relaxed), toks, text)
    if fuzzy:
        parts = _fuzzy_people(reg, parts, toks, text, remarks)
    return parts, remarks


def _elided(reg: Registry, parts: list[Part], toks: list[Tok], relaxed: bool) -> list[Part]:
    """"North and South Korea", "East and West German officials": a word that names a
    country with the rest of the next name. Its part keeps the full name in `value`."""
    out = list(parts)
    for k in range(len(out) - 2):
        first, conj, full = out[k], out[k + 1], out[k + 2]
        if (first.kind != "name" or first.end - first.start != 1 or conj.kind != "conj"
                or full.kind != "owner" or full.end - full.start < 2):
            continue
        words = [toks[first.start], *toks[full.start + 1:full.end]]
        found = reg.match_at(words, 0, relaxed)
        names = tuple(lx for lx in found[1] if lx.kind in ("country", "demonym")) \
            if found and found[0] == len(words) else ()
        if names:
            part = _name_part(reg, names, first.start, first.end, first.text, None, None)
            out[k] = replace(part, value=" ".join(t.text for t in words))
    return out


def _deputies(parts: list[Part], toks: list[Tok], text: str) -> list[Part]:
    """"Deputy Defence Minister", "Vice Trade Minister": one title, the deputy's office
    (not the minister's, whose holder the resolver would otherwise name)."""
    out: list[Part] = []
    for part in parts:
        prev = out[-1] if out else None
        if (part.kind == "title" and prev is not None and prev.end == part.start
                and prev.text.lower() in DEPUTY_WORDS):
            out[-1] = Part("title", prev.start, part.end, _text(toks, text, prev.start, part.end),
                           sector=part.sector, value=f"{prev.text.lower()} {part.value}")
            continue
        out.append(part)
    return out


def _fuzzy_people(reg: Registry, parts: list[Part], toks: list[Tok], text: str,
                  remarks: list[str]) -> list[Part]:
    out: list[Part] = []
    k = 0
    while k < len(parts):
        run: list[Part] = []
        while k + len(run) < len(parts) and parts[k + len(run)].kind == "name" and (
                not run or run[-1].end == parts[k + len(run)].start):
            run.append(parts[k + len(run)])
        person = _fuzzy_person(reg, run, toks) if len(run) >= 2 else None
        if person is None:
            out.append(parts[k])
            k += 1
            continue
        span = _text(toks, text, run[0].start, run[-1].end)
        out.append(Part("person", run[0].start, run[-1].end, span, (person,), person.code))
        remarks.append(f"spelling '{span}' read as '{person.name}'")
        k += len(run)
    return out


def _full_name_check(parts: list[Part]) -> list[Part]:
    """A surname next to an unknown given name is someone else: "Omar Hassan al-Bashir"
    is not Mohammed al-Bashir, and "Michel" in "Michel Aoun" is not Charles Michel."""
    out = list(parts)
    for k, part in enumerate(out):
        if part.kind != "person" or not part.via_surname:
            continue
        prev = out[k - 1] if k > 0 else None
        nxt = out[k + 1] if k + 1 < len(out) else None
        known = {w.lower() for e in part.entries for n in (e.name, *e.aliases) for w in n.split()}
        if (prev is not None and prev.kind == "name" and prev.end == part.start
                and prev.text.lower() not in known) or (
                nxt is not None and nxt.kind == "name" and nxt.start == part.end):
            out[k] = Part("name", part.start, part.end, part.text)
    return out


def _mark(parts: list[Part], phrase: Phrase) -> list[Part]:
    """Possessives, hyphenated compounds, stance prefixes and parentheses."""
    out = _full_name_check(parts)
    for k, part in enumerate(out):
        nxt = out[k + 1] if k + 1 < len(out) else None
        if nxt is not None and nxt.kind == "possessive":
            out[k] = replace(part, possessive=True)
    for k in range(1, len(out) - 1):
        left, mid, right = out[k - 1], out[k], out[k + 1]
        if mid.kind != "hyphen" or left.end != mid.start or mid.end != right.start:
            continue
        if left.kind == "modifier" and left.value in ("stance", "combining", "combining-optional"):
            out[k + 1] = replace(right, ignored=f"'{left.text}-{right.text}' is not an owner")
        elif left.kind == "modifier" and left.value == "former":
            continue
        elif left.kind == "owner" and right.kind == "owner" and left.code != right.code:
            phrase.dyad = (f"'{left.text}-{right.text}' names a relation between "
                           f"{left.code} and {right.code}, not one actor")
            out[k - 1] = replace(left, ignored="relation compound")
            out[k + 1] = replace(right, ignored="relation compound")
    depth = 0
    kept = []
    for part in out:
        if part.kind == "paren":
            depth += 1 if part.text in "([" else -1
            continue
        if depth <= 0 and not part.ignored:
            kept.append(part)
    return kept


def read_phrase(reg: Registry, toks: list[Tok], context: str | None, *, text: str | None = None,
                relaxed: bool = False, fuzzy: bool = False, split: bool = True) -> Phrase:
    """Parts of a phrase, split into the head part and what follows a preposition."""
    source = text if text is not None else _rebuild(toks)
    parts, remarks = scan_parts(reg, toks, source, context, relaxed, fuzzy)
    phrase = Phrase(source, toks, parts, remarks=remarks)
    kept = _mark(parts, phrase)
    phrase.ambiguous = [p.value for p in kept if p.kind == "ambiguous"]
    while kept and kept[0].kind in ("prep", "conj"):
        kept = kept[1:]
    if split:
        cut = next((k for k, p in enumerate(kept) if p.kind == "prep" and k > 0), None)
        if cut is not None:
            phrase.split_word = kept[cut].text.lower()
            phrase.pre, phrase.post = kept[:cut], kept[cut + 1:]
            return phrase
    phrase.pre = kept
    return phrase


def _rebuild(toks: list[Tok]) -> str:
    """A text whose offsets agree with the tokens (for tokens made from a string)."""
    if not toks:
        return ""
    chars = [" "] * toks[-1].end
    for t in toks:
        chars[t.start:t.end] = list(t.text)
    return "".join(chars)
