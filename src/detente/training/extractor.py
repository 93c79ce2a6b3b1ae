"""Train the learned extractor: label candidates on the corpus's train split, fine-tune
MiniLM over NONE + 16 PLOVER types, export int8 ONNX, and choose the confidence
threshold on the dev split (never on test).

    detente train --kind extractor            # or: python -m detente.training.extractor OUT
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

from detente.coding.extractor import EXTRACTOR_DIR, PairExtractor
from detente.training.classifier import (
    MINILM_LR,
    _batches,
    _build_model,
    _pad,
    _require_torch,
    _tokenizer,
    export_minilm,
)
from detente.training.corpus import GoldDocument, load_corpus, split_of
from detente.training.pairs import LABELS, PairExample, corpus_examples, extra_examples

Log = Callable[[str], None]
SEED = 13
EPOCHS = 3
BATCH = 32
#: Loss weight of positives from the open data sets, marked by phrase and without
#: the NONE pairs of their sentences, relative to corpus examples.
EXTRA_WEIGHT = 0.5
#: Thresholds tried on dev; the chosen one maximises F1 with precision at least
#: TARGET_PRECISION where any does, else F1 alone.
THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(13))
TARGET_PRECISION = 0.75
VERSION = "pairs-minilm.v1"


def fit(examples: Sequence[PairExample], epochs: int = EPOCHS, seed: int = SEED,
        threads: int = 2, log: Log = print):
    """Fine-tune MiniLM with source/target markers over LABELS; returns (model, tokenizer)."""
    torch = _require_torch()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer = _tokenizer()
    marker_ids = [tokenizer.token_to_id(m) for m in ("[SRC]", "[/SRC]", "[TGT]", "[/TGT]")]
    encodings = [e.ids for e in tokenizer.encode_batch([e.text for e in examples])]
    targets = torch.tensor([LABELS.index(e.label) for e in examples])
    weights = torch.tensor([1.0 if e.origin in {"corpus", "gold-span"} else EXTRA_WEIGHT
                            for e in examples], dtype=torch.float32)
    model = _build_model(torch, len(LABELS), marker_ids)
    optimizer = torch.optim.AdamW(model.parameters(), lr=MINILM_LR, weight_decay=0.01)
    steps = epochs * math.ceil(len(examples) / BATCH)
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    lengths = [len(e) for e in encodings]
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        batches = _batches(lengths, BATCH, rng)
        for n, rows in enumerate(batches, start=1):
            ids, mask = _pad(torch, encodings, rows)
            losses = torch.nn.functional.cross_entropy(model(ids, mask), targets[rows],
                                                       reduction="none")
            loss = (losses * weights[rows]).sum() / weights[rows].sum()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item()
            if n % 100 == 0:
                log(f"epoch {epoch + 1}/{epochs} batch {n}/{len(batches)} "
                    f"loss {total / n:.3f} ({time.monotonic() - started:.0f}s)")
        log(f"epoch {epoch + 1}/{epochs} done, loss {total / len(batches):.3f} "
            f"({time.monotonic() - started:.0f}s)")
    model.eval()
    return model, tokenizer


def choose_threshold(extractor: PairExtractor, dev: Sequence[GoldDocument],
                     log: Log = print) -> tuple[float, dict]:
    """Code dev once with every candidate kept, then score each threshold."""
    from detente.evaluation.corpus import coded_documents
    from detente.evaluation.scoring import score

    saved, extractor.threshold = extractor.threshold, min(THRESHOLDS)
    scored = coded_documents(dev, extractor)
    extractor.threshold = saved
    table = {}
    for threshold in THRESHOLDS:
        for document in scored:
            document.found_all = getattr(document, "found_all", document.found)
            document.found = [f for f in document.found_all if f.confidence >= threshold]
        overall = score(scored, rounds=1).overall
        table[threshold] = (overall.precision, overall.recall, overall.f1)
        log(f"dev threshold {threshold:.2f}: P {overall.precision:.3f} "
            f"R {overall.recall:.3f} F1 {overall.f1:.3f}")
    precise = [t for t, (p, _, _) in table.items() if p >= TARGET_PRECISION]
    pool = precise or list(table)
    best = max(pool, key=lambda t: (table[t][2], t))
    return best, {str(t): [round(v, 3) for v in row] for t, row in table.items()}


def train_extractor(output_dir: Path, shared: Path | None = None, epochs: int = EPOCHS,
                    seed: int = SEED, threads: int = 2, log: Log = print) -> dict:
    """Build models/extractor from the corpus (train split) and the open data sets."""
    from detente.actors import ActorResolver
    from detente.coding.classifier import MiniLMClassifier

    started = time.monotonic()
    documents = load_corpus(shared=shared)
    train_docs = [d for d in documents if split_of(d.doc) == "train"]
    dev_docs = [d for d in documents if split_of(d.doc) == "dev"]
    log(f"corpus: {len(documents)} documents ({len(train_docs)} train, {len(dev_docs)} dev)")
    labeller = PairExtractor(ActorResolver(), scorer=None, threshold=1.0)  # type: ignore[arg-type]
    examples = corpus_examples(train_docs, labeller, log=log)
    examples += extra_examples(shared, seed=seed)
    counts = Counter(e.origin for e in examples)
    labels = Counter(e.label for e in examples)
    log(f"{len(examples)} examples: {dict(counts)}; labels {dict(labels)}")
    model, tokenizer = fit(examples, epochs, seed, threads, log)
    folder = Path(output_dir) / EXTRACTOR_DIR
    record = {"examples": dict(counts), "labels": dict(labels), "epochs": epochs,
              "seed": seed, "batch_size": BATCH, "learning_rate": MINILM_LR,
              "extra_weight": EXTRA_WEIGHT,
              "train_documents": len(train_docs), "dev_documents": len(dev_docs),
              "command": f"detente train --kind extractor --epochs {epochs} --seed {seed}"}
    export_minilm(model, tokenizer, LABELS, folder, log=log, training=record)
    extractor = PairExtractor(ActorResolver(), MiniLMClassifier(folder), threshold=0.5)
    threshold, table = choose_threshold(extractor, dev_docs, log)
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config.update(name="extractor.pairs-minilm-onnx.v1", version=VERSION, threshold=threshold,
                  dev_thresholds=table,
                  pooling="concat(mean, [SRC] token, [TGT] token) -> linear over NONE + 16")
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    log(f"threshold {threshold} chosen on dev; done in {time.monotonic() - started:.0f}s")
    return config


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    output = Path(argv[0]) if argv else Path("build/models")
    epochs = int(argv[1]) if len(argv) > 1 else EPOCHS
    np.random.seed(SEED)
    train_extractor(output, epochs=epochs, log=lambda m: print(m, file=sys.stderr, flush=True))


if __name__ == "__main__":
    main()
