"""Score an event-type classifier on a PLV-format file (relation classification).

Given (sentence, source, target), predict the PLOVER root; score accuracy and
macro-F1 over the 15 roots (CONCEDE and RETREAT counted as YIELD), with a
per-class table and a confusion matrix (EVENTS.md section 6.1).

Two ways to run it:
- the shipped model on the file: honest only if the model never saw the file.
  The report says whether it did (`trained_on_this_file`, `training_overlap`).
- `folds=K`: K-fold cross-validation on the file; each fold is predicted by a model
  retrained on the other folds plus the non-PLV training data (GSR dev records,
  synthetic stories). Fast model: about a minute per fold on 2 cores. MiniLM: one
  fine-tuning per fold, about 10-15 minutes each on 2 cores.

>>> report = evaluate_plv(Path("PLV_train.tsv"), folds=5, fast=True)  # doctest: +SKIP
>>> round(report.macro_f1, 2)  # doctest: +SKIP
0.74
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from detente.coding.classifier import (
    ClassifyItem,
    EventClassifier,
    MiniLMClassifier,
    load_classifier,
    mark_pair,
)
from detente.errors import InputError
from detente.training.data import (
    GSR_DEV,
    PLV_TRAIN,
    ROOTS,
    SYNTHETIC_ZIP,
    Example,
    data_dir,
    read_gsr,
    read_plv,
    read_synthetic,
    stratified_folds,
    to_root,
    with_detente_conventions,
)


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class PlvReport:
    """Scores of one evaluation run; `to_dict()` for JSON, `to_table()` for the terminal.

    `trained_on_this_file` is True when the scored model was trained on (most of)
    this file, so that its scores are training-set scores, not held-out ones.
    """

    path: str
    classifier: str
    items: int
    accuracy: float
    macro_f1: float
    per_class: tuple[ClassScore, ...]
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    folds: int | None
    trained_on_this_file: bool
    training_overlap: float | None
    seconds: float
    notes: tuple[str, ...] = field(default=())
    convention_adjusted: Mapping[str, float] | None = None

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "classifier": self.classifier,
            "items": self.items,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "folds": self.folds,
            "held_out": not self.trained_on_this_file,
            "trained_on_this_file": self.trained_on_this_file,
            "training_overlap": self.training_overlap,
            "per_class": [
                {
                    "label": c.label,
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.support,
                }
                for c in self.per_class
            ],
            "confusion": {"labels": list(self.labels), "matrix": [list(r) for r in self.confusion]},
            "convention_adjusted": self.convention_adjusted,
            "seconds": round(self.seconds, 1),
            "notes": list(self.notes),
        }

    def to_table(self):
        """A rich `Group` of three tables: summary, per-class scores, confusion matrix."""
        from rich.console import Group
        from rich.table import Table

        mode = f"{self.folds}-fold cross-validation" if self.folds else "shipped model"
        summary = Table(title=f"PLV evaluation: {Path(self.path).name}", show_header=False)
        summary.add_row("classifier", self.classifier)
        summary.add_row("run", mode)
        summary.add_row("items", str(self.items))
        summary.add_row("accuracy", f"{self.accuracy:.3f}")
        summary.add_row("macro-F1", f"{self.macro_f1:.3f}")
        if self.convention_adjusted:
            adjusted = self.convention_adjusted
            summary.add_row(
                "with detente's conventions",
                f"accuracy {adjusted['accuracy']:.3f}, macro-F1 {adjusted['macro_f1']:.3f} "
                f"({adjusted['relabelled']:.0f} gold labels differ)",
            )
        held = "NO - training data, not a held-out score" if self.trained_on_this_file else "yes"
        summary.add_row("held out", held)
        for note in self.notes:
            summary.add_row("note", note)
        classes = Table(title="per class")
        for column in ("root", "precision", "recall", "F1", "support"):
            classes.add_column(column, justify="left" if column == "root" else "right")
        for c in self.per_class:
            classes.add_row(c.label, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                            str(c.support))
        confusion = Table(title="confusion (rows gold, columns predicted)")
        confusion.add_column("gold")
        for label in self.labels:
            confusion.add_column(label[:4], justify="right")
        for label, row in zip(self.labels, self.confusion):
            confusion.add_row(label, *(str(v) if v else "." for v in row))
        return Group(summary, classes, confusion)


def score(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, list[ClassScore],
                                                                  list[str], list[list[int]]]:
    """Accuracy, macro-F1, per-class scores, label order and confusion matrix.

    Macro-F1 averages over the roots that occur in gold or predictions (as
    scikit-learn's default does), so that a small file is not penalised for the
    roots it does not contain.
    """
    present = set(gold) | set(predicted)
    labels = [r for r in ROOTS if r in present] + sorted(present - set(ROOTS))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, predicted):
        matrix[index[g], index[p]] += 1
    per_class = []
    for i, label in enumerate(labels):
        tp = matrix[i, i]
        precision = tp / matrix[:, i].sum() if matrix[:, i].sum() else 0.0
        recall = tp / matrix[i].sum() if matrix[i].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append(ClassScore(label, float(precision), float(recall), float(f1),
                                    int(matrix[i].sum())))
    accuracy = float(np.trace(matrix) / matrix.sum()) if matrix.sum() else 0.0
    macro = float(np.mean([c.f1 for c in per_class])) if per_class else 0.0
    return accuracy, macro, per_class, labels, matrix.tolist()


def _triple_hash(sentence: str, source: str, target: str) -> str:
    key = "\x1f".join(" ".join(s.split()).lower() for s in (sentence, source, target))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def training_overlap(examples: Sequence[Example], shared_dir: Path | None) -> float | None:
    """Share of `examples` whose (sentence, source, target) is in the shipped training data.

    None when the training data (../shared/data-ext) cannot be found to compare with.
    """
    try:
        ext = data_dir(shared_dir)
    except InputError:  # no training data beside the checkout: the overlap is unknown
        return None
    seen = {_triple_hash(e.sentence, e.source, e.target) for e in read_plv(ext / PLV_TRAIN)}
    seen |= {_triple_hash(e.sentence, e.source, e.target) for e in read_gsr(ext / GSR_DEV)}
    if not examples:
        return 0.0
    hits = sum(_triple_hash(e.sentence, e.source, e.target) in seen for e in examples)
    return hits / len(examples)


def _extra_training(shared_dir: Path | None) -> list[Example]:
    # Non-PLV training data for cross-validation folds, with detente's label conventions.
    ext = data_dir(shared_dir)
    extra = read_gsr(ext / GSR_DEV) + read_synthetic(ext / SYNTHETIC_ZIP)
    return [with_detente_conventions(e) for e in extra]


def _corpus_training(shared_dir: Path | None, log: Callable[[str], None]) -> list:
    """The extractor's labelled sentences from the corpus's train split."""
    from detente.actors import ActorResolver
    from detente.coding.extractor import PairExtractor
    from detente.training.corpus import load_corpus, split_of
    from detente.training.pairs import corpus_examples

    documents = [d for d in load_corpus(shared=shared_dir) if split_of(d.doc) == "train"]
    return corpus_examples(documents, PairExtractor(ActorResolver(), None), log=log)


def _predict_fold(
    train_examples: list,
    test: list[Example],
    kind: str,
    epochs: int,
    seed: int,
    log: Callable[[str], None],
    threads: int,
) -> tuple[list[str], str]:
    items = [ClassifyItem(e.sentence, e.source, e.target) for e in test]
    if kind == "extractor":
        return _predict_fold_extractor(train_examples, test, epochs, seed, log, threads)
    if kind == "fast":
        from detente.training.classifier import fit_fast

        model = fit_fast(train_examples, seed)
        return [p.plover for p in model.predict(items)], model.name
    from detente.training.classifier import export_minilm, fit_minilm

    model, tokenizer, labels = fit_minilm(train_examples, epochs, seed, threads=threads, log=log)
    with tempfile.TemporaryDirectory() as tmp:
        export_minilm(model, tokenizer, labels, Path(tmp))
        onnx = MiniLMClassifier(Path(tmp))
        texts = [mark_pair(i.sentence, i.source, i.target) for i in items]
        logits = onnx.logits(texts)
        return [onnx.labels[int(k)] for k in logits.argmax(axis=1)], onnx.name


def _predict_fold_extractor(train_examples: list, test: list[Example], epochs: int,
                            seed: int, log: Callable[[str], None], threads: int
                            ) -> tuple[list[str], str]:
    """Train the extractor's pair scorer on the fold's training rows (and the corpus
    sentences passed in as `corpus` examples), then type each test pair: the best type
    other than NONE, in the 15-root label space."""
    from detente.coding.extractor import NONE, PairInput, PairScorer
    from detente.training import extractor as lab
    from detente.training.pairs import SentenceExample, phrase_pair, sixteen

    examples = [e for e in train_examples if isinstance(e, SentenceExample)]
    for row in train_examples:
        if isinstance(row, Example):
            pair = phrase_pair(row.sentence, row.source, row.target)
            if pair is not None:
                examples.append(SentenceExample(pair.text, [(pair, sixteen(row.raw_label,
                                                                           row.label))],
                                                row.uid, "plv"))
    model, tokenizer = lab.fit(examples, epochs, seed, threads, log)
    pairs = [phrase_pair(e.sentence, e.source, e.target)
             or PairInput(" ".join(e.sentence.split()), (0, 0), None, False) for e in test]
    with tempfile.TemporaryDirectory() as tmp:
        lab.export(model, tokenizer, Path(tmp), {}, log)
        scorer = PairScorer(Path(tmp))
        probabilities = scorer.probabilities(pairs)
    labels = scorer.labels
    best = [max((k for k in range(len(labels)) if labels[k] != NONE), key=row.__getitem__)
            for row in probabilities]
    return [to_root(labels[k]) for k in best], f"extractor.{scorer.version}"


def evaluate_plv(
    path: Path,
    classifier: EventClassifier | None = None,
    limit: int | None = None,
    folds: int | None = None,
    fast: bool = False,
    *,
    shared_dir: Path | None = None,
    only_folds: Sequence[int] | None = None,
    epochs: int = 6,
    seed: int = 13,
    log: Callable[[str], None] | None = None,
    threads: int = 2,
    extra_training: bool = True,
    extractor: bool = False,
) -> PlvReport:
    """Score a classifier on the PLV-format TSV at `path`.

    Without `folds`: `classifier` (default: `load_classifier(fast)`) predicts every row.
    With `folds=K`: stratified K-fold cross-validation; `only_folds` runs a subset of
    the folds (e.g. `[0]` for one 80/20 split with K=5) and scores those rows only.
    `limit` keeps the first N rows of the file; `log` receives progress lines.
    With folds, `classifier` is not used; `extra_training=False` trains the fold
    models on the file's other folds alone (no GSR or synthetic data), and
    `epochs`, `seed` and `threads` apply to MiniLM fine-tuning. `extractor=True`
    cross-validates the learned extractor's pair scorer instead (folds only: the shipped
    one was trained on this file); its extra training data is the corpus's train split.

    >>> evaluate_plv(Path("tiny.tsv"), fast=True).to_dict()["accuracy"]  # doctest: +SKIP
    1.0
    """
    started = time.monotonic()
    log = log or (lambda _: None)
    examples = read_plv(Path(path))
    if limit is not None:
        examples = examples[:limit]
    gold = [to_root(e.label) for e in examples]
    # Gold relabelled where detente's convention differs (sanctions: COERCE -> SANCTION).
    gold_detente = [with_detente_conventions(e).label for e in examples]
    notes: list[str] = []
    overlap: float | None
    if folds:
        if folds < 2 or folds > len(examples):
            raise ValueError(f"folds must be between 2 and the number of rows ({len(examples)})")
        assignment = stratified_folds(gold, folds, seed)
        kind = "extractor" if extractor else "fast" if fast else "minilm"
        extra = (_corpus_training(shared_dir, log) if extractor else
                 _extra_training(shared_dir)) if extra_training else []
        wanted = sorted(set(only_folds)) if only_folds is not None else list(range(folds))
        predicted: dict[int, str] = {}
        name = ""
        for k in wanted:
            train_part = [with_detente_conventions(e) for e, f in zip(examples, assignment) if f != k]
            rows = [i for i, f in enumerate(assignment) if f == k]
            log(f"fold {k + 1}/{folds}: training on {len(train_part) + len(extra)} examples, "
                f"predicting {len(rows)}")
            labels, name = _predict_fold(train_part + extra, [examples[i] for i in rows], kind,
                                         epochs, seed, log, threads)
            predicted.update(zip(rows, labels))
        scored = sorted(predicted)
        gold = [gold[i] for i in scored]
        gold_detente = [gold_detente[i] for i in scored]
        predictions = [predicted[i] for i in scored]
        if only_folds is not None:
            notes.append(f"scored folds {wanted} of {folds} only")
        notes.append("each fold predicted by a model trained without it"
                     + ((" (plus the corpus train split)" if extractor else
                         " (plus GSR dev and synthetic stories)") if extra_training else ""))
        trained_on, overlap = False, 0.0
    else:
        if extractor:
            raise ValueError("the shipped extractor was trained on PLV_train: use --folds K")
        classifier = classifier or load_classifier(fast=fast)
        items = [ClassifyItem(e.sentence, e.source, e.target) for e in examples]
        predictions = [p.plover for p in classifier.predict(items)]
        name = classifier.name
        overlap = training_overlap(examples, shared_dir)
        trained_on = bool(overlap is not None and overlap >= 0.5)
        if trained_on:
            notes.append("the model was trained on this file: these are training-set scores; "
                         "use --folds K for an honest held-out figure")
        elif overlap:
            notes.append(f"{overlap:.0%} of the rows are in the model's training data")
    accuracy, macro, per_class, labels, matrix = score(gold, predictions)
    relabelled = sum(a != b for a, b in zip(gold, gold_detente))
    adjusted = None
    if relabelled:
        adjusted_accuracy, adjusted_macro, *_ = score(gold_detente, predictions)
        adjusted = {"accuracy": round(adjusted_accuracy, 4), "macro_f1": round(adjusted_macro, 4),
                    "relabelled": relabelled}
        notes.append(f"{relabelled} gold labels follow another convention than detente "
                     "(imposing sanctions coded COERCE); main scores use the file's gold as is")
    return PlvReport(
        path=str(path),
        classifier=name,
        items=len(gold),
        accuracy=accuracy,
        macro_f1=macro,
        per_class=tuple(per_class),
        labels=tuple(labels),
        confusion=tuple(tuple(r) for r in matrix),
        folds=folds or None,
        trained_on_this_file=trained_on,
        training_overlap=None if overlap is None else round(overlap, 4),
        seconds=time.monotonic() - started,
        notes=tuple(notes),
        convention_adjusted=adjusted,
    )
