"""Event-type classifiers: given a sentence and its source and target phrases, a PLOVER root.

Two models sit behind one interface (`EventClassifier`):

- `MiniLMClassifier` ("classifier.minilm-onnx.v1"): all-MiniLM-L6-v2 fine-tuned on
  marked sentences, exported to ONNX and int8-quantized; runs on onnxruntime +
  tokenizers + numpy only.
- `TfidfClassifier` ("classifier.tfidf.v1"): TF-IDF features with a linear layer,
  stored as plain arrays (.npz) and applied with numpy, so it loads whatever the
  installed scikit-learn version. It also carries the mode heads both models use.

The label space is the 15 PLV roots (CONCEDE and RETREAT merged as YIELD);
`Prediction.raw_type` gives the 16-type guess (CONCEDE or RETREAT for YIELD).

>>> clf = load_classifier(fast=True)
>>> clf.predict([ClassifyItem("Japan imposed sanctions on Russia", "Japan", "Russia")])[0].plover
'SANCTION'
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from detente.errors import InputError, ModelMissingError
from detente.jsonio import json_object

MODELS_DIR = Path(__file__).resolve().parent / "models"
FAST_MODEL = "tfidf.npz"
MINILM_DIR = "minilm"
MARKERS = ("[SRC]", "[/SRC]", "[TGT]", "[/TGT]")


@dataclass(frozen=True)
class ClassifyItem:
    """A sentence and the source and target phrases of one candidate event."""

    sentence: str
    source: str
    target: str


@dataclass(frozen=True)
class Prediction:
    """The predicted root, its mode (or None), the top probability and all class probabilities.

    `raw_type` is the 16-type PLOVER guess: equal to `plover` except that YIELD is
    split into CONCEDE or RETREAT by the mode head (None if no mode head is loaded).
    """

    plover: str
    mode: str | None
    confidence: float
    scores: Mapping[str, float] = field(repr=False)
    raw_type: str | None = None


@runtime_checkable
class EventClassifier(Protocol):
    """Anything with a versioned `name` and a batched `predict`."""

    name: str

    def predict(self, items: Sequence[ClassifyItem]) -> list[Prediction]: ...


# --- input representation -------------------------------------------------------


def _find_phrase(text: str, phrase: str, taken: tuple[int, int] | None) -> tuple[int, int] | None:
    # First occurrence, exact case first, that does not overlap the span already taken.
    for flags in (0, re.IGNORECASE):
        for match in re.finditer(re.escape(phrase), text, flags):
            start, end = match.span()
            if taken is None or end <= taken[0] or start >= taken[1]:
                return start, end
    return None


def mark_pair(sentence: str, source: str, target: str) -> str:
    """The sentence with source and target wrapped in markers.

    Markers go around the first occurrence of each phrase; a phrase not found in
    the sentence is appended as "(source: X; target: Y)". Empty phrases get no marker.

    >>> mark_pair("Japan imposed sanctions on Russia", "Japan", "Russia")
    '[SRC] Japan [/SRC] imposed sanctions on [TGT] Russia [/TGT]'
    """
    sentence = " ".join(sentence.split())
    source, target = source.strip(), target.strip()
    spans: list[tuple[int, int, str, str]] = []
    missing: list[str] = []
    src = _find_phrase(sentence, source, None) if source else None
    if src:
        spans.append((*src, MARKERS[0], MARKERS[1]))
    elif source:
        missing.append(f"source: {source}")
    tgt = _find_phrase(sentence, target, src) if target else None
    if tgt:
        spans.append((*tgt, MARKERS[2], MARKERS[3]))
    elif target:
        missing.append(f"target: {target}")
    text = sentence
    for start, end, opening, closing in sorted(spans, reverse=True):
        text = f"{text[:start]}{opening} {text[start:end]} {closing}{text[end:]}"
    if missing:
        text = f"{text} ({'; '.join(missing)})"
    return text


# --- TF-IDF features ---------------------------------------------------------------
# The analyzers below are the single definition of the fast model's features: the
# trainer hands them to scikit-learn, and `TfidfClassifier` applies them with numpy.

_WORD = re.compile(r"\w\w+")
_SRC_SPAN = re.compile(r"\[SRC\].*?\[/SRC\]")
_TGT_SPAN = re.compile(r"\[TGT\].*?\[/TGT\]")
_MARKER = re.compile(r"\[/?(?:SRC|TGT)\]")


def _with_bigrams(tokens: list[str], prefix: str = "") -> list[str]:
    grams = [f"{prefix}{t}" for t in tokens]
    return grams + [f"{prefix}{a} {b}" for a, b in pairwise(tokens)]


def masked_word_features(text: str) -> list[str]:
    """Lowercased word 1-2-grams, with the marked source and target collapsed to SRCX/TGTX.

    Masking keeps actor names from standing in for the relation.
    """
    text = _TGT_SPAN.sub(" TGTX ", _SRC_SPAN.sub(" SRCX ", text))
    return _with_bigrams([t.lower() for t in _WORD.findall(text)])


def char_features(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character 3-5-grams inside word boundaries (scikit-learn's `char_wb`), markers removed."""
    grams: list[str] = []
    for word in _MARKER.sub(" ", text).lower().split():
        padded = f" {word} "
        for n in range(low, min(high, len(padded)) + 1):
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def between_features(text: str) -> list[str]:
    """Word 1-2-grams between the source and the target: where the predicate usually is.

    Prefixed "b:" when the source comes first, "r:" when the target does.
    """
    src_end, tgt_start = text.find(MARKERS[1]), text.find(MARKERS[2])
    if src_end < 0 or tgt_start < 0:
        return []
    if src_end < tgt_start:
        segment, prefix = text[src_end + len(MARKERS[1]) : tgt_start], "b:"
    else:
        tgt_end, src_start = text.find(MARKERS[3]), text.find(MARKERS[0])
        segment, prefix = text[tgt_end + len(MARKERS[3]) : src_start], "r:"
    return _with_bigrams([t.lower() for t in _WORD.findall(segment)], prefix)


ANALYZERS = {
    "words": masked_word_features,
    "chars": char_features,
    "between": between_features,
}


@dataclass(frozen=True)
class FeatureBlock:
    """One TF-IDF block: analyzer name, vocabulary (term → column) and idf weights.

    Matches scikit-learn's `TfidfVectorizer(sublinear_tf=True)` followed by a
    per-block L2 normalisation, as in a `FeatureUnion`.
    """

    analyzer: str
    vocabulary: Mapping[str, int]
    idf: np.ndarray
    offset: int
    _lookup: dict[str, tuple[int, float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # term -> (column, idf) as Python numbers: the per-term loop is the hot path.
        idf = self.idf.tolist()
        lookup = {term: (i, idf[i]) for term, i in self.vocabulary.items()}
        object.__setattr__(self, "_lookup", lookup)

    def add(self, text: str, columns: dict[int, float]) -> None:
        """Add this block's L2-normalised tf-idf weights for `text` to `columns`."""
        lookup = self._lookup
        weights: dict[int, float] = {}
        for term, count in Counter(ANALYZERS[self.analyzer](text)).items():
            entry = lookup.get(term)
            if entry is not None:
                weights[entry[0]] = (1.0 + math.log(count)) * entry[1]
        if not weights:
            return
        norm = math.sqrt(sum(w * w for w in weights.values()))
        offset = self.offset
        for index, weight in weights.items():
            columns[offset + index] = weight / norm


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class ModeHead:
    """A linear head over the TF-IDF features that picks a mode for one root.

    `classes` are "mode" strings ("" = no specific mode); for YIELD they are
    "CONCEDE:" or "RETREAT:<mode>", which also fixes the 16-type name.
    """

    classes: tuple[str, ...]
    weights: np.ndarray  # (n_word_features, n_classes): rows for the first block only
    bias: np.ndarray


#: A mode is reported only when its head is this sure (probability), and this many
#: times surer than the runner-up; otherwise the mode is None. Mode heads learn from
#: synthetic stories only, so an unsure mode is better left out.
MODE_MIN_PROB = 0.3
MODE_MIN_RATIO = 1.4


def _pick_mode(root: str, classes: Sequence[str], probs: np.ndarray) -> tuple[str, str | None]:
    raw = root
    if root == "YIELD":
        # Classes are "CONCEDE:" and "RETREAT:<mode>": choose the type first, then the
        # mode within it, from probabilities renormalised over that type's classes.
        kinds = [c.partition(":")[0] for c in classes]
        totals = {k: float(probs[[i for i, x in enumerate(kinds) if x == k]].sum()) for k in kinds}
        raw = max(totals, key=totals.__getitem__)
        keep = [i for i, k in enumerate(kinds) if k == raw]
        classes = [classes[i].partition(":")[2] for i in keep]
        probs = probs[keep] / probs[keep].sum()
    order = np.argsort(probs)[::-1]
    best = float(probs[order[0]])
    second = float(probs[order[1]]) if len(order) > 1 else 0.0
    mode = classes[int(order[0])]
    if not mode or best < MODE_MIN_PROB or best < MODE_MIN_RATIO * second:
        return raw, None
    return raw, mode


class TfidfClassifier:
    """The fast model: TF-IDF features and a linear softmax layer, applied with numpy.

    >>> clf = TfidfClassifier.load()
    >>> clf.predict([ClassifyItem("Abe met Putin in Sochi", "Abe", "Putin")])[0].plover
    'CONSULT'
    """

    name = "classifier.tfidf.v1"

    def __init__(
        self,
        blocks: Sequence[FeatureBlock],
        labels: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
        mode_heads: Mapping[str, ModeHead] | None = None,
    ) -> None:
        self.blocks = tuple(blocks)
        self.labels = tuple(labels)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.mode_heads = dict(mode_heads or {})

    # Feature extraction: one sparse row per text, as (columns, values).
    def _rows(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        rows = []
        for text in texts:
            columns: dict[int, float] = {}
            for block in self.blocks:
                block.add(text, columns)
            rows.append(
                (
                    np.fromiter(columns.keys(), dtype=np.int64, count=len(columns)),
                    np.fromiter(columns.values(), dtype=np.float32, count=len(columns)),
                )
            )
        return rows

    @staticmethod
    def _apply(rows, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), weights.shape[1]), dtype=np.float32)
        for i, (columns, values) in enumerate(rows):
            out[i] = values @ weights[columns] + bias
        return out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities (rows: texts, columns: `labels`) for already-marked texts."""
        return _softmax(self._apply(self._rows(texts), self.weights, self.bias))

    def modes(self, texts: Sequence[str], roots: Sequence[str]) -> list[tuple[str, str | None]]:
        """(16-type name, mode or None) for each marked text, given its predicted root."""
        return self._modes(self._rows(texts), roots)

    def _modes(self, rows, roots: Sequence[str]) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        for (columns, values), root in zip(rows, roots):
            head = self.mode_heads.get(root)
            if head is None:
                out.append((root, None))
                continue
            # A head covers the first columns (the word block) only.
            inside = columns < head.weights.shape[0]
            probs = _softmax(values[inside] @ head.weights[columns[inside]] + head.bias)
            out.append(_pick_mode(root, head.classes, probs))
        return out

    def predict(self, items: Sequence[ClassifyItem]) -> list[Prediction]:
        texts = [mark_pair(i.sentence, i.source, i.target) for i in items]
        rows = self._rows(texts)
        probs = _softmax(self._apply(rows, self.weights, self.bias))
        roots = [self.labels[int(k)] for k in probs.argmax(axis=1)]
        return _predictions(probs, self.labels, roots, self._modes(rows, roots))

    # Storage: plain arrays only, loaded with allow_pickle=False.
    def save(self, path: Path) -> None:
        """Write the model as a compressed .npz of arrays (no pickled objects)."""
        arrays: dict[str, np.ndarray] = {
            "labels": np.array(self.labels),
            "weights": self.weights.astype(np.float16),
            "bias": self.bias,
            "block_names": np.array([b.analyzer for b in self.blocks]),
        }
        for n, block in enumerate(self.blocks):
            terms = sorted(block.vocabulary, key=block.vocabulary.__getitem__)
            arrays[f"block{n}_terms"] = np.array("\x1f".join(terms))
            arrays[f"block{n}_idf"] = block.idf.astype(np.float32)
        arrays["mode_roots"] = np.array(sorted(self.mode_heads))
        for root, head in self.mode_heads.items():
            arrays[f"mode_{root}_classes"] = np.array(head.classes)
            arrays[f"mode_{root}_weights"] = head.weights.astype(np.float16)
            arrays[f"mode_{root}_bias"] = head.bias.astype(np.float32)
        # numpy's stub types every keyword as `allow_pickle: bool`, so named arrays
        # passed as keywords cannot type-check
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path | None = None) -> TfidfClassifier:
        """Load from `path` (default: the shipped `models/tfidf.npz`)."""
        path = Path(path) if path is not None else MODELS_DIR / FAST_MODEL
        if not path.is_file():
            raise ModelMissingError(
                f"fast classifier model not found at {path}",
                hint="run `detente train --kind fast` (needs ../shared/data-ext) to build it",
            )
        with np.load(path, allow_pickle=False) as data:
            blocks, offset = [], 0
            for n, analyzer in enumerate(data["block_names"].tolist()):
                terms = str(data[f"block{n}_terms"]).split("\x1f")
                vocabulary = {term: i for i, term in enumerate(terms)}
                blocks.append(FeatureBlock(analyzer, vocabulary, data[f"block{n}_idf"], offset))
                offset += len(terms)
            heads = {
                root: ModeHead(
                    tuple(data[f"mode_{root}_classes"].tolist()),
                    data[f"mode_{root}_weights"].astype(np.float32),
                    data[f"mode_{root}_bias"],
                )
                for root in data["mode_roots"].tolist()
            }
            return cls(blocks, data["labels"].tolist(), data["weights"], data["bias"], heads)


def _predictions(
    probs: np.ndarray,
    labels: Sequence[str],
    roots: Sequence[str],
    modes: Sequence[tuple[str, str | None]] | None,
) -> list[Prediction]:
    out = []
    for n, (row, root) in enumerate(zip(probs, roots)):
        raw, mode = modes[n] if modes is not None else (None, None)
        scores = {label: float(p) for label, p in zip(labels, row)}
        out.append(Prediction(root, mode, float(row.max()), scores, raw))
    return out


def length_batches(encodings: Sequence, batch_size: int
                   ) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
    """(positions, padded ids, attention mask) for batches of tokenizer encodings of
    similar length, so that padding stays short; positions index `encodings`."""
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        width = max(len(encodings[i].ids) for i in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for row, i in enumerate(chunk):
            seq = encodings[i].ids
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        yield chunk, ids, mask


class MiniLMClassifier:
    """The accurate model: fine-tuned MiniLM in int8 ONNX, batched on onnxruntime.

    Modes come from the TF-IDF model's mode heads when `modes` is given.
    """

    name = "classifier.minilm-onnx.v1"

    def __init__(
        self,
        model_dir: Path | None = None,
        modes: TfidfClassifier | None = None,
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir is not None else MODELS_DIR / MINILM_DIR
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.labels: tuple[str, ...] = tuple(config["labels"])
        self.max_length = int(config.get("max_length", 128))
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(
            str(model_dir / config.get("model_file", "model.int8.onnx")),
            options,
            providers=["CPUExecutionProvider"],
        )
        self.mode_model = modes

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits for already-marked texts, in input order."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        for chunk, ids, mask in length_batches(encodings, self.batch_size):
            (result,) = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})
            out[chunk] = result
        return out

    def predict(self, items: Sequence[ClassifyItem]) -> list[Prediction]:
        if not items:
            return []
        texts = [mark_pair(i.sentence, i.source, i.target) for i in items]
        probs = _softmax(self.logits(texts))
        roots = [self.labels[int(k)] for k in probs.argmax(axis=1)]
        modes = self.mode_model.modes(texts, roots) if self.mode_model is not None else None
        return _predictions(probs, self.labels, roots, modes)


def load_classifier(fast: bool = False, models_dir: Path | None = None) -> EventClassifier:
    """The MiniLM ONNX model if present and not `fast`, else the TF-IDF model.

    >>> load_classifier(fast=True).name
    'classifier.tfidf.v1'
    """
    models_dir = Path(models_dir) if models_dir is not None else MODELS_DIR
    fast_path = models_dir / FAST_MODEL
    minilm = models_dir / MINILM_DIR
    tfidf = TfidfClassifier.load(fast_path) if fast_path.is_file() else None
    if not fast and (minilm / "config.json").is_file():
        return MiniLMClassifier(minilm, modes=tfidf)
    if tfidf is not None:
        return tfidf
    raise ModelMissingError(
        f"no event-type classifier model in {models_dir}",
        hint="build one with `detente train --kind all` (or `--kind fast`), "
        "or reinstall detente with its shipped models",
    )


def _cameo(raw_type: str, mode: str | None) -> str | None:
    # The ontology module is optional at this layer; without it CAMEO is left to the caller.
    try:
        from detente.coding.ontology import cameo_for
    except ImportError:
        return None
    try:
        return cameo_for(raw_type, mode)
    except (KeyError, ValueError):
        return cameo_for(raw_type, None)


#: What a line of `detente classify`'s input holds (named in its errors).
CLASSIFY_LINE = 'Each line: {"id", "sentence", "source", "target"}.'


def _parse_line(line: str, number: int) -> tuple[object, ClassifyItem]:
    record = json_object(line, f"line {number}", hint=CLASSIFY_LINE) or {}
    ident = record.get("id", number)
    fields_ = {}
    for key in ("sentence", "source", "target"):
        value = record.get(key, "" if key == "target" else None)
        if not isinstance(value, str) or (key == "sentence" and not value.strip()):
            raise InputError(f"line {number} (id {ident!r}): {key!r} must be a non-empty string")
        fields_[key] = value
    return ident, ClassifyItem(**fields_)


def classify_lines(
    lines: Iterable[str], classifier: EventClassifier, batch_size: int = 256
) -> Iterator[dict]:
    """Classify JSONL records `{"id","sentence","source","target"}`, one output per input line.

    Output: `{"id","plover","mode","cameo","confidence"}` in input order; a line that
    cannot be read gives `{"id", "error"}` and processing continues. Blank lines are skipped.

    >>> out = classify_lines(['{"id": 1, "sentence": "Abe met Putin", "source": "Abe", '
    ...     '"target": "Putin"}', 'oops'], load_classifier(fast=True))
    >>> [sorted(r) for r in out]
    [['cameo', 'confidence', 'id', 'mode', 'plover'], ['error', 'id']]
    """
    pending: list[tuple[object, ClassifyItem | None, str | None]] = []

    def flush() -> Iterator[dict]:
        items = [item for _, item, _ in pending if item is not None]
        predictions = iter(classifier.predict(items)) if items else iter(())
        for ident, item, error in pending:
            if item is None:
                yield {"id": ident, "error": error}
                continue
            p = next(predictions)
            raw = p.raw_type or p.plover
            yield {
                "id": ident,
                "plover": p.plover,
                "mode": p.mode,
                "cameo": _cameo(raw, p.mode),
                "confidence": round(p.confidence, 4),
            }
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            ident, item = _parse_line(line, number)
            pending.append((ident, item, None))
        except InputError as exc:
            pending.append((_guess_id(line, number), None, exc.message))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()


def _guess_id(line: str, number: int) -> object:
    # Keep the caller's id on a record that parses as JSON but is otherwise invalid.
    try:
        record = json_object(line, f"line {number}", hint=CLASSIFY_LINE)
    except InputError:
        return number
    return record.get("id", number) if record is not None else number
