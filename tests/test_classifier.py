"""The event-type classifiers, `classify_lines`, and the PLV evaluation.

Hand-written sentences for behaviour; the shared PLV data (../shared beside the
checkout) only for the evaluation tests, skipped when it is absent. MiniLM
training never runs here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.coding.classifier import (
    MODELS_DIR,
    ClassifyItem,
    EventClassifier,
    MiniLMClassifier,
    TfidfClassifier,
    classify_lines,
    load_classifier,
    mark_pair,
)
from detente.errors import ModelMissingError
from detente.evaluation.plv import evaluate_plv, score
from detente.training.data import ROOTS, default_shared_dir, to_root

SHARED = default_shared_dir()
PLV_TRAIN = SHARED / "data-ext" / "zsp-plv-aw" / "PLV_train.tsv"
HAS_MINILM = (MODELS_DIR / "minilm" / "config.json").is_file()

SENTENCES = [
    (ClassifyItem("Japan imposed sanctions on Russia", "Japan", "Russia"), "SANCTION"),
    (ClassifyItem("Abe met Putin in Sochi", "Abe", "Putin"), "CONSULT"),
    (ClassifyItem("The United States condemned North Korea's missile test",
                  "The United States", "North Korea"), "ACCUSE"),
]


def needs_shared() -> None:
    if not PLV_TRAIN.is_file():
        pytest.skip("needs ../shared/data-ext beside the checkout")


@pytest.fixture(scope="module")
def fast() -> TfidfClassifier:
    return TfidfClassifier.load()


@pytest.fixture(scope="module")
def minilm() -> MiniLMClassifier:
    if not HAS_MINILM:
        pytest.skip("the MiniLM model is not built (detente train --kind minilm)")
    return load_classifier()  # type: ignore[return-value]


def test_mark_pair_wraps_first_occurrences() -> None:
    text = mark_pair("Russia warned Japan; Japan replied", "Japan", "Russia")
    assert text == "[TGT] Russia [/TGT] warned [SRC] Japan [/SRC]; Japan replied"


def test_mark_pair_appends_phrases_it_cannot_find() -> None:
    text = mark_pair("Tokyo protested.", "Japan", "Russia")
    assert text == "Tokyo protested. (source: Japan; target: Russia)"


def test_mark_pair_keeps_overlapping_phrases_apart() -> None:
    text = mark_pair("Russian forces left Russia", "Russian forces", "Russia")
    assert text == "[SRC] Russian forces [/SRC] left [TGT] Russia [/TGT]"


def test_to_root_maps_old_and_split_names() -> None:
    assert [to_root(n) for n in ("FIGHT", "DISAPPROVE", "CONCEDE", "RETREAT", "DEMAND")] == [
        "ASSAULT", "ACCUSE", "YIELD", "YIELD", "REQUEST"
    ]


def test_fast_model_loads_and_predicts(fast: TfidfClassifier) -> None:
    assert isinstance(fast, EventClassifier)
    assert fast.name == "classifier.tfidf.v1"
    assert set(fast.labels) == set(ROOTS)
    predictions = fast.predict([item for item, _ in SENTENCES])
    assert [p.plover for p in predictions] == [label for _, label in SENTENCES]
    for p in predictions:
        assert set(p.scores) == set(ROOTS)
        assert 0.0 < p.confidence <= 1.0
        assert p.confidence == pytest.approx(max(p.scores.values()))
        assert sum(p.scores.values()) == pytest.approx(1.0, abs=1e-4)


def test_fast_model_splits_yield_into_concede_or_retreat(fast: TfidfClassifier) -> None:
    items = [ClassifyItem("Chile withdrew its troops from the border with Peru", "Chile", "Peru"),
             ClassifyItem("Peru conceded the border dispute to Chile", "Peru", "Chile")]
    assert [(p.plover, p.raw_type) for p in fast.predict(items)] == [
        ("YIELD", "RETREAT"), ("YIELD", "CONCEDE")]


def test_predict_empty_batch(fast: TfidfClassifier) -> None:
    assert fast.predict([]) == []


def test_fast_model_handles_unmarked_and_odd_input(fast: TfidfClassifier) -> None:
    predictions = fast.predict(
        [ClassifyItem("", "", ""), ClassifyItem("???", "x", "y"), ClassifyItem("Β" * 500, "", "")]
    )
    assert [p.plover in ROOTS for p in predictions] == [True, True, True]


def test_minilm_model_predicts(minilm: MiniLMClassifier) -> None:
    assert minilm.name == "classifier.minilm-onnx.v1"
    predictions = minilm.predict([item for item, _ in SENTENCES])
    assert [p.plover for p in predictions] == [label for _, label in SENTENCES]
    for p in predictions:
        assert set(p.scores) == set(ROOTS)
        assert p.confidence == pytest.approx(max(p.scores.values()))


def test_minilm_batches_keep_input_order(minilm: MiniLMClassifier) -> None:
    items = [item for item, _ in SENTENCES] * 20
    one_by_one = [minilm.predict([i])[0].plover for i in items[:3]]
    batched = [p.plover for p in minilm.predict(items)]
    assert batched[:3] == one_by_one
    assert batched == batched[:3] * 20


def test_load_classifier_prefers_minilm_unless_fast() -> None:
    assert load_classifier(fast=True).name == "classifier.tfidf.v1"
    expected = "classifier.minilm-onnx.v1" if HAS_MINILM else "classifier.tfidf.v1"
    assert load_classifier().name == expected


def test_load_classifier_without_models_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="no event-type classifier") as info:
        load_classifier(models_dir=tmp_path)
    assert "detente train" in str(info.value)


def test_classify_lines_keeps_order_and_reports_bad_lines(fast: TfidfClassifier) -> None:
    lines = [
        json.dumps({"id": "a", "sentence": "Japan imposed sanctions on Russia",
                    "source": "Japan", "target": "Russia"}),
        "{not json",
        json.dumps({"id": "c", "source": "Abe"}),
        "",
        json.dumps({"id": "d", "sentence": "Abe met Putin in Sochi", "source": "Abe",
                    "target": "Putin"}),
    ]
    out = list(classify_lines(lines, fast, batch_size=2))
    assert [r["id"] for r in out] == ["a", 2, "c", "d"]
    assert out[0]["plover"] == "SANCTION" and out[3]["plover"] == "CONSULT"
    assert set(out[0]) == {"id", "plover", "mode", "cameo", "confidence"}
    assert out[1]["error"].startswith("line 2: malformed JSON")
    assert "sentence" in out[2]["error"]


def test_score_counts_and_macro_f1() -> None:
    accuracy, macro, per_class, labels, matrix = score(
        ["AGREE", "AGREE", "ACCUSE", "REJECT"], ["AGREE", "ACCUSE", "ACCUSE", "REJECT"]
    )
    assert accuracy == 0.75
    assert labels == ["AGREE", "ACCUSE", "REJECT"]
    assert matrix == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    by_label = {c.label: c for c in per_class}
    assert by_label["AGREE"].recall == 0.5 and by_label["AGREE"].precision == 1.0
    assert macro == pytest.approx((2 / 3 + 2 / 3 + 1.0) / 3)


TINY_TSV = (
    "uid\tsentence\tsource\ttarget\tgold_root\n"
    "1\tJapan imposed sanctions on Russia.\tJapan\tRussia\tSANCTION\n"
    "2\tAbe met Putin in Sochi.\tAbe\tPutin\tCONSULT\n"
    "3\tRussia withdrew its troops from the border with Ukraine.\tRussia\tUkraine\tRETREAT\n"
    "4\tThe United States condemned North Korea's missile test.\tThe United States\t"
    "North Korea\tACCUSE\n"
)


def test_evaluate_plv_on_a_tiny_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.tsv"
    path.write_text(TINY_TSV, encoding="utf-8")
    report = evaluate_plv(path, fast=True, shared_dir=tmp_path)
    data = report.to_dict()
    assert data["items"] == 4
    assert data["classifier"] == "classifier.tfidf.v1"
    assert data["trained_on_this_file"] is False
    assert data["training_overlap"] is None  # no training data in tmp_path to compare with
    assert "YIELD" in {c["label"] for c in data["per_class"]}  # RETREAT scored as YIELD
    assert data["accuracy"] == 1.0  # four plain sentences the shipped model gets right
    assert sum(map(sum, data["confusion"]["matrix"])) == 4
    from rich.console import Console

    console = Console(record=True, width=150)
    console.print(report.to_table())
    assert "macro-F1" in console.export_text()


def test_evaluate_plv_rejects_a_file_without_plv_columns(tmp_path: Path) -> None:
    from detente.errors import InputError

    path = tmp_path / "bad.tsv"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match="gold_root"):
        evaluate_plv(path, fast=True)


def test_evaluate_plv_flags_training_data() -> None:
    needs_shared()
    report = evaluate_plv(PLV_TRAIN, fast=True, limit=60)
    data = report.to_dict()
    assert data["items"] == 60
    assert data["trained_on_this_file"] is True and data["held_out"] is False
    assert any("training" in note for note in data["notes"])


@pytest.mark.slow
def test_evaluate_plv_cross_validates_on_the_file_alone() -> None:
    needs_shared()
    report = evaluate_plv(PLV_TRAIN, fast=True, folds=2, extra_training=False)
    data = report.to_dict()
    assert data["folds"] == 2 and data["items"] == 1050
    assert data["trained_on_this_file"] is False and data["held_out"] is True
    assert 0.4 < data["accuracy"] < 0.95  # the file's halves alone: well below the full model


@pytest.mark.slow
def test_evaluate_plv_cross_validates_the_fast_model() -> None:
    needs_shared()
    # The file is sorted by root: its first 120 rows are all ACCUSE, so each fold model
    # learns the other roots from the GSR and synthetic data only.
    report = evaluate_plv(PLV_TRAIN, fast=True, limit=120, folds=2)
    data = report.to_dict()
    assert data["folds"] == 2 and data["items"] == 120
    assert data["trained_on_this_file"] is False
    assert any("synthetic" in note for note in data["notes"])
    assert 0.3 < data["accuracy"] <= 1.0


def test_training_without_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    import sys

    from detente.training.classifier import train

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ModelMissingError, match="torch") as info:
        train(tmp_path, tmp_path / "out", kind="minilm")
    assert "pip install -e '.[train]'" in str(info.value)


def test_fast_training_reproduces_a_working_model(tmp_path: Path) -> None:
    from detente.training.classifier import fit_fast, save_fast
    from detente.training.data import Example

    rows = [("Japan imposed sanctions on Russia", "SANCTION"), ("Abe met Putin", "CONSULT"),
            ("Japan expelled Russian diplomats", "SANCTION"), ("Abe visited Putin", "CONSULT")]
    examples = [Example(str(n), text, text.split()[0], text.split()[-1], label, label, "", "plv")
                for n, (text, label) in enumerate(rows * 3)]
    path = save_fast(fit_fast(examples), tmp_path)
    model = TfidfClassifier.load(path)
    assert model.predict([ClassifyItem("Abe met Putin", "Abe", "Putin")])[0].plover == "CONSULT"
