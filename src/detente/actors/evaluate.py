"""Score the actor resolver against PLOVER gold-standard records.

Each record of the PLOVER GSR file gives `source` and `target` lists of
`{actorText, code, sector}` and the sentence (`text`). Every actor text is resolved
with its sentence as context and the country code is compared:
  * the gold records code every international organisation as `IGO`, so a predicted
    international code (G7, EU, UN, ...) counts as `IGO`;
  * the GSR codes cities as the country they lie in (sector CVL); detente returns a
    place as "not an actor" with its country in `location`, and that country is
    compared (`strict_accuracy` gives no credit for places);
  * the gold files write Japan once as the non-ISO `JAP`; it is read as `JPN`.
All GSR dates are the placeholder 2000-01-01, so dates are not passed (use_dates=True
passes them anyway).

>>> report = evaluate_actors(Path("../shared/data-ext/plover/PLOVER_GSR_dev.json"))  # doctest: +SKIP
>>> round(report.accuracy, 3)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from detente.actors.resolver import ActorResolver
from detente.date_input import first_day, parse_date
from detente.errors import InputError

GOLD_CODE_FIXES = {"JAP": "JPN"}


@dataclass(frozen=True)
class ActorEvalItem:
    """One gold actor and what the resolver made of it."""

    record: str
    side: str
    text: str
    gold_code: str
    gold_sector: str
    code: str | None
    sector: str | None
    reason: str
    correct: bool
    correct_strict: bool


@dataclass(frozen=True)
class ActorEvalReport:
    """Accuracy of resolved country codes (and of sectors where the gold gives one)."""

    path: str
    n: int
    correct: int
    correct_strict: int
    sector_n: int
    sector_correct: int
    items: tuple[ActorEvalItem, ...] = field(repr=False, default=())

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def strict_accuracy(self) -> float:
        return self.correct_strict / self.n if self.n else 0.0

    @property
    def sector_accuracy(self) -> float:
        return self.sector_correct / self.sector_n if self.sector_n else 0.0

    @property
    def misses(self) -> list[ActorEvalItem]:
        return [i for i in self.items if not i.correct]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "n": self.n, "correct": self.correct,
                "accuracy": round(self.accuracy, 4),
                "strict_accuracy": round(self.strict_accuracy, 4),
                "sector_n": self.sector_n, "sector_correct": self.sector_correct,
                "sector_accuracy": round(self.sector_accuracy, 4),
                "misses": [asdict(m) for m in self.misses]}

    def to_table(self) -> Table:
        """A rich table: the figures, then every miss."""
        table = Table(title=f"Actor resolution on {Path(self.path).name}")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("actors scored", str(self.n))
        table.add_row("code accuracy", f"{self.accuracy:.3f} ({self.correct}/{self.n})")
        table.add_row("code accuracy, no credit for places",
                      f"{self.strict_accuracy:.3f} ({self.correct_strict}/{self.n})")
        table.add_row("sector accuracy (gold sector given)",
                      f"{self.sector_accuracy:.3f} ({self.sector_correct}/{self.sector_n})")
        for miss in self.misses:
            table.add_row(f"miss: {miss.text}",
                          f"gold {miss.gold_code}, got {miss.code or '-'} ({miss.reason})")
        return table


def _actors(side: Any) -> list[dict[str, Any]]:
    if isinstance(side, dict):
        side = [side]
    if not isinstance(side, list):
        return []
    return [a for a in side if isinstance(a, dict) and a.get("actorText") and a.get("code")]


def _gold_sector(value: Any) -> str:
    text = str(value or "").strip()
    return text[:3].upper() if text[:3].isalpha() else ""


def evaluate_actors(path: Path, extra_files: Sequence[Path] = (),
                    use_dates: bool = False) -> ActorEvalReport:
    """Resolve every gold actor of a PLOVER GSR JSON file and score the codes."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"Cannot read PLOVER gold records from {path}: {exc}.",
                         hint="Pass the PLOVER_GSR_dev.json file (a JSON array).") from exc
    if not isinstance(records, list):
        raise InputError(f"{path} is not a JSON array of PLOVER records.")
    resolver = ActorResolver(extra_files)
    international = resolver.registry.international
    items = []
    for record in records:
        if not isinstance(record, dict) or record.get("event") == "DOCUMENT":
            continue
        text = str(record.get("text") or "").strip("{} ")
        date = _date(record.get("date")) if use_dates else None
        for side in ("source", "target"):
            for actor in _actors(record.get(side)):
                gold = str(actor["code"]).strip().upper()
                gold = GOLD_CODE_FIXES.get(gold, gold)
                res = resolver.resolve(str(actor["actorText"]), date, text)
                code = "IGO" if res.code in international else res.code
                loose = res.location if res.is_place and res.location else code
                items.append(ActorEvalItem(
                    record=str(record.get("id", "")), side=side, text=str(actor["actorText"]),
                    gold_code=gold, gold_sector=_gold_sector(actor.get("sector")),
                    code=res.code, sector=res.sector, reason=res.reason,
                    correct=loose == gold, correct_strict=code == gold))
    scored_sector = [i for i in items if i.gold_sector]
    return ActorEvalReport(
        path=str(path), n=len(items), correct=sum(i.correct for i in items),
        correct_strict=sum(i.correct_strict for i in items), sector_n=len(scored_sector),
        sector_correct=sum(i.gold_sector == (i.sector or "") for i in scored_sector),
        items=tuple(items))


def _date(value: Any) -> dt.date | None:
    """A gold record's date as its first day; None when absent or unreadable (the actor is
    then resolved without a date)."""
    try:
        return first_day(parse_date(str(value))[0]) if value else None
    except ValueError:
        return None
