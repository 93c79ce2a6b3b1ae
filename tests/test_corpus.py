"""The annotated corpus: packing drafts, reading batches, splits and agreement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.errors import CorpusError
from detente.training.agreement import date_agreement, kappa
from detente.training.corpus import (
    CORPUS_DIR,
    load_document,
    pack_document,
    read_records,
    split_of,
    stats,
)

DRAFT = {
    "doc": "team:test-001", "kind": "wire", "date": "2021-03-04", "title": "A test story",
    "annotator": "tests",
    "sentences": [
        {"text": "Lithuania expelled two Belarusian diplomats on Wednesday.",
         "events": [{"source": "LTU GOV", "source_text": "Lithuania", "target": "BLR",
                     "target_text": "Belarusian diplomats", "type": "SANCTION",
                     "cameo": "166", "date": "2021-03-03", "trigger": "expelled"}]},
        {"text": "Minsk may answer in kind.", "tags": ["opinion"], "events": []},
    ],
}


def test_a_team_draft_packs_with_offsets_into_its_own_text():
    record = pack_document(DRAFT)
    assert record["text"] == ("Lithuania expelled two Belarusian diplomats on Wednesday. "
                              "Minsk may answer in kind.")
    event = record["sentences"][0]["events"][0]
    start, end = event["target_span"]
    assert record["text"][start:end] == "Belarusian diplomats"
    assert (event["type"], event["date"], record["sentences"][1]["tags"]) == (
        "SANCTION", "2021-03-03", ["opinion"])
    document = load_document(record)
    assert document.sentence_text(document.sentences[1]) == "Minsk may answer in kind."


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "blog"}, "team:test-001: kind must be one of ['analysis', 'wire']"),
    ({"date": "04/03/2021"}, "team:test-001: publication date '04/03/2021' is not ISO"),
])
def test_bad_document_fields_name_the_document(change, message):
    with pytest.raises(CorpusError) as caught:
        pack_document({**DRAFT, **change})
    assert caught.value.message == message


@pytest.mark.parametrize(("field", "value", "message"), [
    ("type", "HUG", "not a PLOVER type"),
    ("source", "Lithuania", "is not 'CODE' or 'CODE SECTOR'"),
    ("cameo", "999", "CAMEO code"),
    ("date", "March 2021", "not YYYY"),
])
def test_bad_event_fields_name_the_sentence(field, value, message):
    draft = json.loads(json.dumps(DRAFT))
    draft["sentences"][0]["events"][0][field] = value
    with pytest.raises(CorpusError, match=message) as caught:
        pack_document(draft)
    assert "team:test-001 sentence 0" in str(caught.value)


def test_old_type_names_are_stored_under_current_ones():
    draft = json.loads(json.dumps(DRAFT))
    draft["sentences"][0]["events"][0]["type"] = "DEMAND"
    assert pack_document(draft)["sentences"][0]["events"][0]["type"] == "REQUEST"


def test_a_changed_text_is_refused_rather_than_misread():
    record = pack_document(DRAFT)
    record["text"] = record["text"].replace("two", "three")
    with pytest.raises(CorpusError, match="no longer matches"):
        load_document(record)


def test_split_is_fixed_by_the_document_id():
    ids = [f"team:x-{i:03d}" for i in range(400)]
    splits = [split_of(i) for i in ids]
    assert splits == [split_of(i) for i in ids]
    shares = {s: splits.count(s) / len(ids) for s in ("train", "dev", "test")}
    assert 0.6 < shares["train"] < 0.8 and 0.08 < shares["test"] < 0.22


def test_stats_count_types_negatives_and_joint_actors():
    draft = json.loads(json.dumps(DRAFT))
    draft["sentences"][0]["events"].append({**draft["sentences"][0]["events"][0],
                                            "source": "LVA GOV", "source_text": None})
    figures = stats([load_document(pack_document(draft))])
    assert (figures["sentences"], figures["events"], figures["types"]["SANCTION"]) == (2, 2, 2)
    assert (figures["joint_sentences"], figures["hard_negatives"]) == (1, 1)


def test_kappa_is_one_for_identical_labels_and_zero_for_chance():
    assert kappa([("AID", "AID"), ("REJECT", "REJECT")]) == 1.0
    assert kappa([("AID", "AID"), ("AID", "REJECT"), ("REJECT", "AID"),
                  ("REJECT", "REJECT")]) == 0.0


def test_every_committed_team_document_is_valid():
    team = [r for r in read_records(sorted(CORPUS_DIR.glob("*.jsonl")))
            if r["doc"].startswith("team:")]
    assert len(team) >= 100
    for record in team:
        document = load_document(record)
        for sentence in document.sentences:
            assert document.sentence_text(sentence).strip()


@pytest.mark.shared
def test_every_committed_reference_document_matches_its_shared_text():
    shared = Path(__file__).resolve().parents[2] / "shared"
    if not (shared / "corpus").is_dir():
        pytest.skip(f"needs the shared data in {shared} (../shared beside the checkout)")
    records = [r for r in read_records(sorted(CORPUS_DIR.glob("*.jsonl")))
               if not r["doc"].startswith("team:")]
    assert len(records) >= 300
    for record in records:
        load_document(record, shared)  # raises on a missing or changed text


def test_the_threshold_favours_precision_on_a_flat_f1_curve():
    from detente.training.extractor import pick_threshold

    flat = {0.3: (0.45, 0.36, 0.400), 0.55: (0.55, 0.31, 0.395), 0.9: (0.70, 0.20, 0.31)}
    assert pick_threshold(flat) == 0.55
    precise = {0.3: (0.6, 0.5, 0.55), 0.6: (0.76, 0.4, 0.52), 0.8: (0.8, 0.2, 0.32)}
    assert pick_threshold(precise) == 0.6


def test_date_agreement_reads_null_as_the_publication_date(tmp_path: Path) -> None:
    record = {"doc": "team:x-1", "kind": "wire", "date": "2015-03-04", "annotator": "x",
              "sha": "0", "sentences": []}
    (tmp_path / "x.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (tmp_path / "reviews").mkdir()
    first, second = tmp_path / "reviews" / "a.jsonl", tmp_path / "reviews" / "b.jsonl"
    rows = [({"s": 0, "e": 0, "date": None}, {"s": 0, "e": 0, "date": "2015-03-04"}),
            ({"s": 1, "e": 0, "date": "2015-03"}, {"s": 1, "e": 0, "date": "2015-02"}),
            ({"s": 2, "e": 0, "date": "2014"}, None)]
    for path, side in ((first, 0), (second, 1)):
        path.write_text("".join(json.dumps({"doc": "team:x-1", "why": "own", **pair[side]})
                                + "\n" for pair in rows if pair[side]), encoding="utf-8")
    report = date_agreement(first, second, tmp_path)
    assert (report["events"], report["agreement"]) == (2, 0.5)
    assert report["disagreements"] == [{"doc": "team:x-1", "sentence": 1, "event": 0,
                                        "first": "2015-03", "second": "2015-02"}]
