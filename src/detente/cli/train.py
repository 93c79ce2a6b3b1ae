"""The models' commands: `detente train`, `detente classify` and `detente eval ...`.

Each is a thin shell over one library function (`training.classifier.train`,
`classifier.classify_lines`, the `evaluation` scorers). Arguments and files are checked
before a model loads, so a typo fails at once. `main` registers the commands and mounts
`eval_app` (with `detente eval actors` from the actors commands).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from detente.cli.common import (
    FastOption,
    JsonOption,
    err,
    open_text,
    out,
    print_json,
    refuse,
    run,
    settings_from,
)
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.coding.protocol import DocumentCoder

eval_app = typer.Typer(help="Measure accuracy on labelled data.", no_args_is_help=True)

KINDS = ("extractor", "fast", "minilm", "all")
SPLITS = ("train", "dev", "test", "all")


def print_report(report: Any, json_: bool) -> None:
    """An evaluation report as JSON or as its table."""
    if json_:
        print_json(report.to_dict())
    else:
        out.print(report.to_table())


def _log(line: str) -> None:
    err.print(line, highlight=False, markup=False)


def _coder(fast: bool) -> DocumentCoder:
    from detente.library import require_coder

    settings = settings_from(None, fast=fast or None)
    return run(lambda: require_coder(settings))


def train_command(
    shared: Annotated[Path | None, typer.Option(
        "--shared", help="Folder holding data-ext/ (default: ../shared beside the checkout).",
        file_okay=False)] = None,
    kind: Annotated[str, typer.Option(
        "--kind", help="Which model to train: extractor (the default coder's pair scorer, "
                       "from data/annotations; needs the [train] extra), fast (TF-IDF), "
                       "minilm (the PLV relation classifier) or all three.")] = "extractor",
    epochs: Annotated[int | None, typer.Option(
        "--epochs", help="Fine-tuning epochs (default: 5 for the extractor, 6 for minilm).",
        min=1)] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", help="Where to write the models (default: the package's models folder, "
                         "replacing the shipped ones).", file_okay=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 13,
    final: Annotated[bool, typer.Option(
        "--final", help="Extractor: learn from the dev split too, with the threshold chosen "
                        "on dev for the train-only model (how the shipped model is "
                        "built); only the test split stays out.")] = False,
) -> None:
    """Train the shipped models: the extractor from detente's annotated corpus, the
    classifiers from the external data sets."""
    if kind not in KINDS:
        refuse("kind", f"kind: unknown model kind {kind!r}", f"Use one of: {', '.join(KINDS)}.")
    from detente.coding.classifier import MODELS_DIR
    from detente.training.classifier import train

    if kind != "extractor":
        chosen: Literal["fast", "minilm", "all"] = kind  # type: ignore[assignment]
        report = run(lambda: train(shared, output or MODELS_DIR, chosen, epochs=epochs or 6,
                                   seed=seed, log=_log))
        print_json(report.to_dict())
    if kind in ("extractor", "all"):
        from detente.training.extractor import EPOCHS, train_extractor

        config = run(lambda: train_extractor(output or MODELS_DIR, shared,
                                             epochs=epochs or EPOCHS, seed=seed, log=_log,
                                             final=final))
        print_json(config)


def classify_command(
    input: Annotated[str, typer.Option(
        "--input", "-i", help="JSONL file of {id, sentence, source, target} records, or - "
                              "for stdin.")] = "-",
    output: Annotated[str, typer.Option(
        "--output", "-o", help="Where to write JSONL results, or - for stdout.")] = "-",
    fast: Annotated[bool, typer.Option(
        "--fast", help="Use the TF-IDF model instead of MiniLM.")] = False,
) -> None:
    """Classify source-target pairs: one {id, plover, mode, cameo, confidence} line per
    input line."""
    from detente.coding.classifier import classify_lines, load_classifier
    from detente.jsonio import to_json

    with open_text(input, "r", "input") as source, open_text(output, "w", "output") as sink:
        classifier = run(lambda: load_classifier(fast=fast))
        for record in classify_lines(source, classifier):
            sink.write(to_json(record) + "\n")


def eval_plv_command(
    path: Annotated[Path, typer.Argument(help="PLV-format TSV (uid, sentence, source, target, "
                                         "gold_root).", exists=True, dir_okay=False)],
    limit: Annotated[int | None, typer.Option(
        "--limit", help="Score only the first N rows.", min=1)] = None,
    folds: Annotated[int | None, typer.Option(
        "--folds", help="K-fold cross-validation on this file (retrains per fold; MiniLM: "
                        "one fine-tuning per fold, ~10-15 min each).", min=2)] = None,
    fast: Annotated[bool, typer.Option(
        "--fast", help="Use (or cross-validate) the TF-IDF model.")] = False,
    extractor: Annotated[bool, typer.Option(
        "--extractor", help="Cross-validate the learned extractor's pair scorer (with "
                            "--folds; trains one per fold, with the corpus's train split "
                            "unless --no-extra).")] = False,
    extra: Annotated[bool, typer.Option(
        "--extra/--no-extra", help="Add the extra training data to each fold (GSR and "
                                   "synthetic stories, or the corpus for --extractor).")] = True,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score the event-type classifier on a PLV-format file (accuracy, macro-F1, per class)."""
    from detente.evaluation.plv import evaluate_plv

    def evaluate() -> Any:
        try:
            return evaluate_plv(path, limit=limit, folds=folds, fast=fast,
                                extractor=extractor, extra_training=extra, log=_log)
        except ValueError as exc:  # a file or an option the scorer cannot use
            raise InputError(str(exc), hint="Check the file and the options (see --help).") \
                from exc

    print_report(run(evaluate), json_)


@eval_app.command("gsr")
def eval_gsr(
    path: Annotated[Path, typer.Argument(help="PLOVER gold records (JSON array).",
                                         exists=True, dir_okay=False)],
    fast: FastOption = False,
    json_: JsonOption = False,
) -> None:
    """End to end from each record's text: P/R/F1 on (record, source, target, type)."""
    from detente.evaluation.extraction import evaluate_gsr

    coder = _coder(fast)
    print_report(run(lambda: evaluate_gsr(path, coder)), json_)


@eval_app.command("docs")
def eval_docs(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL: doc, quote, source, target, "
                                              "plover, date.", exists=True, dir_okay=False)],
    docs: Annotated[list[str], typer.Option("--docs", help="Folder, files or JSONL of the "
                                                           "documents.")],
    fast: FastOption = False,
    json_: JsonOption = False,
) -> None:
    """Score coded documents against gold events, with date accuracy."""
    from detente.evaluation.extraction import evaluate_docs

    missing = [d for d in docs if not Path(d).exists()]
    if missing:
        refuse("docs", f"docs: no such file or folder: {', '.join(missing)}",
               "Check the paths (relative paths start at the current folder).")
    coder = _coder(fast)
    print_report(run(lambda: evaluate_docs(gold, docs, coder)), json_)


@eval_app.command("corpus")
def eval_corpus(
    split: Annotated[str, typer.Option("--split", help="train, dev, test or all. The test "
                                       "split is scored once per release, never tuned on.")
                     ] = "test",
    file: Annotated[list[Path] | None, typer.Option(
        "--file", help="Corpus batch files (repeatable; default: data/annotations/*.jsonl).",
        exists=True, dir_okay=False)] = None,
    shared: Annotated[Path | None, typer.Option(
        "--shared", help="Folder holding the referenced texts (default: ../shared).",
        file_okay=False)] = None,
    fast: FastOption = False,
    json_: JsonOption = False,
) -> None:
    """Score the coder on detente's annotated corpus: P/R/F1 with 95% intervals, per type
    and text kind, date accuracy, errors grouped."""
    from detente.evaluation.corpus import evaluate_corpus
    from detente.training.corpus import load_corpus

    if split not in SPLITS:
        refuse("split", f"split: unknown split {split!r}", f"Use one of: {', '.join(SPLITS)}.")
    documents = run(lambda: load_corpus(file or None, shared))
    coder = _coder(fast)
    print_report(run(lambda: evaluate_corpus(coder, split, documents)), json_)
