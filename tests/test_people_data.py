"""Sanity checks and known facts for the dated-roles table src/detente/actors/data/people.csv.

Plain csv module only: this file must not import detente, so the data can be
checked while the resolver code is being written.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import pytest

PEOPLE_CSV = Path(__file__).parents[1] / "src/detente/actors/data/people.csv"
HEADER = ["name", "aliases", "country", "role", "sector", "start", "end"]
ORG_CODES = {"UN", "NATO", "EU"}
SECTORS = {"GOV", "IGO"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OPEN_END = date(9999, 12, 31)


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    with PEOPLE_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def _start(row: dict[str, str]) -> date:
    return date.fromisoformat(row["start"])


def _end(row: dict[str, str]) -> date:
    return date.fromisoformat(row["end"]) if row["end"] else OPEN_END


def _holds(name: str, role: str, day: str, country: str | None = None) -> bool:
    d = date.fromisoformat(day)
    return any(
        r["name"] == name
        and r["role"] == role
        and (country is None or r["country"] == country)
        and _start(r) <= d < _end(r)
        for r in _rows()
    )


# --------------------------------------------------------------------------- structure


def test_file_exists_and_is_utf8() -> None:
    assert PEOPLE_CSV.is_file(), PEOPLE_CSV
    PEOPLE_CSV.read_bytes().decode("utf-8")


def test_header() -> None:
    with PEOPLE_CSV.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == HEADER


def test_row_count_and_shape() -> None:
    rows = _rows()
    assert len(rows) >= 700
    with PEOPLE_CSV.open(encoding="utf-8", newline="") as fh:
        for lineno, fields in enumerate(csv.reader(fh), 1):
            assert len(fields) == len(HEADER), f"line {lineno}: {fields}"
    for r in rows:
        assert r["name"].strip() == r["name"] and r["name"], r
        assert r["role"].strip() == r["role"] and r["role"], r


def test_dates_are_iso_and_ordered() -> None:
    for r in _rows():
        assert ISO_DATE.match(r["start"]), r
        start = date.fromisoformat(r["start"])  # raises on impossible dates
        assert date(1900, 1, 1) <= start <= date(2026, 12, 31), r
        if r["end"]:
            assert ISO_DATE.match(r["end"]), r
            end = date.fromisoformat(r["end"])
            assert start <= end, r
            assert end >= date(1990, 1, 1), f"term ends before the 1990 coverage window: {r}"


def test_sectors() -> None:
    for r in _rows():
        assert r["sector"] in SECTORS, r
        expected = "IGO" if r["country"] in ORG_CODES else "GOV"
        assert r["sector"] == expected, r


def test_country_codes() -> None:
    for r in _rows():
        c = r["country"]
        assert re.fullmatch(r"[A-Z]{3}", c) or c in ORG_CODES, r


def test_no_duplicate_rows() -> None:
    seen: set[tuple[str, ...]] = set()
    for r in _rows():
        key = tuple(r[k] for k in HEADER)
        assert key not in seen, f"duplicate row: {r}"
        seen.add(key)


def test_no_overlapping_terms_for_same_person_and_role() -> None:
    terms: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)
    for r in _rows():
        terms[(r["name"], r["role"])].append((_start(r), _end(r)))
    for key, spans in terms.items():
        spans.sort()
        for (s1, e1), (s2, e2) in pairwise(spans):
            assert s2 >= e1, f"overlapping terms for {key}: {s1}..{e1} and {s2}..{e2}"


def test_aliases_are_consistent_and_clean() -> None:
    by_name: dict[str, str] = {}
    for r in _rows():
        al = r["aliases"]
        by_name.setdefault(r["name"], al)
        assert by_name[r["name"]] == al, f"aliases differ between rows of {r['name']}"
        parts = al.split("|") if al else []
        assert all(p and p.strip() == p for p in parts), r
        assert r["name"] not in parts, r
        assert len(parts) == len(set(parts)), r


def test_core_roles_present_for_every_country() -> None:
    countries = {
        "ARG", "AUS", "BRA", "CAN", "CHN", "FRA", "DEU", "IND", "IDN", "ITA", "JPN", "MEX",
        "RUS", "SAU", "ZAF", "KOR", "TUR", "GBR", "USA", "UKR", "PRK", "BLR", "IRN", "ISR", "SYR",
    }
    have = {(r["country"], r["role"]) for r in _rows()}
    for c in countries:
        assert (c, "Foreign Minister") in have, c
        assert (c, "Defence Minister") in have, c
    for org, role in [
        ("UN", "Secretary-General"),
        ("NATO", "Secretary-General"),
        ("EU", "President of the European Commission"),
        ("EU", "President of the European Council"),
        ("EU", "High Representative"),
    ]:
        assert (org, role) in have


# --------------------------------------------------------------------------- known facts

# (name, role, a date inside the term, a date outside any term of that role)
KNOWN_FACTS = [
    ("Shinzo Abe", "Prime Minister", "2007-01-15", "2010-01-01"),
    ("Shinzo Abe", "Prime Minister", "2015-06-01", "2020-10-01"),
    ("Shinzo Abe", "Chief Cabinet Secretary", "2006-01-10", "2008-01-01"),
    ("Yoshihide Suga", "Chief Cabinet Secretary", "2014-06-01", "2021-01-01"),
    ("Yoshihide Suga", "Prime Minister", "2020-12-01", "2014-06-01"),
    ("Fumio Kishida", "Foreign Minister", "2015-01-01", "2019-01-01"),
    ("Fumio Kishida", "Prime Minister", "2022-06-01", "2025-01-01"),
    ("Shigeru Ishiba", "Prime Minister", "2025-03-01", "2024-06-01"),
    ("Sanae Takaichi", "Prime Minister", "2026-01-01", "2025-06-01"),
    ("Yukio Hatoyama", "Prime Minister", "2010-01-01", "2011-01-01"),
    ("Junichiro Koizumi", "Prime Minister", "2003-01-01", "2007-01-01"),
    ("Taro Kono", "Foreign Minister", "2018-06-01", "2021-06-01"),
    ("Shigeru Ishiba", "Defence Minister", "2003-06-01", "2010-01-01"),
    ("Sergey Lavrov", "Foreign Minister", "2010-01-01", "2003-01-01"),
    ("Vladimir Putin", "President", "2005-01-01", "2010-01-01"),
    ("Vladimir Putin", "President", "2000-03-01", "1999-11-01"),
    ("Vladimir Putin", "President", "2020-01-01", "1999-06-01"),
    ("Vladimir Putin", "Prime Minister", "1999-10-01", "2015-01-01"),
    ("Vladimir Putin", "Prime Minister", "2010-01-01", "2005-01-01"),
    ("Dmitry Medvedev", "President", "2010-01-01", "2014-01-01"),
    ("Dmitry Medvedev", "Prime Minister", "2015-01-01", "2021-01-01"),
    ("Mikhail Mishustin", "Prime Minister", "2023-01-01", "2019-01-01"),
    ("Sergei Shoigu", "Defence Minister", "2020-01-01", "2025-01-01"),
    ("Andrei Belousov", "Defence Minister", "2025-01-01", "2023-01-01"),
    ("Dmitry Peskov", "Presidential Press Secretary", "2018-01-01", "2005-01-01"),
    ("Maria Zakharova", "Foreign Ministry Spokesperson", "2020-01-01", "2010-01-01"),
    ("Boris Yeltsin", "President", "1995-01-01", "2001-01-01"),
    ("Mikhail Gorbachev", "President", "1991-01-01", "1993-01-01"),
    ("Xi Jinping", "President", "2020-01-01", "2010-01-01"),
    ("Wang Yi", "Foreign Minister", "2015-01-01", "2023-03-01"),
    ("Barack Obama", "President", "2012-01-01", "2018-01-01"),
    ("Donald Trump", "President", "2019-01-01", "2022-01-01"),
    ("Donald Trump", "President", "2025-06-01", "2016-06-01"),
    ("Joe Biden", "Vice President", "2012-01-01", "2020-01-01"),
    ("Joe Biden", "President", "2022-01-01", "2019-01-01"),
    ("Hillary Clinton", "Foreign Minister", "2010-01-01", "2014-01-01"),
    ("Angela Merkel", "Chancellor", "2010-01-01", "2000-01-01"),
    ("Ursula von der Leyen", "Defence Minister", "2015-01-01", "2020-01-01"),
    ("Ursula von der Leyen", "President of the European Commission", "2021-01-01", "2018-01-01"),
    ("Javier Solana", "Secretary-General", "1997-01-01", "2001-01-01"),
    ("Javier Solana", "High Representative", "2005-01-01", "2012-01-01"),
    ("Emmanuel Macron", "President", "2020-01-01", "2016-01-01"),
    ("Tony Blair", "Prime Minister", "2000-01-01", "2008-01-01"),
    ("Volodymyr Zelenskyy", "President", "2022-01-01", "2018-01-01"),
    ("Alexander Lukashenko", "President", "2020-01-01", "1993-01-01"),
    ("Ali Khamenei", "Supreme Leader", "2020-01-01", "1988-01-01"),
    ("Benjamin Netanyahu", "Prime Minister", "2015-01-01", "2022-01-01"),
    ("Bashar al-Assad", "President", "2010-01-01", "2025-06-01"),
    ("Kim Jong-un", "Supreme Leader", "2018-01-01", "2010-01-01"),
    ("Moon Jae-in", "President", "2019-01-01", "2023-01-01"),
    ("Ban Ki-moon", "Foreign Minister", "2005-01-01", "2008-01-01"),
    ("Ban Ki-moon", "Secretary-General", "2010-01-01", "2018-01-01"),
    ("António Guterres", "Secretary-General", "2020-01-01", "2015-01-01"),
    ("Jens Stoltenberg", "Secretary-General", "2020-01-01", "2025-01-01"),
    ("Narendra Modi", "Prime Minister", "2020-01-01", "2010-01-01"),
    ("Recep Tayyip Erdoğan", "Prime Minister", "2010-01-01", "2016-01-01"),
    ("Recep Tayyip Erdoğan", "President", "2016-01-01", "2010-01-01"),
    ("Luiz Inácio Lula da Silva", "President", "2005-01-01", "2015-01-01"),
    ("Luiz Inácio Lula da Silva", "President", "2024-01-01", "2020-01-01"),
    ("Mohammed bin Salman", "Crown Prince", "2020-01-01", "2016-01-01"),
    ("Antony Blinken", "Foreign Minister", "2023-01-01", "2026-01-01"),
]


@pytest.mark.parametrize(("name", "role", "inside", "outside"), KNOWN_FACTS)
def test_known_fact(name: str, role: str, inside: str, outside: str) -> None:
    assert _holds(name, role, inside), f"{name} should be {role} on {inside}"
    assert not _holds(name, role, outside), f"{name} should not be {role} on {outside}"


def test_known_fact_list_is_large_enough() -> None:
    assert len(KNOWN_FACTS) >= 40


@pytest.mark.parametrize(
    ("name", "role", "start", "end"),
    [
        ("Shinzo Abe", "Prime Minister", "2006-09-26", "2007-09-26"),
        ("Shinzo Abe", "Prime Minister", "2012-12-26", "2020-09-16"),
        ("Yoshihide Suga", "Chief Cabinet Secretary", "2012-12-26", "2020-09-16"),
        ("Yoshihide Suga", "Prime Minister", "2020-09-16", "2021-10-04"),
        ("Fumio Kishida", "Foreign Minister", "2012-12-26", "2017-08-03"),
        ("Fumio Kishida", "Prime Minister", "2021-10-04", "2024-10-01"),
        ("Shigeru Ishiba", "Prime Minister", "2024-10-01", "2025-10-21"),
        ("Sanae Takaichi", "Prime Minister", "2025-10-21", ""),
        ("Sergey Lavrov", "Foreign Minister", "2004-03-09", ""),
        ("Vladimir Putin", "President", "2012-05-07", ""),
        ("Vladimir Putin", "Prime Minister", "2008-05-08", "2012-05-07"),
        ("Dmitry Medvedev", "President", "2008-05-07", "2012-05-07"),
        ("Dmitry Medvedev", "Prime Minister", "2012-05-08", "2020-01-16"),
        ("Mikhail Mishustin", "Prime Minister", "2020-01-16", ""),
        ("Yukio Hatoyama", "Prime Minister", "2009-09-16", "2010-06-08"),
        ("Sergei Shoigu", "Defence Minister", "2012-11-06", "2024-05-12"),
    ],
)
def test_exact_terms(name: str, role: str, start: str, end: str) -> None:
    assert any(
        r["name"] == name and r["role"] == role and r["start"] == start and r["end"] == end
        for r in _rows()
    ), f"missing exact term {name} {role} {start}..{end or 'present'}"


def test_hatoyama_is_not_serving_after_2010() -> None:
    rows = [r for r in _rows() if r["name"] == "Yukio Hatoyama"]
    assert rows
    assert all(r["end"] and r["end"] <= "2010-06-08" for r in rows)


def test_putin_acting_presidency_overlaps_premiership() -> None:
    # acting President from 1999-12-31 while still Prime Minister until 2000-05-07
    assert _holds("Vladimir Putin", "President", "2000-01-15", "RUS")
    assert _holds("Vladimir Putin", "Prime Minister", "2000-01-15", "RUS")
    assert _holds("Vladimir Putin", "Prime Minister", "1999-08-20", "RUS")


def test_japanese_defence_agency_era_is_covered() -> None:
    # Directors-General of the Defense Agency (before 2007) are coded as Defence Minister
    assert _holds("Gen Nakatani", "Defence Minister", "2002-01-01", "JPN")
    assert _holds("Fumio Kyuma", "Defence Minister", "1997-06-01", "JPN")
