"""Command functions for the classifier: `detente train`, `detente classify`, `detente eval plv`.

Each is a thin shell over one library function (`training.train`,
`classifier.classify_lines`, `evaluate_plv.evaluate_plv`); the main typer app
registers them:

    app.command("train")(train_command)
    app.command("classify")(classify_command)
    eval_app.command("plv")(eval_plv_command)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from detente.errors import DetenteError

_err = Console(stderr=True)


def _fail(exc: DetenteError) -> typer.Exit:
    _err.print(f"[red]{exc}[/red]")
    return typer.Exit(exc.exit_code)


def train_command(
    shared: Annotated[
        Path | None,
        typer.Option("--shared", help="Folder holding data-ext/ (default: ../shared beside the "
                     "checkout).", file_okay=False),
    ] = None,
    kind: Annotated[
        str,
        typer.Option("--kind", help="Which model to train: extractor (the default coder's "
                     "pair scorer, from data/annotations; needs the [train] extra), fast "
                     "(TF-IDF), minilm (the PLV relation classifier) or all three."),
    ] = "extractor",
    epochs: Annotated[int | None, typer.Option(
        "--epochs", help="Fine-tuning epochs (default: 5 for the extractor, 6 for minilm).",
        min=1)] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Where to write the models (default: the package's "
                     "models folder, replacing the shipped ones).", file_okay=False),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 13,
) -> None:
    """Train the shipped models: the extractor from detente's annotated corpus, the
    classifiers from the external data sets."""
    from detente.coding.classifier import MODELS_DIR
    from detente.training.classifier import train

    if kind not in ("extractor", "fast", "minilm", "all"):
        raise typer.BadParameter("use extractor, fast, minilm or all", param_hint="--kind")
    log = lambda line: _err.print(line, highlight=False)
    try:
        if kind != "extractor":
            chosen: Literal["fast", "minilm", "all"] = kind  # type: ignore[assignment]
            report = train(shared, output or MODELS_DIR, chosen, epochs=epochs or 6,
                           seed=seed, log=log)
            typer.echo(json.dumps(report.to_dict(), indent=2))
        if kind in ("extractor", "all"):
            from detente.training.extractor import EPOCHS, train_extractor

            config = train_extractor(output or MODELS_DIR, shared, epochs=epochs or EPOCHS,
                                     seed=seed, log=log)
            typer.echo(json.dumps(config, indent=2))
    except DetenteError as exc:
        raise _fail(exc) from exc


def classify_command(
    input: Annotated[
        str, typer.Option("--input", "-i", help="JSONL file of {id, sentence, source, target} "
                          "records, or - for stdin.")
    ] = "-",
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where to write JSONL results, or - for stdout.")
    ] = "-",
    fast: Annotated[
        bool, typer.Option("--fast", help="Use the TF-IDF model instead of MiniLM.")
    ] = False,
) -> None:
    """Classify source-target pairs: one {id, plover, mode, cameo, confidence} line per input line."""
    from detente.coding.classifier import classify_lines, load_classifier

    try:
        classifier = load_classifier(fast=fast)
        source = sys.stdin if input == "-" else open(input, encoding="utf-8")  # noqa: SIM115
    except (DetenteError, OSError) as exc:
        if isinstance(exc, DetenteError):
            raise _fail(exc) from exc
        _err.print(f"[red]cannot read {input}: {exc}[/red]")
        raise typer.Exit(2) from exc
    sink = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        for record in classify_lines(source, classifier):
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if source is not sys.stdin:
            source.close()
        if sink is not sys.stdout:
            sink.close()


def eval_plv_command(
    path: Annotated[Path, typer.Argument(help="PLV-format TSV (uid, sentence, source, target, "
                                         "gold_root).", exists=True, dir_okay=False)],
    limit: Annotated[
        int | None, typer.Option("--limit", help="Score only the first N rows.", min=1)
    ] = None,
    folds: Annotated[
        int | None,
        typer.Option("--folds", help="K-fold cross-validation on this file (retrains per fold; "
                     "MiniLM: one fine-tuning per fold, ~10-15 min each).", min=2),
    ] = None,
    fast: Annotated[
        bool, typer.Option("--fast", help="Use (or cross-validate) the TF-IDF model.")
    ] = False,
    extractor: Annotated[
        bool, typer.Option("--extractor", help="Cross-validate the learned extractor's pair "
                           "scorer (with --folds; trains one per fold, with the corpus's "
                           "train split unless --no-extra).")
    ] = False,
    extra: Annotated[
        bool, typer.Option("--extra/--no-extra", help="Add the extra training data to each "
                           "fold (GSR and synthetic stories, or the corpus for --extractor).")
    ] = True,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score the event-type classifier on a PLV-format file (accuracy, macro-F1, per class)."""
    from detente.evaluation.plv import evaluate_plv

    try:
        report = evaluate_plv(path, limit=limit, folds=folds, fast=fast, extractor=extractor,
                              extra_training=extra,
                              log=lambda line: _err.print(line, highlight=False))
    except DetenteError as exc:
        raise _fail(exc) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if json_:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        Console().print(report.to_table())
