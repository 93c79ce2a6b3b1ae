"""Import PETRARCH / TABARI `.actors` dictionaries into the detente actor format.

A PETRARCH actor dictionary lists an actor's name, its synonyms and its coded roles:

    SHINZO_ABE_  [JPNGOV 121226-200916]
    +ABE_SHINZO_
    VLADIMIR_PUTIN_  # comment
        [RUSGOV >120507]
        [RUSELI]

`import_petrarch` turns each role into one row of the detente actor format
(`pattern,code,sector,name,start,end`): underscores become spaces, names are written
in title case (so they match "Shinzo Abe" and "SHINZO ABE"), a code such as `JPNGOV`
becomes code `JPN`, sector `GOV`, and IGO codes become detente's international codes
(`IGOUNO` → `UN`). Dates `yymmdd` (or `yyyymmdd`) become ISO dates; two-digit years
below 30 are read as 20yy, others as 19yy; `>d` is "from d", `<d` "until d".
An entry without a date range is the actor's default role.

>>> rows = import_petrarch(Path("Phoenix.Countries.actors.txt"))  # doctest: +SKIP
>>> write_actors_file(rows, Path("my-actors.csv"))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from detente.actors.sources import ACTORS_COLUMNS
from detente.date_input import parse_date
from detente.errors import InputError

# Second halves of PETRARCH IGO codes that have a detente international code.
IGO_CODES = {"UNO": "UN", "EEU": "EU", "NAT": "NATO", "WBK": "WB", "IMF": "IMF",
             "ASN": "ASEAN", "OSC": "OSCE", "APC": "APEC", "SCO": "SCO", "WTO": "WTO",
             "IAE": "IAEA", "OPC": "OPEC", "ICC": "ICC", "OEC": "OECD", "AFU": "AU",
             "ARL": "ARL", "GCC": "GCC", "CIS": "CIS", "OAS": "OAS", "WCT": "ECOWAS",
             "ICJ": "ICJ", "G7": "G7", "G8": "G8", "G20": "G20", "UNW": "UN", "UNH": "UN",
             "UNF": "UN", "UNC": "UN", "UNR": "UN", "WHO": "WHO", "ILO": "ILO"}
SECTOR_ONLY = frozenset({"ELI", "GOV", "MIL", "OPP", "REB", "BUS", "CVL", "MED", "EDU", "LEG",
                         "JUD", "PTY", "COP", "SPY"})
ROLE = re.compile(r"\[([^\]]*)\]")
DATE_RANGE = re.compile(r"^(\d{6,8})\s*-\s*(\d{6,8})$")


def _date(text: str, where: str) -> str:
    """A PETRARCH yymmdd or yyyymmdd date as ISO; yy under 30 is 20yy, as PETRARCH reads it."""
    digits = text.strip()
    if len(digits) == 6 and digits.isdigit():
        digits = ("20" if int(digits[:2]) < 30 else "19") + digits
    if len(digits) != 8 or not digits.isdigit():
        raise ValueError(f"{where}: date '{text}' is neither yymmdd nor yyyymmdd")
    try:
        return parse_date(digits)[0]
    except ValueError as exc:
        raise ValueError(f"{where}: date '{text}' is not a calendar date") from exc


def _name(raw: str) -> str:
    """PETRARCH spelling → text: "SHINZO_ABE_" → "Shinzo Abe"."""
    text = raw.split("#", 1)[0]
    text = re.sub(r"\(.*$", "", text)  # "(ACTING_" and similar remarks
    text = text.replace("_", " ").replace("`", "'").replace('"', " ")
    words = [w for w in text.split() if w]
    return " ".join(w if any(c.isdigit() for c in w) else
                    "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))
                    for w in words).strip(" ,")


def _role(body: str, where: str) -> dict[str, str] | None:
    """`JPNGOV 121226-200916` → code, sector, start, end (None for discards)."""
    parts = body.split(None, 1)
    if not parts or parts[0].startswith(("~", "-", "#")):
        return None
    code_text = parts[0].upper()
    when = parts[1].strip() if len(parts) > 1 else ""
    code, sector = code_text[:3], code_text[3:6]
    if code in SECTOR_ONLY and not sector:
        code, sector = "", code  # "[ELI]": the actor's own country, as an elite
    elif code == "IGO":
        code, sector = IGO_CODES.get(code_text[3:6], "IGO"), "IGO"
    start = end = ""
    if when:
        if when.startswith(">"):
            start = _date(when[1:], where)
        elif when.startswith("<"):
            end = _date(when[1:], where)
        elif (m := DATE_RANGE.match(when)) is not None:
            start, end = _date(m.group(1), where), _date(m.group(2), where)
        else:
            raise ValueError(f"{where}: cannot read the date restriction '{when}'")
    return {"code": code, "sector": sector, "start": start, "end": end}


def _lines(text: str) -> Iterable[tuple[int, str]]:
    """Lines without `#` comments and `<!-- -->` blocks, with their numbers."""
    in_block = False
    for number, line in enumerate(text.splitlines(), 1):
        if in_block:
            if "-->" in line:
                in_block = False
                line = line.split("-->", 1)[1]
            else:
                continue
        if "<!--" in line:
            head, _, rest = line.partition("<!--")
            if "-->" not in rest:
                in_block = True
            line = head
        if line.lstrip().startswith("#"):
            continue
        yield number, line.split("#", 1)[0].rstrip()


@dataclass(frozen=True)
class PetrarchImport:
    """Rows of the detente actor format, and the roles skipped (with their lines)."""

    rows: list[dict[str, str]]
    skipped: list[str]


def import_petrarch(path: Path) -> list[dict[str, str]]:
    """Rows of the detente actor format read from a PETRARCH `.actors` file.

    Every row carries all of the actor's patterns (`|`-separated) and one role.
    Roles with unreadable dates are left out; `read_petrarch` also lists them.
    """
    return read_petrarch(path).rows


def read_petrarch(path: Path) -> PetrarchImport:
    """`import_petrarch`, keeping the list of roles that could not be read."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"Cannot read PETRARCH dictionary {path}: {exc.strerror or exc}.",
                         hint="Give the path of a .actors text file.") from exc
    entries: list[tuple[str, list[str], list[dict[str, str]]]] = []
    skipped: list[str] = []
    for number, line in _lines(text):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        stripped = line.strip()
        bracket_at = stripped.find("[")
        head = stripped if bracket_at < 0 else stripped[:bracket_at]
        roles = []
        for body in ROLE.findall(stripped):
            try:
                role = _role(body, where)
            except ValueError as exc:
                skipped.append(str(exc))
                continue
            if role:
                roles.append(role)
        if stripped.startswith("+"):
            if entries and (name := _name(head[1:])):
                entries[-1][1].append(name)
            continue
        if head.strip():
            name = _name(head)
            if name:
                entries.append((name, [], roles))
                continue
        if entries:
            entries[-1][2].extend(roles)
    rows = []
    for name, synonyms, roles in entries:
        patterns = "|".join(dict.fromkeys([name, *synonyms]))
        known = next((r["code"] for r in roles if r["code"]), "")
        for role in roles:
            if not role["code"]:
                if not known:
                    skipped.append(f"{path}: '{name}' has a sector but no country code")
                    continue
                role = {**role, "code": known}
            rows.append({"pattern": patterns, "code": role["code"], "sector": role["sector"],
                         "name": name, "start": role["start"], "end": role["end"]})
    return PetrarchImport(rows, skipped)


def actors_csv(rows: Iterable[dict[str, str]]) -> str:
    """The rows as the text of a detente actor file (CSV with a header)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ACTORS_COLUMNS), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_actors_file(rows: Iterable[dict[str, str]], path: Path) -> Path:
    """Write rows to a detente actor file that `--actors` accepts."""
    Path(path).write_text(actors_csv(rows), encoding="utf-8")
    return Path(path)
