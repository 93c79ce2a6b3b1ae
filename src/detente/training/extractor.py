"""Train the learned extractor: label candidates on the corpus's train split, fine-tune
MiniLM over NONE + 16 PLOVER types, export int8 ONNX, and choose the confidence
threshold on the dev split (never on test).

    detente train --kind extractor            # or: python -m detente.training.extractor OUT
    detente train --kind extractor --final    # learns from dev too (the shipped model)
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from detente.coding.extractor import (
    EXTRACTOR_DIR,
    MARKERS,
    PairExtractor,
    PairScorer,
    pair_flags,
    pair_ranges,
)
from detente.training.classifier import (
    _batches,
    _pad,
    _require_torch,
    _tokenizer,
    base_model_dir,
    linear_schedule,
    step,
)
from detente.training.corpus import GoldDocument, load_corpus, split_of
from detente.training.pairs import LABELS, SentenceExample, corpus_examples, extra_examples
from detente.training.prefilter import train_prefilter

Log = Callable[[str], None]
SEED = 13
EPOCHS = 5
BATCH = 16  # sentences; each holds several pairs
LR = 5e-5
HEAD_LR = 1e-3
HIDDEN = 256
MAX_LENGTH = 96
#: Loss weight of positives from the open data sets, marked by phrase and without
#: the NONE pairs of their sentences, relative to corpus examples.
EXTRA_WEIGHT = 0.5
#: Loss weight of a NONE pair: four pairs in five are NONE, and at full weight the
#: encoder learns to say NONE to the rare positives too (measured on dev).
NONE_WEIGHT = 0.2
NONE_ONLY_KEEP = 0.3
#: Thresholds tried on dev; the chosen one maximises F1 with precision at least
#: TARGET_PRECISION where any does, else F1 alone.
THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(13))
TARGET_PRECISION = 0.75
F1_SLACK = 0.01
VERSION = "pairs-minilm.v1"
#: The threshold of a final model, trained on the train and dev splits together: the one
#: chosen on dev for the same recipe trained on train alone (docs/MODEL_CARD.md).
FINAL_THRESHOLD = 0.45


def _model(torch):
    from transformers import AutoModel

    # torch is imported lazily and passed in, so mypy cannot see the base class
    class PairModel(torch.nn.Module):  # type: ignore[name-defined]
        """The encoder, and the head that scores pooled pair vectors (pair_features)."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_dir()))
            self.encoder.resize_token_embeddings(self.encoder.config.vocab_size + len(MARKERS))
            size = self.encoder.config.hidden_size
            self.head = torch.nn.Sequential(
                torch.nn.Dropout(0.1), torch.nn.Linear(6 * size + 3, HIDDEN),
                torch.nn.GELU(approximate="tanh"), torch.nn.Dropout(0.1),
                torch.nn.Linear(HIDDEN, len(LABELS)))

        def features(self, hidden, rows, ranges, flags):
            """The torch twin of coding.extractor.pair_features, for a batch of pairs:
            each pooled part is one matrix product with averaging weights."""
            batch, length, size = hidden.shape
            flat = hidden.reshape(batch * length, size)
            parts = []
            for part in range(4):  # source, target, link words, trigger
                weights = hidden.new_zeros((len(rows), batch * length))
                for p, (row, spans) in enumerate(zip(rows, ranges, strict=True)):
                    a, b = spans[part]
                    if b > a:
                        weights[p, row * length + a:row * length + b] = 1.0 / (b - a)
                parts.append(weights @ flat)
            cls = hidden[torch.tensor(rows), 0]
            return torch.cat([cls, *parts, parts[0] * parts[1], hidden.new_tensor(flags)], dim=1)

        def forward(self, ids, mask, rows, ranges, flags):
            hidden = self.encoder(input_ids=ids, attention_mask=mask)[0]
            return self.head(self.features(hidden, rows, ranges, flags))

    return PairModel()


def fit(examples: Sequence[SentenceExample], epochs: int = EPOCHS, seed: int = SEED,
        threads: int = 2, log: Log = print):
    """Fine-tune the encoder and train the pair head; returns (model, tokenizer)."""
    torch = _require_torch()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer = _tokenizer(MARKERS, MAX_LENGTH)
    # One encoder input per (sentence, source actor), as at run time.
    grouped: dict[str, list] = {}
    weight_of: dict[str, float] = {}
    for example in examples:
        for pair, label in example.pairs:
            marked = pair.marked()
            grouped.setdefault(marked.text, []).append((marked, label))
            weight_of[marked.text] = 1.0 if example.origin == "corpus" else EXTRA_WEIGHT
    texts = list(grouped)
    encodings = tokenizer.encode_batch(texts)
    token_ids = [e.ids for e in encodings]
    # A source cut off by truncation is invisible to the encoder: its pairs are left out
    # (at run time they are NONE).
    pairs = [[(ranges, pair_flags(p), LABELS.index(label))
              for p, label in grouped[text]
              if (ranges := pair_ranges(encodings[i].offsets, p))[0] != (0, 0)]
             for i, text in enumerate(texts)]
    weights = [weight_of[text] for text in texts]
    log(f"{len(texts)} encoder inputs, {sum(map(len, pairs))} pairs")
    model = _model(torch)
    optimizer = torch.optim.AdamW([
        {"params": model.encoder.parameters(), "lr": LR},
        {"params": model.head.parameters(), "lr": HEAD_LR}], weight_decay=0.01)
    lengths = [len(e.ids) for e in encodings]
    positive = [any(label != 0 for *_, label in row) for row in pairs]
    per_epoch = sum(positive) + NONE_ONLY_KEEP * (len(texts) - sum(positive))
    scheduler = linear_schedule(torch, optimizer, epochs * math.ceil(per_epoch / BATCH))
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        # Inputs whose pairs are all NONE are many and easy: a share of them, drawn anew
        # each epoch, keeps their signal at a fraction of the cost.
        keep = [i for i in range(len(texts))
                if pairs[i] and (positive[i] or rng.random() < NONE_ONLY_KEEP)]
        batches = [[keep[i] for i in rows]
                   for rows in _batches([lengths[i] for i in keep], BATCH, rng)]
        for n, rows in enumerate(batches, start=1):
            ids, mask = _pad(torch, token_ids, rows)
            flat = [(r, *pair) for r, i in enumerate(rows) for pair in pairs[i]]
            logits = model(ids, mask, [f[0] for f in flat], [f[1] for f in flat],
                           [f[2] for f in flat])
            targets = torch.tensor([f[3] for f in flat])
            weight = torch.tensor([weights[rows[f[0]]] * (NONE_WEIGHT if f[3] == 0 else 1.0)
                                   for f in flat])
            losses = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
            loss = (losses * weight).sum() / weight.sum()
            total += step(torch, model, optimizer, scheduler, loss)
            if n % 50 == 0:
                log(f"epoch {epoch + 1}/{epochs} batch {n}/{len(batches)} "
                    f"loss {total / n:.3f} ({time.monotonic() - started:.0f}s)")
        log(f"epoch {epoch + 1}/{epochs} done, loss {total / max(1, len(batches)):.3f} "
            f"({time.monotonic() - started:.0f}s)")
    model.eval()
    return model, tokenizer


def export(model, tokenizer, folder: Path, training: dict, log: Log = print) -> None:
    """Encoder → ONNX int8 (hidden states out); head → head.npz; tokenizer; config."""
    torch = _require_torch()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    fp32, int8 = folder / "encoder.fp32.onnx", folder / "encoder.int8.onnx"

    class Encoder(torch.nn.Module):  # type: ignore[name-defined]
        def __init__(self, encoder) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]

    sample = tokenizer.encode("Japan met Russia.")
    ids = torch.tensor([sample.ids])
    torch.onnx.export(Encoder(model.encoder), (ids, torch.ones_like(ids)), str(fp32),
                      input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                    "attention_mask": {0: "batch", 1: "sequence"},
                                    "hidden": {0: "batch", 1: "sequence"}},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    fp32.unlink()
    for stale in folder.glob("*.data"):
        stale.unlink()
    first, second = model.head[1], model.head[4]
    np.savez_compressed(folder / "head.npz",
                        w1=first.weight.detach().numpy(), b1=first.bias.detach().numpy(),
                        w2=second.weight.detach().numpy(), b2=second.bias.detach().numpy())
    tokenizer.save(str(folder / "tokenizer.json"))
    config = {"name": "extractor.pairs-minilm-onnx.v1", "version": VERSION,
              "labels": list(LABELS), "model_file": int8.name, "head_file": "head.npz",
              "max_length": MAX_LENGTH, "threshold": 0.5,
              "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
              "features": "[CLS; source; target; link words; trigger; source*target; flags] -> "
                          f"MLP({HIDDEN}, GELU) over NONE + 16 PLOVER types",
              "training": training}
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {int8} ({int8.stat().st_size / 1e6:.1f} MB)")


def choose_threshold(extractor: PairExtractor, dev: Sequence[GoldDocument],
                     log: Log = print) -> tuple[float, dict]:
    """Code dev once with every candidate kept, then score each threshold."""
    from detente.evaluation.corpus import coded_documents
    from detente.evaluation.scoring import score

    saved, extractor.threshold = extractor.threshold, min(THRESHOLDS)
    scored = coded_documents(dev, extractor)
    extractor.threshold = saved
    everything = [document.found for document in scored]
    table = {}
    for threshold in THRESHOLDS:
        for document, found in zip(scored, everything, strict=True):
            document.found = [f for f in found if f.confidence >= threshold]
        overall = score(scored, rounds=1).overall
        table[threshold] = (overall.precision, overall.recall, overall.f1)
        log(f"dev threshold {threshold:.2f}: P {overall.precision:.3f} "
            f"R {overall.recall:.3f} F1 {overall.f1:.3f}")
    return pick_threshold(table), {str(t): [round(v, 3) for v in row] for t, row in table.items()}


def pick_threshold(table: dict[float, tuple[float, float, float]]) -> float:
    """The highest threshold with precision ≥ TARGET_PRECISION if any; else the highest
    whose F1 is within F1_SLACK of the best (on a flat F1 curve, the more precise one).

    >>> pick_threshold({0.3: (0.45, 0.36, 0.40), 0.6: (0.56, 0.30, 0.393), 0.9: (0.7, 0.2, 0.31)})
    0.6
    """
    precise = [t for t, (p, _, _) in table.items() if p >= TARGET_PRECISION]
    if precise:
        return max(precise, key=lambda t: (table[t][2], t))
    best = max(f1 for _, _, f1 in table.values())
    return max(t for t, (_, _, f1) in table.items() if f1 >= best - F1_SLACK)


def train_extractor(output_dir: Path, shared: Path | None = None, epochs: int = EPOCHS,
                    seed: int = SEED, threads: int = 2, log: Log = print,
                    final: bool = False) -> dict:
    """Build models/extractor from the corpus (train split) and the open data sets, and
    choose its threshold on dev. A `final` model learns from the dev split too, with the
    threshold chosen on dev for the same recipe (FINAL_THRESHOLD); only the test split
    is then left out."""
    from detente.actors import ActorResolver

    started = time.monotonic()
    documents = load_corpus(shared=shared)
    splits = ("train", "dev") if final else ("train",)
    train_docs = [d for d in documents if split_of(d.doc) in splits]
    dev_docs = [d for d in documents if split_of(d.doc) == "dev"]
    log(f"corpus: {len(documents)} documents ({len(train_docs)} to learn from: "
        f"{' and '.join(splits)})")
    examples = corpus_examples(train_docs, PairExtractor(ActorResolver(), None), log=log)
    examples += extra_examples(shared)
    counts = Counter(e.origin for e in examples)
    labels = Counter(label for e in examples for _, label in e.pairs)
    log(f"{len(examples)} sentences, {sum(labels.values())} pairs: {dict(counts)}; "
        f"labels {dict(labels)}")
    model, tokenizer = fit(examples, epochs, seed, threads, log)
    folder = Path(output_dir) / EXTRACTOR_DIR
    command = f"detente train --kind extractor --epochs {epochs} --seed {seed}"
    record = {"sentences": dict(counts), "pair_labels": dict(labels), "epochs": epochs,
              "seed": seed, "batch_size": BATCH, "learning_rate": LR, "head_lr": HEAD_LR,
              "extra_weight": EXTRA_WEIGHT, "none_weight": NONE_WEIGHT,
              "none_only_keep": NONE_ONLY_KEEP, "splits": list(splits),
              "train_documents": len(train_docs), "dev_documents": len(dev_docs),
              "command": command + (" --final" if final else "")}
    export(model, tokenizer, folder, record, log)
    train_prefilter(folder, log)
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if final:
        config.update(threshold=FINAL_THRESHOLD)
        log(f"threshold {FINAL_THRESHOLD}, chosen on dev for the train-only model")
    else:
        extractor = PairExtractor(ActorResolver(), PairScorer(folder))
        threshold, table = choose_threshold(extractor, dev_docs, log)
        config.update(threshold=threshold, dev_thresholds=table)
        log(f"threshold {threshold} chosen on dev")
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    log(f"done in {time.monotonic() - started:.0f}s")
    return config


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    output = Path(argv[0]) if argv else Path("build/models")
    epochs = int(argv[1]) if len(argv) > 1 else EPOCHS
    np.random.seed(SEED)
    train_extractor(output, epochs=epochs, log=lambda m: print(m, file=sys.stderr, flush=True),
                    final="--final" in argv)


if __name__ == "__main__":
    main()
