"""detente's annotated event corpus: reading, packing and checking `data/annotations/`.

Two kinds of documents live in the corpus (docs/annotation.md §7):

- team-written documents, whose text is committed with their annotations;
- reference documents, whose text stays in the shared folder (`reuters:NEWID`,
  `gsr:ID`). Only character offsets are committed; the text is read at training time.

Command line, for annotators:

    python -m detente.training.corpus show reuters:12 reuters:15   # numbered sentences
    python -m detente.training.corpus pack draft.jsonl data/annotations/r1.jsonl
    python -m detente.training.corpus stats data/annotations/*.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from detente.coding.ontology import PLOVER_TYPES, cameo_table, normalise_type
from detente.date_input import parse_date
from detente.errors import CorpusError, InputError
from detente.jsonio import json_lines, json_object
from detente.training.data import default_shared_dir

CORPUS_DIR = Path(__file__).resolve().parents[3] / "data" / "annotations"
REUTERS = "corpus/bulk/reuters21578/reuters21578.jsonl"
GSR = "data-ext/plover/PLOVER_GSR_dev.json"
CASE = "data-ext/case2021-task2/test_set_final_release_with_labels.tsv"
KINDS = {"wire", "analysis"}
TAGS = {"negated", "hypothetical", "recommended", "opinion", "topic", "history", "joint",
        "multi", "reaction", "context"}
SECTORS = {"GOV", "MIL", "LEG", "JUD", "ELI", "OPP", "PTY", "BUS", "MED", "CVL", "EDU",
           "REB", "IGO"}
CODE = re.compile(r"^(?:---|G7|G20|[A-Z]{2,6})$")
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class GoldEvent:
    """One annotated event. Codes are "JPN" or "JPN GOV"; `target` may be ""."""

    source: str
    target: str
    plover: str
    mode: str
    cameo: str
    date: str | None
    source_span: Span | None = None
    target_span: Span | None = None
    trigger_span: Span | None = None

    @property
    def source_code(self) -> str:
        return self.source.split(" ")[0]

    @property
    def target_code(self) -> str:
        return self.target.split(" ")[0] if self.target else ""


@dataclass(frozen=True)
class GoldSentence:
    start: int
    end: int
    events: tuple[GoldEvent, ...]
    tags: tuple[str, ...] = ()


@dataclass
class GoldDocument:
    """A document with its annotated sentences and its text (read from the shared folder
    for reference documents)."""

    doc: str
    kind: str
    date: str | None
    title: str
    text: str
    annotator: str
    sentences: list[GoldSentence] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Where the text comes from: "team", "reuters" or "gsr"."""
        return self.doc.split(":", 1)[0]

    def sentence_text(self, sentence: GoldSentence) -> str:
        return self.text[sentence.start:sentence.end]


# --- reference text -----------------------------------------------------------------


def collapse(text: str) -> str:
    """The reference form of a shared text: whitespace runs become one space. Offsets in
    the corpus index this form, which any reader reproduces exactly."""
    return " ".join(text.split())


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=1)
def _reuters(shared: Path) -> dict[str, dict]:
    stories = {}
    with (shared / REUTERS).open(encoding="utf-8") as handle:
        for item in json_lines(handle, str(shared / REUTERS), hint="the corpus file is damaged"):
            if isinstance(item, InputError):
                raise CorpusError(item.message) from item
            stories[str(item[1]["newid"])] = item[1]
    return stories


@lru_cache(maxsize=1)
def _gsr(shared: Path) -> dict[str, dict]:
    records = json.loads((shared / GSR).read_text(encoding="utf-8"))
    firsts: dict[str, dict] = {}
    for record in records:  # one id appears twice; the first record is the reference
        if record.get("text"):
            firsts.setdefault(record["id"], record)
    return firsts


@lru_cache(maxsize=1)
def _case(shared: Path) -> dict[str, str]:
    import csv

    with (shared / CASE).open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row["EventSnippet"] for row in csv.DictReader(handle, delimiter="\t")}


def reference(doc: str, shared: Path | None = None) -> tuple[str, str, str | None]:
    """(title, text, publication date) of a reference document, read from the shared
    folder. Raises CorpusError when the document or the folder is missing."""
    shared = Path(shared) if shared is not None else default_shared_dir()
    kind, _, key = doc.partition(":")
    try:
        if kind == "reuters":
            record = _reuters(shared)[key]
            return (collapse(record.get("title") or ""), collapse(record.get("body") or ""),
                    _reuters_date(record.get("date") or ""))
        if kind == "gsr":
            record = _gsr(shared)[key]
            return "", collapse(record["text"]), None
        if kind == "case":
            return "", collapse(_case(shared)[key]), None
    except FileNotFoundError as exc:
        raise CorpusError(f"{doc}: the shared folder {shared} is missing ({exc.filename})") \
            from exc
    except KeyError as exc:
        raise CorpusError(f"{doc}: no such document under {shared}") from exc
    raise CorpusError(f"{doc}: unknown reference kind {kind!r} (reuters:, gsr:, case:, team:)")


def _reuters_date(value: str) -> str | None:
    """A story's DATE field ("26-FEB-1987 15:01:01.79") as an ISO day; None if unreadable."""
    try:
        return parse_date(value)[0]
    except ValueError:
        return None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets as detente's own pipeline splits them (the parser's boundaries)."""
    from detente.nlp import load_nlp

    parsed = load_nlp()(text)
    return [(s.start_char, s.end_char) for s in parsed.sents if s.text.strip()]


# --- packing drafts -----------------------------------------------------------------


def _find(quote: str | None, text: str, within: tuple[int, int]) -> Span | None:
    """A quote's offsets as whole words ("aid" is not found inside "said"): inside the
    sentence first, else in the text before it (an actor named earlier); exact case
    before any case."""
    if not quote:
        return None
    pattern = r"(?<!\w)" + re.escape(quote) + r"(?!\w)"
    for lo, hi in (within, (0, within[0])):
        for flags in (0, re.IGNORECASE):
            found = re.compile(pattern, flags).search(text, lo, hi)
            if found:
                return Span(found.start(), found.end())
    return None


def _actor(value: object, where: str) -> str:
    if value in (None, ""):
        return ""
    parts = str(value).split()
    if not parts or len(parts) > 2 or not CODE.match(parts[0]) or (
            len(parts) == 2 and parts[1] not in SECTORS):
        raise CorpusError(f"{where}: actor {value!r} is not 'CODE' or 'CODE SECTOR' "
                          f"(sectors: {', '.join(sorted(SECTORS))})")
    return " ".join(parts)


def _event(raw: dict, text: str, within: tuple[int, int], where: str,
           keep_quotes: bool) -> dict:
    plover = normalise_type(str(raw.get("type", "")))
    if plover not in PLOVER_TYPES:
        raise CorpusError(f"{where}: type {raw.get('type')!r} is not a PLOVER type")
    cameo = str(raw.get("cameo") or "")
    if cameo and cameo not in cameo_table() and cameo[:2] not in cameo_table():
        raise CorpusError(f"{where}: CAMEO code {cameo!r} is unknown")
    date = raw.get("date")
    if date is not None and not DATE.match(str(date)):
        raise CorpusError(f"{where}: date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    source = _actor(raw.get("source"), where)
    if not source:
        raise CorpusError(f"{where}: every event needs a source")
    event = {"source": source, "target": _actor(raw.get("target"), where), "type": plover,
             "mode": str(raw.get("mode") or ""), "cameo": cameo, "date": date}
    for name, quote in (("source", raw.get("source_text")), ("target", raw.get("target_text")),
                        ("trigger", raw.get("trigger"))):
        span = _find(quote, text, within)
        event[f"{name}_span"] = [span.start, span.end] if span else None
        if keep_quotes and quote:
            event[f"{name}_text"] = quote
    return event


def pack_document(draft: dict, shared: Path | None = None) -> dict:
    """A draft (docs/annotation.md §7) → the stored record, with offsets and no shared text."""
    doc = str(draft.get("doc", ""))
    kind = draft.get("kind")
    if kind not in KINDS:
        raise CorpusError(f"{doc or '?'}: kind must be one of {sorted(KINDS)}")
    team = doc.startswith("team:")
    if team:
        texts = [collapse(s.get("text", "")) for s in draft.get("sentences", [])]
        if not all(texts):
            raise CorpusError(f"{doc}: every team sentence needs its text")
        text = " ".join(texts)
        offsets, at = [], 0
        for sentence_text in texts:
            offsets.append((at, at + len(sentence_text)))
            at += len(sentence_text) + 1
        title, date = str(draft.get("title", "")), draft.get("date")
    else:
        title, text, date = reference(doc, shared)
        date = draft.get("date") or date
        boundaries = split_sentences(text)
        numbers = [s.get("n") for s in draft.get("sentences", [])]
        if numbers != list(range(len(boundaries))):
            raise CorpusError(f"{doc}: annotate every sentence of `show {doc}` in order, "
                              f"n = 0..{len(boundaries) - 1} (got {numbers})")
        offsets = [boundaries[n] for n in numbers]
    if date is not None and not DATE.match(str(date)):
        raise CorpusError(f"{doc}: publication date {date!r} is not ISO")
    sentences = []
    for number, (sentence, span) in enumerate(zip(draft.get("sentences", []), offsets,
                                                  strict=True)):
        tags = sorted(set(sentence.get("tags") or []))
        if not set(tags) <= TAGS:
            raise CorpusError(f"{doc} sentence {number}: unknown tags {set(tags) - TAGS}")
        events = [_event(e, text, span, f"{doc} sentence {number}", team)
                  for e in sentence.get("events") or []]
        sentences.append({"start": span[0], "end": span[1], "tags": tags, "events": events})
    record = {"doc": doc, "kind": kind, "date": date, "annotator": draft.get("annotator", ""),
              "sha": text_hash(text), "sentences": sentences}
    if team:
        record.update(title=title, text=text)
    return record


# --- reading the corpus -------------------------------------------------------------


def _span(value) -> Span | None:
    return Span(*value) if value else None


def load_document(record: dict, shared: Path | None = None) -> GoldDocument:
    """A stored record as a GoldDocument, its text read from the shared folder if needed."""
    if record["doc"].startswith("team:"):
        title, text = record.get("title", ""), record["text"]
    else:
        title, text, _ = reference(record["doc"], shared)
    if text_hash(text) != record["sha"]:
        raise CorpusError(f"{record['doc']}: the text no longer matches its annotation "
                          "(the shared file changed)")
    sentences = [GoldSentence(
        s["start"], s["end"], tuple(GoldEvent(
            e["source"], e["target"], e["type"], e["mode"], e["cameo"], e["date"],
            _span(e.get("source_span")), _span(e.get("target_span")),
            _span(e.get("trigger_span"))) for e in s["events"]), tuple(s["tags"]))
        for s in record["sentences"]]
    return GoldDocument(record["doc"], record["kind"], record.get("date"), title, text,
                        record.get("annotator", ""), sentences)


RECORD_FIELDS = ("doc", "kind", "sha", "sentences")


def read_records(paths: Iterable[Path], required: Sequence[str] = RECORD_FIELDS
                 ) -> Iterator[dict]:
    """Records of JSONL batch files (stored, or drafts with `required=()`), each checked
    for the `required` fields; errors name the file and line."""
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CorpusError(f"{path}: cannot read the batch file ({exc.strerror})") from exc
        for number, line in enumerate(lines, 1):
            try:
                record = json_object(line, f"{path}:{number}", hint="")
            except InputError as exc:
                raise CorpusError(exc.message) from exc
            if record is None:
                continue
            missing = [f for f in required if f not in record]
            if missing:
                raise CorpusError(f"{path}:{number}: a stored record needs "
                                  f"{', '.join(missing)} (pack drafts with `pack`)")
            yield record


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The corpus batches, excluding the second annotations of the agreement study."""
    return sorted(p for p in directory.glob("*.jsonl") if not p.name.startswith("double-"))


def load_corpus(paths: Iterable[Path] | None = None,
                shared: Path | None = None) -> list[GoldDocument]:
    """Every annotated document; a document annotated in two batches keeps the first."""
    if paths is None:
        paths = corpus_files()
        if not paths:
            raise CorpusError(f"no corpus batch files in {CORPUS_DIR}: the corpus lives in a "
                              "checkout of detente (or pass the batch files with --file)")
    seen: set[str] = set()
    documents = []
    for record in read_records(paths):
        if record["doc"] in seen:
            continue
        seen.add(record["doc"])
        documents.append(load_document(record, shared))
    return documents


def split_of(doc: str) -> str:
    """train, dev or test, fixed by a hash of the document id (70/15/15), decided before
    any training and independent of the order documents were annotated in."""
    bucket = int(hashlib.sha1(doc.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def stats(documents: list[GoldDocument]) -> dict:
    """Corpus size and coverage against the targets of docs/annotation.md."""
    sentences = [s for d in documents for s in d.sentences]
    types = Counter(e.plover for s in sentences for e in s.events)
    tags = Counter(t for s in sentences for t in s.tags)
    joint = sum(1 for s in sentences if "joint" in s.tags or _joint(s))
    multi = sum(1 for s in sentences if "multi" in s.tags
                or len({(e.plover, e.trigger_span) for e in s.events}) > 1)
    hard = sum(1 for s in sentences if not s.events and set(s.tags) & {
        "negated", "hypothetical", "recommended", "opinion", "topic", "history"})
    splits = Counter(split_of(d.doc) for d in documents)
    return {
        "documents": len(documents),
        "sentences": len(sentences),
        "events": sum(types.values()),
        "no_event_share": round(sum(1 for s in sentences if not s.events)
                                / max(1, len(sentences)), 3),
        "by_source": dict(Counter(d.source for d in documents)),
        "by_kind": dict(Counter(d.kind for d in documents)),
        "splits": dict(splits),
        "types": {t: types.get(t, 0) for t in PLOVER_TYPES},
        "hard_negatives": hard,
        "joint_sentences": joint,
        "multi_event_sentences": multi,
        "tags": dict(tags),
    }


def _joint(sentence: GoldSentence) -> bool:
    by_act = Counter((e.plover, e.target_code) for e in sentence.events)
    return any(n > 1 for n in by_act.values())


# --- command line -------------------------------------------------------------------


def _show(docs: list[str], shared: Path | None) -> None:
    for doc in docs:
        title, text, date = reference(doc, shared)
        print(f"=== {doc}  date={date}  title: {title}")
        for n, (start, end) in enumerate(split_sentences(text)):
            print(f"[{n}] {text[start:end]}")
        print()


def _view(paths: list[Path], shared: Path | None) -> None:
    for document in load_corpus(paths, shared):
        print(f"=== {document.doc} ({document.kind}, {document.date}) {document.title}")
        for number, sentence in enumerate(document.sentences):
            tags = f" {{{', '.join(sentence.tags)}}}" if sentence.tags else ""
            print(f"[{number}]{tags} {document.sentence_text(sentence)}")
            for e in sentence.events:
                print(f"      {e.source} -{e.plover}/{e.cameo}-> {e.target or '-'}"
                      f"  date={e.date}")
        print()


def _pack(draft: Path, output: Path, shared: Path | None) -> None:
    records, errors = [], []
    stored = {r["doc"] for r in read_records([output])} if output.is_file() else set()
    for record in read_records([draft], required=()):
        if record.get("doc") in stored:
            errors.append(f"{record['doc']}: already in {output}; not packed twice")
            continue
        try:
            records.append(pack_document(record, shared))
        except CorpusError as exc:
            errors.append(str(exc))
    with output.open("a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"packed {len(records)} document(s) into {output}", file=sys.stderr)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m detente.training.corpus")
    parser.add_argument("--shared", type=Path, default=None)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="numbered sentences of reference documents")
    show.add_argument("docs", nargs="+")
    pack = commands.add_parser("pack", help="check a draft and append it to a batch file")
    pack.add_argument("draft", type=Path)
    pack.add_argument("output", type=Path)
    view = commands.add_parser("view", help="annotated sentences with their events")
    view.add_argument("files", nargs="+", type=Path)
    summary = commands.add_parser("stats", help="size and coverage of batch files")
    summary.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.command == "show":
        _show(args.docs, args.shared)
    elif args.command == "view":
        _view(args.files, args.shared)
    elif args.command == "pack":
        _pack(args.draft, args.output, args.shared)
    else:
        documents = load_corpus(args.files or None, args.shared)
        print(json.dumps(stats(documents), indent=2))


if __name__ == "__main__":
    main()
