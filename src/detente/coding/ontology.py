"""PLOVER and CAMEO tables (data/plover.csv, data/cameo.csv): quad classes, CAMEO codes
for a PLOVER type and mode, and Goldstein scores. Analysts edit the CSVs, not this code."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

# Older PLOVER drafts and data sets use other names (EVENTS.md §2).
OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE",
             "FIGHT": "ASSAULT", "YIELD": "CONCEDE"}


@dataclass(frozen=True)
class CameoCode:
    code: str
    label: str
    goldstein: float
    plover: str
    mode: str


def _rows(name: str) -> list[dict[str, str]]:
    text = files("detente.coding").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def cameo_table() -> dict[str, CameoCode]:
    return {r["cameo"]: CameoCode(r["cameo"], r["label"], float(r["goldstein"]),
                                  r["plover"], r["mode"]) for r in _rows("cameo.csv")}


@lru_cache(maxsize=1)
def plover_table() -> dict[str, dict[str, str]]:
    return {r["plover"]: r for r in _rows("plover.csv")}


def normalise_type(name: str) -> str:
    """Current PLOVER name for a type, mapping old names (DEMAND → REQUEST ...)."""
    upper = name.strip().upper()
    return OLD_NAMES.get(upper, upper)


def quad_class(plover: str) -> int:
    """The usual quad class of a PLOVER type (1 verbal cooperation, 2 material
    cooperation, 3 verbal conflict, 4 material conflict). An event's own quad class
    comes from its CAMEO code (`cameo_quad_class`)."""
    return int(plover_table()[normalise_type(plover)]["quad_class"])


def cameo_quad_class(cameo: str) -> int:
    """An event's quad class from its CAMEO root, the one code that decides polarity:
    roots 01–05 verbal cooperation, 06–09 material cooperation, 10–14 verbal conflict,
    15–20 material conflict. So an appeal (02x) is cooperative and a demand (10x) is not.

    >>> cameo_quad_class("025"), cameo_quad_class("1056"), cameo_quad_class("164")
    (1, 3, 4)
    """
    root = int(cameo[:2])
    if not 1 <= root <= 20:
        raise KeyError(f"unknown CAMEO root in {cameo!r}")
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def goldstein(cameo: str) -> float:
    """Goldstein score of a CAMEO code, falling back to its shorter prefixes (root)."""
    table = cameo_table()
    for length in range(len(cameo), 1, -1):
        if cameo[:length] in table:
            return table[cameo[:length]].goldstein
    raise KeyError(f"unknown CAMEO code {cameo!r}")


def cameo_for(plover: str, mode: str | None = None) -> str:
    """The CAMEO code for a PLOVER type (and mode when it narrows the code).

    >>> cameo_for("CONSULT", "phone")
    '041'
    """
    plover = normalise_type(plover)
    if mode:
        for code in sorted(cameo_table().values(), key=lambda c: (len(c.code), c.code)):
            if code.plover == plover and code.mode == mode and len(code.code) >= 3:
                return code.code
    return plover_table()[plover]["default_cameo"]
