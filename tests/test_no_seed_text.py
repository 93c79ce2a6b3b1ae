"""The seed articles are a test set: no sentence of theirs, nor a close paraphrase that
keeps seven words in a row, may appear anywhere in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
RUN = 7  # words in a row that make a quotation
SKIP_DIRS = {".git", ".venv", "build", "dist", "__pycache__", "node_modules"}
BINARY = {".onnx", ".npz", ".png", ".pdf", ".duckdb", ".ico", ".woff", ".woff2"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


def repository_files():
    for path in ROOT.rglob("*"):
        if path.is_file() and not SKIP_DIRS & set(path.relative_to(ROOT).parts) \
                and path.suffix not in BINARY and not path.name.endswith(".egg-info"):
            yield path


@pytest.mark.shared
@pytest.mark.slow
def test_no_seed_text_in_the_repository():
    if not SEEDS.is_dir():
        pytest.skip(f"needs the seed articles in {SEEDS} (../shared beside the checkout)")
    seed_runs: set[tuple[str, ...]] = set()
    for seed in SEEDS.iterdir():
        seed_runs |= _runs(_words(seed.read_text(encoding="utf-8", errors="ignore")))
    found = {}
    for path in repository_files():
        if "egg-info" in str(path):
            continue
        runs = _runs(_words(path.read_text(encoding="utf-8", errors="ignore")))
        shared = sorted(runs & seed_runs)
        if shared:
            found[str(path.relative_to(ROOT))] = [" ".join(r) for r in shared[:3]]
    assert not found, found
