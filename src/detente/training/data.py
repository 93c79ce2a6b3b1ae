"""Readers for the labelled data the event-type classifier is trained and scored on.

Nothing here ships data: every loader reads third-party files from a `shared_dir`
(by default `<checkout>/../shared`) at run time. Each loader returns `Example`
records in one shape so that training and evaluation treat all sources alike.

Label space: the 15 PLV roots, in which CONCEDE and RETREAT are merged as YIELD.
Where a source has the finer 16-type label it is kept in `raw_label`, so a model
can also learn the CONCEDE/RETREAT split.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from detente.errors import InputError

#: The 15 roots scored in PLV (CONCEDE + RETREAT = YIELD), in a fixed order.
ROOTS: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "YIELD", "REQUEST", "ACCUSE",
    "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

#: Older PLOVER names and the 16-type names that fold into the 15-root label space.
ROOT_ALIASES: dict[str, str] = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
    "FIGHT": "ASSAULT",
    "CONCEDE": "YIELD",
    "RETREAT": "YIELD",
}

#: Old names mapped to the current 16-type names (CONCEDE and RETREAT kept apart).
RAW_ALIASES: dict[str, str] = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
    "FIGHT": "ASSAULT",
}

# Misspelt mode names in the synthetic stories, mapped to the codebook's spelling.
_MODE_FIXES = {"primative": "primitive", "sieze": "seize"}

SYNTHETIC_ZIP = "ngec/gpt_synthetic_events_2023-10-19_19.csv.zip"
PLV_TRAIN = "zsp-plv-aw/PLV_train.tsv"
GSR_DEV = "plover/PLOVER_GSR_dev.json"


@dataclass(frozen=True)
class Example:
    """One labelled (sentence, source, target) triple.

    `label` is one of `ROOTS`; `raw_label` is the 16-type name when the source
    distinguishes CONCEDE from RETREAT, else equal to `label`. `mode` is the
    lowercase PLOVER mode or "" when unknown. `origin` names the data set.
    """

    uid: str
    sentence: str
    source: str
    target: str
    label: str
    raw_label: str
    mode: str
    origin: str


def default_shared_dir() -> Path:
    """`<checkout>/../shared`, where the external data sets live beside the repo."""
    return Path(__file__).resolve().parents[3].parent / "shared"


def data_dir(shared_dir: Path | None) -> Path:
    """The `data-ext` folder under `shared_dir`, or a clear error if it is absent."""
    base = Path(shared_dir) if shared_dir is not None else default_shared_dir()
    ext = base / "data-ext" if (base / "data-ext").is_dir() else base
    if not (ext / PLV_TRAIN).is_file():
        raise InputError(
            f"training data not found under {base}",
            hint="pass --shared DIR pointing at the folder that holds data-ext/ "
            "(by default ../shared beside the checkout)",
        )
    return ext


def to_root(label: str) -> str:
    """Map any PLOVER name (old, 16-type or 15-root) to the 15-root label space.

    >>> to_root("RETREAT"), to_root("DEMAND"), to_root("SANCTION")
    ('YIELD', 'REQUEST', 'SANCTION')
    """
    name = label.strip().upper()
    name = ROOT_ALIASES.get(name, name)
    if name not in ROOTS:
        raise ValueError(f"unknown PLOVER type {label!r}")
    return name


def read_plv(path: Path) -> list[Example]:
    """Read a PLV-format TSV (uid, sentence, source, target, gold_root; extra columns ignored).

    The file from the Zero-Shot-PLOVER repository has an unnamed first column
    holding the uid; a hand-written file may name it `uid` or leave it out.
    """
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"sentence", "source", "target", "gold_root"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(
                f"{path} lacks the PLV column(s) {sorted(missing)}",
                hint="a PLV file is a TSV with columns uid, sentence, source, target, gold_root",
            )
        examples = []
        for number, row in enumerate(reader, start=1):
            uid = (row.get("uid") or row.get("") or row.get("sentence_id") or str(number)).strip()
            try:
                label = to_root(row["gold_root"] or "")
            except ValueError as exc:
                raise InputError(f"{path}, row {number}: {exc}") from exc
            examples.append(
                Example(
                    uid=uid or str(number),
                    sentence=row["sentence"] or "",
                    source=(row["source"] or "").strip(),
                    target=(row["target"] or "").strip(),
                    label=label,
                    raw_label=label,
                    mode="",
                    origin="plv",
                )
            )
    return examples


def read_gsr(path: Path) -> list[Example]:
    """Read PLOVER gold-standard records (JSON array), skipping the DOCUMENT record.

    The first source and target actor texts are the pair; a record with a compound
    source and no target ("A and B agreed") pairs the first two sources.
    """
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    examples: list[Example] = []
    for record in records:
        event = str(record.get("event", "")).upper()
        if event == "DOCUMENT":
            continue
        sources = _actor_texts(record.get("source"))
        targets = _actor_texts(record.get("target"))
        source = sources[0] if sources else ""
        target = targets[0] if targets else (sources[1] if len(sources) > 1 else "")
        raw = RAW_ALIASES.get(event, event)
        examples.append(
            Example(
                uid=str(record.get("id", len(examples))),
                sentence=str(record.get("text", "")),
                source=source,
                target=target,
                label=to_root(event),
                raw_label=raw,
                mode=str(record.get("mode") or "").lower(),
                origin="gsr",
            )
        )
    return examples


def _actor_texts(value: object) -> list[str]:
    # Actor lists hold {actorText, code, sector} dicts; a few records hold a bare
    # string ("" or a stray word) or null instead, which mark no actor phrase.
    if not isinstance(value, list):
        return []
    return [str(a.get("actorText", "")) for a in value if isinstance(a, dict) and a.get("actorText")]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def story_lead(text: str, max_chars: int = 240) -> str:
    """The opening sentences of a story, up to about `max_chars` characters.

    The synthetic stories report their event in the lead; the rest is background
    that would dilute a sentence-level classifier (and cost fine-tuning time).
    The first sentence is always kept, however long.
    """
    text = " ".join(text.split())
    lead = ""
    for sentence in _SENTENCE_END.split(text):
        if lead and len(lead) + len(sentence) + 1 > max_chars:
            break
        lead = f"{lead} {sentence}".strip()
    return lead[: max_chars * 2]


def read_synthetic(path: Path, max_chars: int = 240) -> list[Example]:
    """Read the NGEC synthetic stories (zipped CSV with text, label, mode).

    The stories mark no source or target, so each example is the story's lead
    (`story_lead`) with empty source and target: the classifier sees them
    without markers, which also teaches it to cope with unmarked input.
    """
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv"))
        with archive.open(name) as raw:
            rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    examples = []
    for number, row in enumerate(rows):
        raw_label = row["label"].strip().upper()
        mode = row.get("mode", "").strip().lower()
        examples.append(
            Example(
                uid=f"synthetic-{number}",
                sentence=story_lead(row["text"], max_chars),
                source="",
                target="",
                label=to_root(raw_label),
                raw_label=RAW_ALIASES.get(raw_label, raw_label),
                mode=_MODE_FIXES.get(mode, mode),
                origin="synthetic",
            )
        )
    return examples


_SANCTION_WORDS = re.compile(
    r"\bsanction|\bembargo|asset freeze|\bfr(?:eeze|oze)\b.{0,30}\bassets", re.IGNORECASE
)


def _predicate_text(example: Example) -> str:
    # The words from the end of the source phrase to the start of the target phrase
    # ("" when either is missing: no relabelling without a marked predicate).
    text = example.sentence
    start = text.find(example.source) if example.source else -1
    end = text.find(example.target, max(start, 0)) if example.target else -1
    if start < 0 or end < 0:
        return ""
    return text[start + len(example.source) : end]


def with_detente_conventions(example: Example) -> Example:
    """Relabel an example where its source follows another convention than detente.

    PLV follows the 2021 CAMEO→PLOVER draft, which codes imposing sanctions,
    embargoes and asset freezes as COERCE; detente codes them SANCTION (EVENTS.md
    section 2). A COERCE example whose predicate (the words between source and
    target) names sanctions becomes SANCTION. Everything else is returned as is.

    >>> e = Example("1", "Britain has imposed sanctions on Belarus.", "Britain", "Belarus",
    ...             "COERCE", "COERCE", "", "plv")
    >>> with_detente_conventions(e).label
    'SANCTION'
    """
    if example.label == "COERCE" and _SANCTION_WORDS.search(_predicate_text(example)):
        return replace(example, label="SANCTION", raw_label="SANCTION")
    return example


def load_training_sets(
    shared_dir: Path | None = None, conventions: bool = True
) -> dict[str, list[Example]]:
    """All training sources by name: `plv`, `gsr`, `synthetic`.

    With `conventions` (the default for training), labels that follow another
    convention than detente's are mapped to detente's (`with_detente_conventions`).
    """
    ext = data_dir(shared_dir)
    sets = {
        "plv": read_plv(ext / PLV_TRAIN),
        "gsr": read_gsr(ext / GSR_DEV),
        "synthetic": read_synthetic(ext / SYNTHETIC_ZIP),
    }
    if conventions:
        sets = {name: [with_detente_conventions(e) for e in group] for name, group in sets.items()}
    return sets


def stratified_folds(labels: Sequence[str], k: int, seed: int) -> list[int]:
    """Fold number (0..k-1) for each item, stratified by label, reproducible by `seed`."""
    import random

    rng = random.Random(seed)
    fold = [0] * len(labels)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    offset = 0
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            fold[index] = (position + offset) % k
        offset += len(indices)
    return fold


def flatten(groups: Iterable[Sequence[Example]]) -> list[Example]:
    """Concatenate lists of examples."""
    return [example for group in groups for example in group]
