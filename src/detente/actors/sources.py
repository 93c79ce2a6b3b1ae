"""Reading actor data files: the CSV files shipped in `data/` and users' actor files.

Each file becomes a list of `Named` items: an `ActorEntry` plus the ways it can be
written in a text (its name, aliases, demonyms, capitals, surname), each tagged with
the kind of lexeme it is. The registry turns these into its lookup table.

A user actor file (`--actors FILE`) is a CSV in one of these layouts, told apart by
its header:
  * the detente actor format `pattern,code,sector,name,start,end` (optional `kind`):
    one row per pattern and role; `pattern` may list alternatives with `|`; rows
    sharing a `name` form one actor; dated rows are roles, an undated row is the
    actor's default role.
  * the layout of `people.csv` (`name,aliases,country,role,sector,start,end`);
  * the layout of any other shipped file (countries, historical states,
    organisations, groups, companies, places, seats).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from detente.date_input import read_day
from detente.errors import InputError

ACTORS_COLUMNS = ("pattern", "code", "sector", "name", "start", "end")
LAYOUTS: dict[str, tuple[str, ...]] = {
    "actors": ACTORS_COLUMNS,
    "people": ("name", "aliases", "country", "role", "sector", "start", "end"),
    "countries": ("code", "name", "aliases", "demonyms", "capitals", "leader"),
    "organisations": ("code", "name", "aliases", "adjectives", "sector", "kind"),
    "groups": ("name", "aliases", "country", "sector", "kind"),
    "places": ("name", "aliases", "country", "kind"),
    "seats": ("name", "aliases", "country", "sector", "institution"),
    "historical": ("name", "aliases", "demonyms", "country", "leader", "start", "end"),
}
ENTITY_FILES = {"countries.csv": "countries", "historical.csv": "historical",
                "seats.csv": "seats", "places.csv": "places",
                "organisations.csv": "organisations", "groups.csv": "groups",
                "companies.csv": "groups", "people.csv": "people"}
# A historical state is coded as its successor (EVENTS.md §3: the Soviet Union is RUS);
# its one role spans the years it existed.
HISTORICAL_ROLE = "historical state"
# Countries whose people are named family name first in English ("Xi Jinping").
FAMILY_NAME_FIRST = frozenset({"CHN", "TWN", "HKG", "MAC", "KOR", "PRK"})
NAME_PARTICLES = frozenset(
    "von van de der den del della di da dos du la le bin ibn al el ben abu ter".split())
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


@dataclass(frozen=True)
class Role:
    """One dated position: `office` is the normalised title ("foreign minister")."""

    code: str
    sector: str
    title: str = ""
    office: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def active(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)

    def span(self) -> str:
        start = self.start.isoformat() if self.start else "…"
        end = self.end.isoformat() if self.end else "present"
        return f"{start} to {end}"

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "sector": self.sector, "title": self.title,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}


@dataclass(frozen=True)
class ActorEntry:
    """One actor of the registry: a country, historical state (coded as its successor;
    its one role spans the years it existed), organisation, group, company, place,
    seat of power or person (with dated `roles`). `source` names the data file."""

    name: str
    kind: str
    code: str | None
    sector: str = ""
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    institution: str = ""
    note: str = ""
    source: str = ""

    def roles_on(self, on: dt.date) -> tuple[Role, ...]:
        """Dated roles held on a day (undated default roles are not included)."""
        return tuple(r for r in self.roles if r.dated and r.active(on))

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "code": self.code, "sector": self.sector,
                "aliases": list(self.aliases), "roles": [r.to_dict() for r in self.roles],
                "institution": self.institution, "note": self.note, "source": self.source}


@dataclass(frozen=True)
class Named:
    """An entry and its surface forms, each `(lexeme kind, text)`."""

    entry: ActorEntry
    forms: tuple[tuple[str, str], ...]


@dataclass
class DataSet:
    """Everything read from one or more files, before the lookup table is built."""

    named: list[Named] = field(default_factory=list)
    sectors: list[dict[str, str]] = field(default_factory=list)
    titles: list[dict[str, str]] = field(default_factory=list)
    modifiers: list[dict[str, str]] = field(default_factory=list)
    ambiguous: list[dict[str, str]] = field(default_factory=list)
    replaces: set[str] = field(default_factory=set)  # entry names a user file overrides


def split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


def parse_date(value: str | None, where: str, end: bool = False) -> dt.date | None:
    """A role's start date, or with `end` its last day ("2014" ends on 2014-12-31); None
    when empty. Any form `detente.date_input.parse_date` reads is accepted."""
    value = (value or "").strip()
    if not value:
        return None
    return read_day(value, where, end=end, fix="Leave `end` empty for ongoing roles.")


def read_rows(text: str, source: str) -> tuple[tuple[str, ...], list[tuple[int, dict[str, str]]]]:
    """Header and rows (with their line numbers) of a CSV text; `#` lines are comments."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    rows = []
    for row in reader:
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    return header, rows


def layout_of(header: Iterable[str], source: str) -> str:
    """Which layout a header belongs to (extra columns are allowed)."""
    have = set(header)
    for name, columns in LAYOUTS.items():
        if set(columns) <= have:
            return name
    raise InputError(
        f"{source}: unknown actor file layout (columns {', '.join(header) or 'none'}).",
        hint="Use the detente actor format with the header "
             "'pattern,code,sector,name,start,end', or the header of people.csv.")


def surnames(name: str, country: str) -> tuple[str, ...]:
    """How a person is called by family name alone: "Ursula von der Leyen" → "von der
    Leyen"; "Xi Jinping" → "Xi"; "Muammar al-Gaddafi" → "al-Gaddafi", "Gaddafi"."""
    words = [w for w in name.replace(",", " ").split() if w.lower() not in NAME_SUFFIXES]
    if len(words) < 2:
        return ()
    if country in FAMILY_NAME_FIRST:
        return (words[0],)
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in NAME_PARTICLES:
        i -= 1
    family = " ".join(words[i:])
    forms = [family]
    for prefix in ("al-", "el-", "Al-", "El-"):
        if family.startswith(prefix) and len(family) > len(prefix) + 2:
            forms.append(family[len(prefix):])
    return tuple(forms)


def _people(rows: list[tuple[int, dict[str, str]]], source: str, office_of) -> list[Named]:
    by_name: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        if not row.get("name") or not row.get("country"):
            raise InputError(f"{source}, line {line}: a person needs a name and a country.")
        by_name.setdefault(row["name"], []).append((line, row))
    named = []
    for name, items in by_name.items():
        roles = tuple(Role(code=row["country"].upper(), sector=(row.get("sector") or "GOV").upper(),
                           title=row.get("role", ""), office=office_of(row.get("role", "")),
                           start=parse_date(row.get("start"), f"{source}, line {line}"),
                           end=parse_date(row.get("end"), f"{source}, line {line}", end=True))
                      for line, row in items)
        aliases = tuple(dict.fromkeys(a for _, row in items for a in split(row.get("aliases"))))
        code = roles[-1].code
        entry = ActorEntry(name=name, kind="person", code=code, sector="",
                           aliases=aliases, roles=roles, source=source)
        forms = [("person", name)] + [("person", a) for a in aliases]
        for country in dict.fromkeys(r.code for r in roles):
            forms += [("surname", s) for s in surnames(name, country)]
        named.append(Named(entry, tuple(dict.fromkeys(forms))))
    return named


def _actors(rows: list[tuple[int, dict[str, str]]], source: str,
            international: frozenset[str], office_of) -> list[Named]:
    by_name: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        name = row.get("name") or (split(row.get("pattern")) or ("",))[0]
        if not name or not row.get("pattern"):
            raise InputError(f"{source}, line {line}: each row needs a pattern (and a name).",
                             hint="Columns: pattern,code,sector,name,start,end")
        by_name.setdefault(name, []).append((line, row))
    named = []
    for name, items in by_name.items():
        roles = tuple(Role(code=row.get("code", "").upper(), sector=row.get("sector", "").upper(),
                           title=row.get("title", "") or row.get("role", ""),
                           office=office_of(row.get("title", "") or row.get("role", "")),
                           start=parse_date(row.get("start"), f"{source}, line {line}"),
                           end=parse_date(row.get("end"), f"{source}, line {line}", end=True))
                      for line, row in items)
        patterns = tuple(dict.fromkeys(p for _, row in items for p in split(row.get("pattern"))))
        kind = next((row["kind"] for _, row in items if row.get("kind")), "")
        default = next((r for r in roles if not r.dated), roles[-1])
        if not kind:
            if any(r.dated for r in roles):
                kind = "person"
            elif default.code in international or default.sector == "IGO":
                kind = "organisation"
            elif not default.sector:
                kind = "country"
            else:
                kind = "group"
        lexeme = "person" if kind == "person" else kind
        entry = ActorEntry(name=name, kind=kind, code=default.code or None, sector=default.sector,
                           aliases=tuple(p for p in patterns if p != name),
                           roles=roles if kind == "person" else (), source=source)
        named.append(Named(entry, tuple((lexeme, p) for p in (name, *patterns))))
    return named


def _entities(layout: str, rows: list[tuple[int, dict[str, str]]], source: str) -> list[Named]:
    named = []
    for line, row in rows:
        aliases = split(row.get("aliases"))
        if layout == "historical":
            code = row.get("country", "").upper()
            if not row.get("name") or not code:
                raise InputError(f"{source}, line {line}: a historical state needs a name and "
                                 "the code of its successor in `country`.")
            where = f"{source}, line {line}"
            span = Role(code=code, sector="", title=HISTORICAL_ROLE,
                        start=parse_date(row.get("start"), where),
                        end=parse_date(row.get("end"), where, end=True))
            entry = ActorEntry(name=row["name"], kind="historical", code=code, aliases=aliases,
                               roles=(span,), note=row.get("leader", ""), source=source)
            forms = [("country", n) for n in (row["name"], *aliases)]
            forms += [("demonym", d) for d in split(row.get("demonyms"))]
        elif layout == "countries":
            entry = ActorEntry(name=row["name"], kind="country", code=row["code"].upper(),
                               aliases=aliases, note=row.get("leader", ""), source=source)
            forms = [("country", n) for n in (row["name"], *aliases)]
            forms += [("demonym", d) for d in split(row.get("demonyms"))]
            forms += [("capital", c) for c in split(row.get("capitals"))]
        elif layout == "organisations":
            entry = ActorEntry(name=row["name"], kind="organisation", code=row["code"].upper(),
                               sector=row.get("sector", ""), aliases=aliases,
                               note=row.get("kind", ""), source=source)
            forms = [("organisation", n) for n in (row["name"], *aliases)]
            forms += [("demonym", d) for d in split(row.get("adjectives"))]
        elif layout == "places":
            entry = ActorEntry(name=row["name"], kind="place", code=row.get("country") or None,
                               aliases=aliases, note=row.get("kind", ""), source=source)
            forms = [("place", n) for n in (row["name"], *aliases)]
        elif layout == "seats":
            entry = ActorEntry(name=row["name"], kind="seat", code=row.get("country") or None,
                               sector=row.get("sector", "GOV"), aliases=aliases,
                               institution=row.get("institution", ""), source=source)
            forms = [("seat", n) for n in (row["name"], *aliases)]
        else:  # groups and companies share a layout
            kind = "company" if row.get("sector") == "BUS" else "group"
            entry = ActorEntry(name=row["name"], kind=kind, code=row["country"].upper(),
                               sector=row.get("sector", ""), aliases=aliases,
                               note=row.get("kind", ""), source=source)
            forms = [(kind, n) for n in (row["name"], *aliases)]
        named.append(Named(entry, tuple(forms)))
    return named


def read_table_text(text: str, source: str, data: DataSet, layout: str | None,
                    international: frozenset[str], office_of) -> None:
    """Add the contents of one CSV text to `data`."""
    header, rows = read_rows(text, source)
    layout = layout or layout_of(header, source)
    if layout == "people":
        data.named += _people(rows, source, office_of)
    elif layout == "actors":
        data.named += _actors(rows, source, international, office_of)
    else:
        data.named += _entities(layout, rows, source)


def shipped_text(filename: str) -> str | None:
    """A file of the package's data folder, or None when it is not there (yet)."""
    resource = resources.files("detente.actors").joinpath("data").joinpath(filename)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def vocabulary() -> DataSet:
    """The vocabulary files: sector words, titles, modifiers and ambiguous names."""
    data = DataSet()
    for filename, target in (("sectors.csv", data.sectors), ("titles.csv", data.titles),
                             ("modifiers.csv", data.modifiers),
                             ("ambiguous.csv", data.ambiguous)):
        text = shipped_text(filename)
        if text is not None:
            target.extend(row for _, row in read_rows(text, filename)[1])
    return data


def read_user_file(path: Path, data: DataSet, international: frozenset[str], office_of) -> None:
    """Add a user's actor file; its entries replace shipped ones with the same name."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"actors: cannot read the actor file {path}: {exc.strerror or exc}",
                         hint="Check the path.", input="actors") from exc
    before = len(data.named)
    read_table_text(text, str(path), data, None, international, office_of)
    data.replaces |= {n.entry.name.lower() for n in data.named[before:]}
