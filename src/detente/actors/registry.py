"""The actor registry: every name, title and sector word detente knows, in one table.

`load_registry(extra_files)` reads the CSV files shipped in `detente/actors/data/`
(plus `people.csv` when it is there) and any user actor files, and builds a lookup
table from token keys to `Lexeme`s. It is cached per tuple of extra files, so a
program pays for loading once; nothing here is mutated after it is built.

>>> reg = load_registry()
>>> reg.country("JPN").name
'Japan'
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from detente.actors.sources import (
    ENTITY_FILES,
    ActorEntry,
    DataSet,
    Named,
    Role,
    read_table_text,
    read_user_file,
    shipped_text,
    split,
    vocabulary,
)
from detente.actors.text import Tok, case_matches, fold, key_and_pattern, key_of, pattern_of

# Lexeme kinds that name one entry (checked for capitalisation), and vocabulary kinds.
NAME_KINDS = ("person", "surname", "organisation", "group", "company", "country",
              "demonym", "capital", "seat", "place")
VOCAB_KINDS = ("title", "sector", "modifier")
# When two entries share a written form, the first kind here wins (unless
# ambiguous.csv says otherwise).
KIND_PRIORITY = {k: i for i, k in enumerate(NAME_KINDS)}
IRREGULAR_PLURALS = {"man": "men", "woman": "women", "person": "people", "staff": "staff",
                     "police": "police", "media": "media", "press": "press"}


@dataclass(frozen=True)
class Lexeme:
    """One way of writing something: `kind` says what (see NAME_KINDS, VOCAB_KINDS);
    `entry` is the actor for names; `sector` and `value` carry vocabulary data
    (a sector word's institution template, a title's office, a modifier's role)."""

    kind: str
    pattern: tuple[str, ...]
    entry: ActorEntry | None = None
    sector: str = ""
    value: str = ""


@dataclass(frozen=True)
class Ambiguity:
    """A name that can mean several codes (ambiguous.csv): `hints` are words of the
    context that pick one; without a hint, `default` (possibly None) is taken."""

    name: str
    candidates: tuple[str, ...]
    default: str | None
    hints: tuple[tuple[str, str], ...]

    def choose(self, context: str | None) -> tuple[str | None, str]:
        """The code this name stands for in `context`, and why."""
        if context:
            folded = f" {fold(context)} "
            for hint, code in self.hints:
                if f" {fold(hint)}" in folded or f"{fold(hint)} " in folded:
                    if code:
                        return code, f"context word '{hint}'"
                    return None, f"context word '{hint}' points away from {self.default}"
        if self.default:
            return self.default, f"usual reading (could be {' or '.join(self.candidates)})"
        return None, f"could be {' or '.join(self.candidates)}"


def plural(word: str) -> str:
    """English plural of the last word: "official" → "officials", "spokesman" → "spokesmen"."""
    head, _, last = word.rpartition(" ")
    prefix = f"{head} " if head else ""
    for singular, many in IRREGULAR_PLURALS.items():
        if last == singular or last.endswith(singular) and singular in ("man", "woman"):
            return prefix + last[: len(last) - len(singular)] + many
    if last.endswith(("s", "x", "ch", "sh")):
        return prefix + last + ("es" if not last.endswith("s") else "")
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        return prefix + last[:-1] + "ies"
    return prefix + last + "s"


class Registry:
    """Lookup table over all actor data. Build it with `load_registry()`."""

    def __init__(self, shipped: DataSet, user: DataSet, vocab: DataSet) -> None:
        self.offices = {key_of(r["title"]): (r["office"], r["sector"]) for r in vocab.titles}
        replaced = user.replaces
        named = [n for n in shipped.named if n.entry.name.lower() not in replaced] + user.named
        self.entries: tuple[ActorEntry, ...] = tuple(n.entry for n in named)
        self._countries = {e.code: e for e in self.entries if e.kind == "country" and e.code}
        self.people: tuple[ActorEntry, ...] = tuple(e for e in self.entries if e.kind == "person")
        self.international = frozenset(e.code for e in self.entries
                                       if e.kind == "organisation" and e.sector == "IGO" and e.code)
        self.ambiguities: dict[tuple[str, ...], Ambiguity] = {}
        lexicon: dict[tuple[str, ...], list[Lexeme]] = {}
        self._add_names(lexicon, [n for n in named if n.entry.source in _shipped_names()], False)
        self._add_names(lexicon, [n for n in named if n.entry.source not in _shipped_names()], True)
        self._add_vocabulary(lexicon, vocab)
        for row in vocab.ambiguous:
            hints = tuple((h.rpartition(":")[0], h.rpartition(":")[2])
                          for h in split(row.get("hints")))
            amb = Ambiguity(row["name"], split(row["candidates"]), row.get("default") or None,
                            hints)
            self.ambiguities[key_of(row["name"])] = amb
            bucket = lexicon.setdefault(key_of(row["name"]), [])
            bucket.append(Lexeme("ambiguous", pattern_of(row["name"])))
        self.lexicon = {k: tuple(v) for k, v in lexicon.items()}
        self.max_len = max((len(k) for k in self.lexicon), default=1)
        self._first = frozenset(k[0] for k in self.lexicon)

    # -- building -----------------------------------------------------------------
    @staticmethod
    def _add_names(lexicon: dict[tuple[str, ...], list[Lexeme]], named: Iterable[Named],
                   override: bool) -> None:
        for item in named:
            for kind, form in item.forms:
                forms = [form]
                if kind == "demonym" and form[-1:] in ("n", "i") and not form.endswith("man"):
                    forms.append(form + "s")
                for text in forms:
                    key, pattern = key_and_pattern(text)
                    if not key:
                        continue
                    bucket = lexicon.setdefault(key, [])
                    if override and any(lx.entry and lx.entry.source != item.entry.source
                                        and lx.kind not in VOCAB_KINDS for lx in bucket):
                        # a user's entry hides shipped names written the same way
                        bucket[:] = [lx for lx in bucket if lx.kind in VOCAB_KINDS
                                     or (lx.entry and lx.entry.source == item.entry.source)]
                    if not any(lx.kind == kind and lx.entry is item.entry for lx in bucket):
                        bucket.append(Lexeme(kind, pattern, item.entry))

    @staticmethod
    def _add_vocabulary(lexicon: dict[tuple[str, ...], list[Lexeme]], vocab: DataSet) -> None:
        rows = [("sector", r["word"], r["sector"], r.get("institution", "")) for r in vocab.sectors]
        rows += [("title", r["title"], r["sector"], r["office"]) for r in vocab.titles]
        for kind, word, sector, value in rows:
            for text in dict.fromkeys((word, plural(word))):
                bucket = lexicon.setdefault(key_of(text), [])
                if not any(lx.kind == kind for lx in bucket):
                    bucket.append(Lexeme(kind, pattern_of(text), None, sector, value))
        for r in vocab.modifiers:
            bucket = lexicon.setdefault((fold(r["word"]),), [])
            bucket.append(Lexeme("modifier", (r["word"],), None, "", r["role"]))

    # -- lookups --------------------------------------------------------------------
    def match_at(self, toks: Sequence[Tok], i: int,
                 relaxed: bool = False) -> tuple[int, tuple[Lexeme, ...]] | None:
        """Longest registry match starting at token i: (end, lexemes), or None.

        Names must be capitalised as in the data; `relaxed` (for all-lower input) only
        keeps acronyms strict, so "japan" is Japan but "us" is still not the US."""
        if toks[i].norm not in self._first:
            return None
        for n in range(min(self.max_len, len(toks) - i), 0, -1):
            lexes = self.lexicon.get(tuple(t.norm for t in toks[i:i + n]))
            if not lexes:
                continue
            window = list(toks[i:i + n])
            ok = tuple(lx for lx in lexes if lx.kind in VOCAB_KINDS
                       or case_matches(lx.pattern, window, acronyms_only=relaxed))
            if ok:
                return i + n, ok
        return None

    def country(self, code: str | None) -> ActorEntry | None:
        return self._countries.get(code or "")

    def country_name(self, code: str | None) -> str:
        entry = self._countries.get(code or "")
        if entry:
            return entry.name
        org = next((e for e in self.entries if e.kind == "organisation" and e.code == code), None)
        return org.name if org else (code or "")

    def office_of(self, title: str) -> str:
        return office_key(self.offices, title)

    def leader_offices(self, code: str) -> tuple[str, ...]:
        """Offices that "the X leader" means, most likely first."""
        entry = self._countries.get(code)
        first = (entry.note,) if entry and entry.note else ()
        return tuple(dict.fromkeys(first + ("president", "prime minister", "chancellor",
                                            "supreme leader", "king", "emir")))

    def holders(self, code: str, office: str, on: dt.date) -> list[tuple[ActorEntry, Role]]:
        """People holding `office` for country `code` on a day."""
        offices = self.leader_offices(code) if office in ("leader", "head of state",
                                                           "head of government") else (office,)
        for wanted in offices:
            found = [(p, r) for p in self.people for r in p.roles
                     if r.code == code and r.office == wanted and r.dated and r.active(on)]
            if found:
                return found
        return []

    def collisions(self) -> dict[tuple[str, ...], tuple[Lexeme, ...]]:
        """Written forms that name entries with different codes (a data check)."""
        out = {}
        for key, lexes in self.lexicon.items():
            codes = {lx.entry.code for lx in lexes if lx.kind in NAME_KINDS and lx.entry
                     and lx.kind != "surname"}
            if len(codes) > 1:
                out[key] = lexes
        return out


def office_key(offices: dict[tuple[str, ...], tuple[str, str]], title: str) -> str:
    """The normalised office of a role title: "Minister of Foreign Affairs" → "foreign
    minister"; "President of Russia" → "president"; unknown titles are lower-cased."""
    key = key_of(title)
    if key in offices:
        return offices[key][0]
    if "of" in key:
        head = key[: key.index("of")]
        if head in offices:
            return offices[head][0]
    return " ".join(key)


@functools.cache
def _shipped_names() -> frozenset[str]:
    return frozenset(ENTITY_FILES)


@functools.lru_cache(maxsize=16)
def _load(extra: tuple[str, ...]) -> Registry:
    vocab = vocabulary()
    offices = {key_of(r["title"]): (r["office"], r["sector"]) for r in vocab.titles}

    @functools.lru_cache(maxsize=4096)
    def office_of(title: str) -> str:
        return office_key(offices, title)

    shipped = DataSet()
    for filename, layout in ENTITY_FILES.items():
        text = shipped_text(filename)
        if text is not None:
            read_table_text(text, filename, shipped, layout, frozenset(), office_of)
    international = frozenset(n.entry.code for n in shipped.named
                              if n.entry.kind == "organisation" and n.entry.code)
    user = DataSet()
    for path in extra:
        read_user_file(Path(path), user, international, office_of)
    return Registry(shipped, user, vocab)


def load_registry(extra_files: Sequence[Path | str] = ()) -> Registry:
    """The registry with the shipped data plus `extra_files` (cached per file list)."""
    return _load(tuple(str(Path(p).expanduser().resolve()) for p in extra_files))
