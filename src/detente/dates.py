"""Date expressions in a sentence, resolved against the document's publication date.

Finds explicit ("March 18, 2014"), yearless ("March 10", "in May") and relative ("last
September", "two years ago") expressions for event dates (EVENTS.md section 4). Regular
expressions and calendar arithmetic only: dateparser and dateutil resolve "last September" or
"March 10 to 15" wrongly, and a regex pass is fast enough for bulk runs.

>>> import datetime
>>> [r.date for r in find_dates("Japan imposed sanctions last fall.", datetime.date(2015, 3, 25))]
['2014-09']
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, NamedTuple

from detente.date_input import Precision, first_day, parse_date
from detente.known_events import load_known_events

__all__ = ["PERIODS", "DateRef", "Period", "Precision", "event_date", "find_dates",
           "infer_publication_date", "next_period", "number_of", "period_key",
           "period_start", "period_starts", "shifted"]


@dataclass(frozen=True)
class DateRef:
    """A resolved date expression, or the document date when the sentence has none.

    >>> DateRef("2015-03-10", "day", "text", "March 10 to 15", 20, 34, "2015-03-15").end_date
    '2015-03-15'
    """

    date: str
    precision: Precision
    source: Literal["text", "document"]
    text: str
    start: int
    end: int
    end_date: str | None = None


# --- vocabulary -----------------------------------------------------------------------------

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_MONTHS = MappingProxyType({name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES, 1)})
_MONTH_WORDS = frozenset({name.lower() for name in _MONTH_NAMES} | set(_MONTHS) | {"sept"})
_WEEKDAYS = MappingProxyType({name.lower(): i for i, name in enumerate(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))})
_SEASON_START = MappingProxyType({"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12})
_STEP = MappingProxyType({"last": -1, "past": -1, "this past": -1, "next": 1, "this coming": 1,
                          "this": 0, "the": 0})
_PART_MONTH = MappingProxyType({"end": 12, "late": 12, "beginning": 1, "start": 1, "early": 1,
                                "middle": 6, "mid": 6})
_NUMBER_WORDS = MappingProxyType({"a": 1, "an": 1} | {w: i for i, w in enumerate(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"], 1)})
_ORDINAL_WORDS = MappingProxyType({"fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
                                   "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
                                   "twenty-first": 21})

# Month names are matched case-sensitively (Title or UPPER case) so that the modal "may" and
# "the march on Moscow" never count; abbreviations only count next to a day or a year.
# A digit may follow directly, as in the typo "November19 2014".
_FULLMON = r"\b(?:" + "|".join(_MONTH_NAMES + tuple(n.upper() for n in _MONTH_NAMES)) + \
    r")(?![A-Za-z])"
_ABBR = r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?![A-Za-z])\.?"
_MON = rf"(?:{_FULLMON}|{_ABBR})"
_MON_I = r"(?i:(?:" + "|".join(n.lower() for n in _MONTH_NAMES) + \
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?)"
_WD_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_WD = rf"\b(?:{_WD_NAMES})\b"
_DAYN = r"(?:[12]\d|3[01]|0?[1-9])"
_DAY = rf"{_DAYN}(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"[12]\d{3}(?!\d)"
_BARE_YEAR = r"(?:18|19|20)\d{2}"
_TIME = r"(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?"  # seconds and zone after HH:MM
# Numbers that look like years but count things: "the 2000 troops".
_QUANTITY = (r"(?i:troops|soldiers|personnel|people|persons|residents|refugees|civilians|migrants|"
             r"workers|members|employees|men|women|children|students|delegates|votes|deaths|"
             r"cases|tons|tonnes|barrels|km|kilometers|kilometres|miles|meters|metres|feet|"
             r"hectares|acres|dollars|yen|rubles|roubles|euros|pounds|units|vehicles|tanks|"
             r"missiles|aircraft|planes|ships|companies|firms)\b")
_ORD = r"(?:\d{1,2}(?:st|nd|rd|th)|(?i:" + "|".join(_ORDINAL_WORDS) + r"))"
_SEASON = r"(?i:spring|summer|fall|autumn|winter)"
_REL = r"(?P<rel>(?i:this\s+past|this\s+coming|last|this|next))"

# A relative or yearless date in a clause with one of these is read forward ("Abe will visit
# Russia in May"); everywhere else it is the latest such date on or before publication.
_FUTURE = re.compile(r"\b(?:will|shall|won['’]t|expected|anticipated|scheduled|upcoming|"
                     r"(?:plans?|planning|set|going|intends?)\s+to|due|ahead\s+of|"
                     r"in\s+preparation\s+for)\b|['’]ll\b", re.IGNORECASE)
# Clause boundaries: semicolons, colons (not in times), dashes between spaces, em dashes,
# and commas before a conjunction or relative pronoun. Brackets are handled in _Ctx.
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_CLAUSE_BREAK = re.compile(
    r"[;—]|(?<!\d):(?!\d)|\s[–-]\s|,(?=\s+(?i:and|but|while|whereas|although|though|"
    r"which|who|when|where|because|since|after|before|so|yet|as)\b)")
# Sentences without any of these cannot hold a date; most news sentences are rejected here.
_TRIGGER = re.compile(r"\d|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|day|week|"
                      r"month|year|ago|tonight|tomorrow|spring|summer|fall|autumn|winter|centur)")


def is_month(word: str) -> bool:
    """A month's name or its abbreviation: "October", "Oct.", "Sept"."""
    return word.rstrip(".").lower() in _MONTH_WORDS


def _month_num(text: str) -> int:
    return _MONTHS[text.rstrip(".").lower()[:3]]


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _step(words: str) -> int:
    return _STEP[" ".join(words.lower().split())]


def _shift_month(year: int, month: int, k: int) -> tuple[int, int]:
    y, m0 = divmod(year * 12 + month - 1 + k, 12)
    return y, m0 + 1


class _Cand(NamedTuple):
    start: int
    end: int
    date: str
    precision: Precision
    end_date: str | None
    explicit: bool  # a year is written in the text; explicit candidates beat relative ones
    relative: bool = False  # counted from the reference ("yesterday"), no day or month written
    shift: tuple[int, str] | None = None  # counted from the story: (count, unit), date unset


class _Ctx:
    """Per-call state: the sentence, the reference date, its precision, the date the
    story has reached before the sentence and lazily computed clauses."""

    __slots__ = ("_breaks", "_future", "_parens", "narrative", "precision", "ref", "sentence")

    def __init__(self, sentence: str, ref: dt.date | None, precision: Precision = "day",
                 narrative: DateRef | None = None) -> None:
        self.sentence, self.ref, self.precision = sentence, ref, precision
        self.narrative = narrative
        self._breaks: list[int] = []
        self._parens: list[tuple[int, int]] | None = None
        self._future: tuple[tuple[int, int], ...] | None = None

    def clause(self, pos: int) -> int:
        """Clause number of a char offset. A bracketed aside is a clause of its own, and the
        text after it continues the clause before it ("will meet at the (APEC) summit")."""
        if self._parens is None:
            self._parens = [m.span() for m in _BRACKETED.finditer(self.sentence)]
            masked = _BRACKETED.sub(lambda m: " " * len(m.group()), self.sentence)
            self._breaks = [m.start() for m in _CLAUSE_BREAK.finditer(masked)]
        for i, (start, end) in enumerate(self._parens):
            if start <= pos < end:
                return -1 - i
        return bisect.bisect_right(self._breaks, pos)

    def future(self, pos: int) -> bool:
        """A future cue earlier in the same clause: "will meet on Tuesday" looks forward,
        "agreed on Friday that talks will resume" does not."""
        if self._future is None:
            self._future = tuple((self.clause(m.start()), m.start())
                                 for m in _FUTURE.finditer(self.sentence))
        here = self.clause(pos)
        return any(clause == here and start < pos for clause, start in self._future)


#: A month (and day) followed by "(of) that year": the year written before it.
_THAT_YEAR = re.compile(r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]+\.?"
                        r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+(?:of\s+)?that\s+year\b",
                        re.IGNORECASE)
_WRITTEN_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")


def _yearless(ctx: _Ctx, pos: int, month: int, day: int | None) -> int | None:
    """Year for a month (and day) written without one. "In October of that year" takes
    the last year written before it in the sentence ("the 1956 declaration, signed in
    October of that year"). In a narrative that has moved to an earlier year ("on 7 August
    2008 … on 12 August"), the one nearest that date; else the latest on or before the
    reference, or the earliest on or after it in a future-tense clause. A reference known
    only to the year gives its year. None without a reference."""
    if _THAT_YEAR.match(ctx.sentence, pos):
        written = _WRITTEN_YEAR.findall(ctx.sentence, 0, pos)
        if written:
            return int(written[-1])
    ref = ctx.ref
    if ref is None:
        return None
    forward = ctx.future(pos)
    story = first_day(ctx.narrative.date) if ctx.narrative is not None else None
    if story is not None and not forward and story.year < ref.year:
        # A story moves forward: the first such date from the story's, if not later
        # than the reference ("in August 1990 … On 10 July" is 1991).
        here_day = day or 28
        options = [dt.date(y, month, day or 1) for y in range(story.year, ref.year + 1)
                   if _valid(y, month, day or 1) and dt.date(y, month, here_day) >= story
                   and dt.date(y, month, day or 1) <= ref]
        if options:
            return options[0].year
    if ctx.precision == "year":
        return ref.year
    if ctx.precision == "month":  # "March 10" in a text of February 2024: before its end
        ref = _period_end(ref, "month")
    here, there = (month, day or 0), (ref.month, ref.day if day else 0)
    year = ref.year + (1 if forward and here < there else -1 if not forward and here > there else 0)
    # February 29 falls back (or forward) to the nearest leap year.
    for _ in range(9):
        if day is None or _valid(year, month, day):
            return year
        year += 1 if forward else -1
    return None


def _period_end(day: dt.date, precision: Precision) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _period_middle(day: dt.date, precision: Precision) -> dt.date:
    """The reference for relative expressions when the text's date is a year or a month:
    "last month" in a text of 2019 is some month of 2019, not December 2018."""
    if precision == "year":
        return dt.date(day.year, 7, 1)
    return dt.date(day.year, day.month, 15) if precision == "month" else day


_ORDER: dict[str, int] = {"year": 0, "month": 1, "day": 2}


def _coarsen(c: _Cand, precision: Precision) -> _Cand:
    """A relative date resolved against a year or month keeps that precision at most:
    "yesterday" in a text dated 2019 is 2019, never a made-up day."""
    if not c.relative or _ORDER[c.precision] <= _ORDER[precision]:
        return c
    width = 4 if precision == "year" else 7
    return c._replace(date=c.date[:width], precision=precision,
                      end_date=c.end_date[:width] if c.end_date else None)


def _cand(span: tuple[int, int], date: str, precision: Precision, explicit: bool,
          end_date: str | None = None) -> _Cand:
    return _Cand(span[0], span[1], date, precision, end_date, explicit)


def _counted(span: tuple[int, int], date: str, precision: Precision) -> _Cand:
    """A date counted from the reference ("last week", "on Tuesday", "two days ago")."""
    return _Cand(span[0], span[1], date, precision, None, False, True)


# --- handlers: one per pattern, each yields candidates -------------------------------------

_Handler = Callable[[re.Match[str], _Ctx], Iterator[_Cand]]


def _h_month_day(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'March 18, 2014', '18 Mar', '2014-03-18', 'March 2014' (the last has no day group)."""
    mo = int(m["m"]) if m["m"].isdigit() else _month_num(m["m"])
    d = m.groupdict().get("d")
    if d is None:
        yield _cand(m.span(), _iso(int(m["y"]), mo), "month", True)
        return
    year = int(m["y"]) if m["y"] else _yearless(ctx, m.start(), mo, int(d))
    if year is not None and _valid(year, mo, int(d)):
        yield _cand(m.span(), _iso(year, mo, int(d)), "day", bool(m["y"]))


def _h_bare_month(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    mo = _month_num(m["m"])
    year = _yearless(ctx, m.start("m"), mo, None)
    if year is not None:
        yield _cand(m.span("m"), _iso(year, mo), "month", False)


def _h_year(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    yield _cand(m.span("y"), m["y"], "year", True)


def _h_decade(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    start = int(m["dec"])
    first, last = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get((m["part"] or "").lower(),
                                                                       (0, 9))
    yield _cand(m.span(), str(start + first), "year", True, str(start + last))


def _ordinal(text: str) -> int:
    return _ORDINAL_WORDS.get(text.lower()) or int(text[:-2])


def _h_century(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    first, last = _ordinal(m["c1"]), _ordinal(m["c2"] or m["c3"] or m["c1"])
    if 1 <= first <= last <= 21:
        yield _cand(m.span(), _iso((first - 1) * 100), "year", True, _iso(last * 100 - 1))


def _h_season_year(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    # "winter 2015" is dated to the part of that winter falling in 2015, its January.
    month = _SEASON_START[m["s"].lower()] % 12 or 1
    yield _cand(m.span(), _iso(int(m["y"]), month), "month", True)


def _h_part(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'the end of 2014', 'mid-2016', 'late March', 'the end of the year', 'early next year'."""
    part, what, ref = m["part"].lower(), m["what"], ctx.ref
    if part == "end" and m.groupdict().get("sep", "-") != "-":
        return  # "end 2014" is not an expression; "end-2014" is
    if what[0].isdigit():
        yield _cand(m.span(), _iso(int(what), _PART_MONTH[part]), "month", True)
        return
    rel, _, unit = what.lower().partition(" ")
    if unit.strip() in ("year", "month"):
        if ref is not None:
            y, mo = ref.year + _step(rel), _PART_MONTH[part]
            if unit.strip() == "month":
                y, mo = _shift_month(ref.year, ref.month, _step(rel))
            yield _cand(m.span(), _iso(y, mo), "month", False)
        return
    atom = _ATOM.fullmatch(what)
    if atom is None:
        return
    mo = _month_num(atom["m3"])
    year = int(atom["y"]) if atom["y"] else _yearless(ctx, m.start(), mo, None)
    if year is not None:
        yield _cand(m.span(), _iso(year, mo), "month", bool(atom["y"]))


def _h_rel_unit(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'last/this/next week|month|year', 'earlier this year'. A week gives the month of the
    reference date plus or minus seven days: the text does not say which day it means,
    and a made-up day would pass for one it gave (annotation guide §10)."""
    ref = ctx.ref
    if ref is None:
        return
    step, unit = _step(m["rel"]), m["unit"].lower()
    if unit == "week":
        yield _counted(m.span(), (ref + dt.timedelta(days=7 * step)).isoformat()[:7], "month")
    elif unit == "month":
        yield _counted(m.span(), _iso(*_shift_month(ref.year, ref.month, step)), "month")
    else:
        yield _cand(m.span(), _iso(ref.year + step), "year", False)


def _h_rel_month(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'last September' is the latest September strictly before the reference month."""
    ref, mo = ctx.ref, _month_num(m["m"])
    if ref is None:
        return
    step = _step(m["rel"])
    # "last March" in March is a year back, as is "next March" a year ahead.
    year = ref.year + (step if (mo - ref.month) * step <= 0 else 0)
    yield _cand(m.span(), _iso(year, mo), "month", False)


def _h_rel_season(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """Seasons as three months from their first (winter starts in December). 'last fall' is
    the latest fall wholly before the reference month, 'next spring' the first one after it."""
    ref = ctx.ref
    if ref is None:
        return
    first, now = _SEASON_START[m["s"].lower()], ref.year * 12 + ref.month - 1
    step = _step(m["rel"])
    if step < 0:
        start = max(y * 12 + first - 1 for y in range(ref.year - 2, ref.year + 1)
                    if y * 12 + first + 1 < now)
    elif step > 0:
        start = min(y * 12 + first - 1 for y in range(ref.year, ref.year + 2)
                    if y * 12 + first - 1 > now)
    else:  # "this winter" in January or February is the winter that began in December
        year = ref.year - 1 if first == 12 and ref.month <= 2 else ref.year
        start = year * 12 + first - 1
    yield _cand(m.span(), _iso(start // 12, start % 12 + 1), "month", False)


def _h_weekday(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'on Tuesday' is the latest Tuesday on or before the reference, 'last Tuesday' strictly
    before. A bare weekday counts only with such a word or as "Tuesday's" ("Sunday Times")."""
    ref, rel = ctx.ref, " ".join((m["rel"] or "").lower().split())
    if ref is None or not (rel or m["poss"]):
        return
    wd, step = _WEEKDAYS[m["wd"].lower()], _STEP.get(rel, 0)
    if step > 0:
        delta = (wd - ref.weekday()) % 7 or 7
    elif step < 0:
        delta = -((ref.weekday() - wd) % 7 or 7)
    elif ctx.future(m.start("wd")):
        delta = (wd - ref.weekday()) % 7
    else:
        delta = -((ref.weekday() - wd) % 7)
    start = m.start() if step else m.start("wd")
    yield _counted((start, m.end("wd")), (ref + dt.timedelta(days=delta)).isoformat(), "day")


def _h_deictic(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    word, ref = m["w"], ctx.ref
    if ref is None:
        return
    before = ctx.sentence[:m.start()].split()
    if word[0].isupper() and before and before[-1][:1].isupper():
        return  # "Russia Today", "USA Today": a name, not a date
    shift = {"yesterday": -1, "tomorrow": 1}.get(word.lower(), 0)
    yield _counted(m.span(), (ref + dt.timedelta(days=shift)).isoformat(), "day")


def _h_ago(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    ref = ctx.ref
    if ref is None:
        return
    n = number_of(m["n"])
    if n is None:
        return
    unit = m["unit"].lower()
    if unit in ("day", "week"):
        days = n * (7 if unit == "week" else 1)
        yield _counted(m.span(), (ref - dt.timedelta(days=days)).isoformat(), "day")
    elif unit == "month":
        yield _counted(m.span(), _iso(*_shift_month(ref.year, ref.month, -n)), "month")
    else:
        yield _cand(m.span(), _iso(ref.year - n * (10 if unit == "decade" else 1)), "year", False)


def _h_story(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'three days later', 'the next day', 'within hours': counted from the date before it
    in the sentence or the story's date; resolved in `_from_story`."""
    unit = (m["unit"] or m["unit2"] or "day").lower()
    counted = number_of(m["n"] or "1")
    n = 0 if m["within"] else 1 if counted is None else counted
    sign = -1 if (m["dir"] or m["dir2"] or "").lower() in {"earlier", "previous"} else 1
    yield _Cand(m.start(), m.end(), "", "day", None, False, True, (sign * n, unit))


def _from_story(cands: list[_Cand], ctx: _Ctx) -> list[_Cand]:
    """Dates counted from the story ('three days later') take the date just before them
    in the sentence, or the story's; without either they are dropped."""
    out: list[_Cand] = []
    anchor = (ctx.narrative.date, ctx.narrative.precision) if ctx.narrative else None
    for c in cands:
        if c.shift is None:
            out.append(c)
            anchor = (c.date, c.precision)
            continue
        if anchor is None:
            continue
        (count, unit), (date, precision) = c.shift, anchor
        iso, final = shifted(date, precision, count, unit)
        out.append(c._replace(date=iso, precision=final, shift=None))
    return out


def number_of(word: str) -> int | None:
    """A count written in digits or words ("3", "three", "a"), or None."""
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word.lower())


def shifted(date: str, precision: Precision, count: int, unit: str) -> tuple[str, Precision]:
    """`date` moved by `count` days, weeks, months or years, at the coarser of its own
    precision and the unit's ("three days later" than "2015-03" is still "2015-03").

    >>> shifted("2015-03-25", "day", -2, "day"), shifted("2015-03", "month", 3, "day")
    (('2015-03-23', 'day'), ('2015-03', 'month'))
    """
    start = first_day(date)
    prec: Precision
    if unit in ("day", "week"):
        day = start + dt.timedelta(days=count * (7 if unit == "week" else 1))
        iso, prec = day.isoformat(), "day"
    elif unit == "month":
        iso, prec = _iso(*_shift_month(start.year, start.month, count)), "month"
    else:
        iso, prec = _iso(start.year + count), "year"
    final = min(prec, precision, key=_ORDER.__getitem__)
    return iso[:{"year": 4, "month": 7, "day": 10}[final]], final


def _h_rel_year_md(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'March 18 last year', 'in May next year'."""
    atom, ref = _ATOM.fullmatch(m["atom"]), ctx.ref
    if atom is None or ref is None:
        return
    year = ref.year + _step(m["rel"])
    mo = _month_num(atom["m1"] or atom["m2"] or atom["m3"])
    day = atom["d1"] or atom["d2"]
    if day is None:
        yield _cand(m.span(), _iso(year, mo), "month", False)
    elif _valid(year, mo, int(day)):
        yield _cand(m.span(), _iso(year, mo, int(day)), "day", False)


def _atom_parts(text: str) -> tuple[int | None, int | None, int | None, int | None] | None:
    """(year, month, day, two-digit year) of one side of a range, or None."""
    a = _ATOM.fullmatch(text)
    if a is None:
        return None
    mon = a["m1"] or a["m2"] or a["m3"]
    day = a["d1"] or a["d2"] or a["d3"]
    year = a["y"] or a["y0"]
    return (int(year) if year else None, _month_num(mon) if mon else None,
            int(day) if day else None, int(a["yy"]) if a["yy"] else None)


def _h_range(m: re.Match[str], ctx: _Ctx) -> Iterator[_Cand]:
    """'March 10 to 15', '10-15 March', 'from 2012 to 2020', 'between 2014 and 2016',
    'November 2013 to February 2014', 'on 20 and 21 April'. Other 'X and Y' without
    'between' are two dates sharing a year."""
    a, b = _atom_parts(m["a"]), _atom_parts(m["b"])
    if a is None or b is None:
        return
    (ay, am, ad, _), (by, bm, bd, byy) = a, b
    # "in 2014 and 2016", "in March and May" are two dates; "on 20 and 21 April", two
    # days of one month, are one span, like "20-21 April".
    separate = m["conn"].lower() == "and" and (m["pre"] or "").lower() != "between" \
        and not (ad is not None and bd is not None and (am is None or bm in (None, am)))
    # "10 to 12 troops" counts troops; "20 to 21 August troops invaded" dates them
    if m["b"].isdigit() and _QUANTITY_AFTER.match(ctx.sentence, m.end()):
        return
    if am is None and ad is None:  # years: "2014-2016", "1941-45"
        if ay is None or bm is not None or (by is None and byy is None and bd is None):
            return
        end = by if by is not None else ay // 100 * 100 + (byy if byy is not None else bd or 0)
        if not (1800 <= ay < end <= 2099):
            return
        if separate:
            yield _cand(m.span("a"), str(ay), "year", True)
            yield _cand(m.span("b"), str(end), "year", True)
        else:
            yield _cand(m.span(), str(ay), "year", True, str(end))
        return
    am, bm = am or bm, bm or am  # a bare day borrows the other side's month: "10-15 March"
    if am is None or bm is None or (ad is None) != (bd is None):
        return
    explicit = ay is not None or by is not None
    if ay is None and by is not None:
        ay = by - ((am, ad or 0) > (bm, bd or 0))
    elif ay is None:
        ay = _yearless(ctx, m.start(), am, ad)
        if ay is None:
            return
    if by is None:
        by = ay + ((bm, bd or 0) < (am, ad or 0))
    prec: Precision
    if ad is None or bd is None:
        first, last, prec = _iso(ay, am), _iso(by, bm), "month"
    elif _valid(ay, am, ad) and _valid(by, bm, bd):
        first, last, prec = _iso(ay, am, ad), _iso(by, bm, bd), "day"
    else:
        return
    if separate:
        yield _cand(m.span("a"), first, prec, explicit)
        yield _cand(m.span("b"), last, prec, explicit)
    elif last > first:
        yield _cand(m.span(), first, prec, explicit, last)


# --- patterns, compiled once ----------------------------------------------------------------

_QUANTITY_AFTER = re.compile(rf"\s+{_QUANTITY}")
_ATOM = re.compile(
    rf"(?:(?P<m1>{_MON})\s*(?P<d1>{_DAYN})(?:st|nd|rd|th)?|(?P<d2>{_DAYN})(?:st|nd|rd|th)?\s+"
    rf"(?:of\s+)?(?P<m2>{_MON})|(?P<m3>{_MON})|(?P<d3>{_DAYN})(?:st|nd|rd|th)?|(?P<y0>\d{{4}})"
    rf"|(?P<yy>\d{{2}}))(?:,?\s*(?P<y>\d{{4}}))?")
_SIDE = (rf"{_MON}\s*{_DAY}(?:,?\s*{_YEAR})?|{_DAY}\s+(?:of\s+)?{_MON}(?:,?\s*{_YEAR})?"
         rf"|{_MON}(?:,?\s*{_YEAR})?|{_DAY}(?:,\s*{_YEAR})?|{_YEAR}")
_WHAT = rf"{_YEAR}|{_MON}(?:,?\s*{_YEAR})?|(?i:(?:the|this|last|next)\s+(?:year|month))"
_PATTERNS: tuple[tuple[re.Pattern[str], _Handler], ...] = tuple(
    (re.compile(p), h) for p, h in (
        ((r"(?<![\d-])(?P<y>[12]\d{3})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])"
          rf"(?:[T ]\d{{2}}:\d{{2}}{_TIME})?(?![\d-])"), _h_month_day),
        ((rf"(?:{_WD},?\s+)?(?P<m>{_MON})\s*(?P<d>{_DAYN})(?:st|nd|rd|th)?(?!\d)"
          rf"(?:,?\s*(?P<y>{_YEAR}))?"), _h_month_day),
        ((rf"(?:{_WD},?\s+)?(?<![\d,.])\b(?P<d>{_DAYN})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MON})"
          rf"(?:,?\s*(?P<y>{_YEAR}))?"), _h_month_day),
        (rf"(?P<m>{_MON}),?\s*(?P<y>{_YEAR})", _h_month_day),
        ((rf"\b(?i:in|since|until|till|by|during|from|before|after|through|throughout|of|around)"
          rf"\s+(?P<m>{_FULLMON})(?!\s*\d)(?!['’]s)"), _h_bare_month),
        ((rf"(?:^\s*|\b(?i:in|of|since|from|until|till|to|through|throughout|by|during|before|"
          rf"after|between|and|for|around|circa|c\.|year|the|fiscal)\s+)(?P<y>{_BARE_YEAR})"
          rf"(?![\d%]|[,.]\d)(?!\s+{_QUANTITY})"), _h_year),
        (rf"\b(?P<y>{_BARE_YEAR})(?=['’]s\b)", _h_year),
        (rf"\((?P<y>{_BARE_YEAR})\)", _h_year),  # a gloss: "this year (2013)"
        (r"\b(?:(?P<part>(?i:early|mid|late))[-\s]+)?(?P<dec>1\d{2}0|20\d0)['’]?s\b", _h_decade),
        ((rf"\b(?P<c1>{_ORD})(?:\s+(?:and|to|through|or)\s+(?:the\s+)?(?P<c2>{_ORD})|[-–]"
          rf"(?P<c3>{_ORD}))?[-\s]+(?i:century|centuries)\b"), _h_century),
        (rf"\b(?P<s>{_SEASON})(?:\s+of)?\s+(?P<y>{_YEAR})", _h_season_year),
        (rf"\b(?:(?i:the)\s+)?(?P<part>(?i:end|beginning|start|middle))\s+of\s+(?P<what>{_WHAT})",
         _h_part),
        (rf"\b(?P<part>(?i:early|late|mid|end))(?P<sep>-|\s+)(?P<what>{_WHAT})", _h_part),
        ((rf"(?<!\bthe\s)(?<!\bThe\s)\b(?:(?i:earlier|later)\s+)?{_REL}\s+"
          r"(?P<unit>(?i:week|month|year))\b"), _h_rel_unit),
        (rf"\b{_REL}\s+(?P<m>{_FULLMON}|{_ABBR})(?!\s*\d)", _h_rel_month),
        ((r"\b(?P<rel>(?i:this\s+past|this\s+coming|last|this|next|past))\s+"
          rf"(?P<s>{_SEASON})\b(?!\s+(?:of\s+)?\d)"), _h_rel_season),
        ((r"\b(?:(?P<rel>(?i:this\s+past|this\s+coming|on|last|next|this|late|early|by|since|"
          rf"until))\s+)?(?P<wd>{_WD})(?P<poss>['’]s\b)?"), _h_weekday),
        (r"\b(?P<w>(?i:yesterday|today|tonight|tomorrow))\b", _h_deictic),
        ((r"\b(?i:(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
          r"twelve)\s+(?P<unit>day|week|month|year)s?\s+(?P<dir>later|earlier)|the\s+"
          r"(?P<dir2>next|following|previous)\s+(?P<unit2>day|week|month|year)|"
          r"(?P<within>within\s+(?:(?:\w+|a\s+few)\s+)?(?:hours|days|a\s+day)|the\s+same\s+day|"
          r"that\s+day))\b"),
         _h_story),
        ((r"\b(?P<n>\d{1,3}|(?i:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
          r"twelve))\s+(?P<unit>(?i:day|week|month|year|decade))s?\s+(?i:ago)\b"), _h_ago),
        ((rf"(?P<atom>{_MON}\s*{_DAY}|{_DAY}\s+(?:of\s+)?{_MON}|{_FULLMON})\s+"
          r"(?P<rel>(?i:last|this|next))\s+(?i:year)\b"), _h_rel_year_md),
        ((rf"(?<![\w.,'’-])(?:(?P<pre>(?i:from|between))\s+)?(?P<a>{_SIDE})\s*"
          rf"(?P<conn>[-–—]|(?i:to|through|until|till|and)\b)\s*(?P<b>{_SIDE}|\d{{2}}(?!\d))"),
         _h_range),
    ))
_PAREN_GAP = re.compile(r"\s*[(\[]\s*")
_PAREN_CLOSE = re.compile(r"\s*[)\]]")


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Non-overlapping candidates: longest first, then explicit years over relative words."""
    chosen: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, not c.explicit, c.start)):
        if all(c.end <= o.start or c.start >= o.end for o in chosen):
            chosen.append(c)
    chosen.sort()
    return chosen


def _merge_parentheses(sentence: str, cands: list[_Cand]) -> list[_Cand]:
    """'next month (November 2014)': a date in brackets glosses the one before it, and the
    explicit one of the two wins. The merged span covers both."""
    out: list[_Cand] = []
    for c in cands:
        prev = out[-1] if out else None
        close = _PAREN_CLOSE.match(sentence, c.end)
        if (prev is not None and close and prev.explicit != c.explicit
                and _PAREN_GAP.fullmatch(sentence, prev.end, c.start)):
            win = c if c.explicit else prev
            out[-1] = win._replace(start=prev.start, end=close.end())
        else:
            out.append(c)
    return out


# --- public API -----------------------------------------------------------------------------


def find_dates(sentence: str, reference: dt.date | None, precision: Precision = "day",
               narrative: DateRef | None = None) -> list[DateRef]:
    """Every date expression in `sentence`, in text order, resolved against `reference`.

    `precision` is the reference's own (a text dated only "2019" has year precision);
    `narrative` is the date the story has reached before the sentence: "three days later"
    counts from it, and a yearless "on 12 August" in a story of an earlier year takes the
    first such date from it. Overlapping matches
    keep the longest. Without a reference, only expressions that write their year are
    returned.

    >>> [(r.text, r.date) for r in find_dates("He visited on March 18 last year.",
    ...                                       dt.date(2015, 3, 25))]
    [('March 18 last year', '2014-03-18')]
    >>> [r.date for r in find_dates("He left yesterday.", dt.date(2019, 1, 1), "year")]
    ['2019']
    """
    if not _TRIGGER.search(sentence):
        return []
    ctx = _Ctx(sentence, reference, precision, narrative)
    if reference is not None and precision != "day":
        ctx.ref = _period_middle(reference, precision)
    cands = [_coarsen(c, precision) for pattern, handler in _PATTERNS
             for m in pattern.finditer(sentence) for c in handler(m, ctx)]
    return [DateRef(c.date, c.precision, "text", sentence[c.start:c.end], c.start, c.end,
                    c.end_date)
            for c in _from_story(_merge_parentheses(sentence, _select(cands)), ctx)]


def event_date(sentence: str, reference: dt.date | None,
               anchor: int | None = None) -> DateRef | None:
    """The date of an event whose verb sits at char offset `anchor` in `sentence`.

    Takes the expression nearest the anchor, preferring one in the same clause (and, at equal
    distance, one after the verb); without an anchor, the first expression. Falls back to the
    publication date (source "document"), or None when there is neither.

    >>> s = "Japan imposed sanctions in 2014 and will meet Russia next month."
    >>> event_date(s, dt.date(2015, 3, 25), anchor=s.index("imposed")).date
    '2014'
    >>> event_date("Japan protested.", dt.date(2015, 3, 25)).source
    'document'
    """
    refs = find_dates(sentence, reference)
    if refs:
        if anchor is None:
            return refs[0]
        ctx = _Ctx(sentence, reference)
        here = ctx.clause(anchor)

        def rank(r: DateRef) -> tuple[bool, int, bool]:
            gap = r.start - anchor if anchor < r.start else max(anchor - r.end + 1, 0)
            return ctx.clause(r.start) != here, gap, r.start < anchor

        return min(refs, key=rank)
    if reference is None:
        return None
    return DateRef(reference.isoformat(), "day", "document", "", -1, -1)


_LINE_LABEL = re.compile(rf"(?i:published|posted|updated|last\s+updated|dated|date)(?:\s+on)?"
                         rf"\s*:?\s*|(?i:{_WD_NAMES}),?\s+")
_LINE_TIME = re.compile(r"(?:\s*(?:,|\||at|-|·)\s*|\s+)\d{1,2}:\d{2}\b.*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|\n+")
_DATELINE = re.compile(rf"^[ \t]*[A-Z][A-Za-z.'’ -]{{1,40}}?,[ \t]+(?P<date>(?P<m>{_MON})\s*"
                       rf"(?P<d>{_DAYN})(?!\d)(?:,?\s*(?P<y>{_YEAR}))?)\s*(?:\([^)\n]{{1,40}}\))?"
                       r"\s*[-–—]", re.MULTILINE)


# "next month (November 2014)": a bracketed date right after a forward-looking phrase.
_FUTURE_BEFORE = re.compile(r"\b(?:next|coming|upcoming|will|planned|scheduled)\b[^.;]{0,20}$", re.IGNORECASE)


def infer_publication_date(text: str) -> tuple[dt.date, str] | None:
    """Guess the publication date of a document that has none in its metadata.

    Rules, in order: a line near the top holding only a date ("25 Mar 2015"); a news dateline
    with a year ("TOKYO, March 3, 2015 (Reuters) -"); the latest day- or month-precision date
    with a written year anywhere in the text, outside future-tense clauses (a month counts as
    its first day).

    >>> infer_publication_date("Japan and Russia\\n\\n25 Mar 2015\\n\\nTalks resumed.")
    (datetime.date(2015, 3, 25), "date line near the top: '25 Mar 2015'")
    """
    for line in [line.strip() for line in text.splitlines() if line.strip()][:12]:
        if len(line) > 60:
            continue
        bare = _LINE_TIME.sub("", _LINE_LABEL.sub("", line)).strip(" ,.")
        try:
            iso, precision = parse_date(bare)
        except ValueError:
            continue
        if precision == "day":
            return dt.date.fromisoformat(iso), f"date line near the top: {line!r}"
    for m in _DATELINE.finditer(text, 0, 3000):
        if m["y"] and _valid(int(m["y"]), _month_num(m["m"]), int(m["d"])):
            day = dt.date(int(m["y"]), _month_num(m["m"]), int(m["d"]))
            return day, f"dateline: {m.group().strip(' -–—')!r}"
    anchored = _anchored_year(text)
    best: tuple[dt.date, DateRef] | None = None
    for sentence in _SENTENCE_SPLIT.split(text):
        ctx = _Ctx(sentence, None)
        for ref in find_dates(sentence, None):
            # Planned events ("Abe will visit in May 2016") don't say when the text was written.
            if ref.precision == "year" or ctx.future(ref.start) or _FUTURE_BEFORE.search(
                    sentence, max(0, ref.start - 30), ref.start):
                continue
            for bound in (ref.date, ref.end_date):
                if bound is not None:
                    day = dt.date.fromisoformat(bound if len(bound) == 10 else bound + "-01")
                    if best is None or day > best[0]:
                        best = day, ref
    if anchored is not None and (best is None or anchored[0] > best[0]):
        return anchored
    if best is None:
        return None
    return best[0], f"latest explicitly dated reference in the text: {best[1].text!r}"


def _anchors() -> tuple[tuple[re.Pattern[str], dt.date, str], ...]:
    """Well-known events dated to the day (data/known_events.csv), for undated analyses."""
    return tuple((e.pattern, first_day(e.date), e.name) for e in load_known_events()
                 if len(e.date) == 10)


_RELATIVE_YEAR = re.compile(r"\b(?:(last|this|next) year|(\w+) years? ago)\b", re.IGNORECASE)


def _anchored_year(text: str) -> tuple[dt.date, str] | None:
    """A publication year from a known event dated relative to the text: "two years ago
    Moscow absorbed Crimea" puts the text in 2016. Within that year the latest date
    the text gives without a year is taken (or 1 January)."""
    for sentence in _SENTENCE_SPLIT.split(text):
        match = _RELATIVE_YEAR.search(sentence)
        if not match:
            continue
        for pattern, day, event in _anchors():
            if not pattern.search(sentence):
                continue
            offset = {"last": 1, "this": 0, "next": -1}.get((match[1] or "").lower())
            if offset is None:
                offset = number_of(match[2])
            if offset is None:
                continue
            year = day.year + offset
            latest = _latest_in_year(text, year)
            why = f"{event} ({day.isoformat()}) is dated {match[0]!r}"
            return (latest[0], f"{why}; latest date in {year}: {latest[1]!r}") if latest \
                else (dt.date(year, 1, 1), why)
    return None


def _latest_in_year(text: str, year: int) -> tuple[dt.date, str] | None:
    reference = dt.date(year, 12, 31)
    best: tuple[dt.date, str] | None = None
    for sentence in _SENTENCE_SPLIT.split(text):
        for ref in find_dates(sentence, reference):
            if ref.precision == "day" and ref.date.startswith(f"{year}-") and \
                    not re.search(r"\d{4}", ref.text) and "year" not in ref.text:
                day = dt.date.fromisoformat(ref.end_date or ref.date)
                if best is None or day > best[0]:
                    best = day, ref.text
    return best


# --- periods: the months, quarters and years that timelines count events in ---------------

Period = Literal["month", "quarter", "year"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "year")
_PERIOD_MONTHS = MappingProxyType({"month": 1, "quarter": 3, "year": 12})


def period_key(day: dt.date, by: Period) -> str:
    """The name of the period holding `day`.

    >>> [period_key(dt.date(2014, 3, 18), by) for by in PERIODS]
    ['2014-03', '2014-Q1', '2014']
    """
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if by == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def period_start(day: dt.date, by: Period) -> dt.date:
    """The first day of the period holding `day`."""
    months = _PERIOD_MONTHS[by]
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def next_period(start: dt.date, by: Period) -> dt.date:
    """The first day of the period after the one starting on `start`."""
    year, month = _shift_month(start.year, start.month, _PERIOD_MONTHS[by])
    return dt.date(year, month, 1)


def period_starts(first: dt.date, last: dt.date, by: Period) -> list[dt.date]:
    """Every period from the one holding `first` to the one holding `last`, in order.

    >>> period_starts(dt.date(2014, 2, 10), dt.date(2014, 7, 1), "quarter")
    [datetime.date(2014, 1, 1), datetime.date(2014, 4, 1), datetime.date(2014, 7, 1)]
    """
    starts, current = [], period_start(first, by)
    while current <= last:
        starts.append(current)
        current = next_period(current, by)
    return starts
