"""Training without the [train] extra fails with a named error, not an ImportError."""

from __future__ import annotations

import sys

import pytest

from detente.errors import ModelMissingError
from detente.training.classifier import require_sklearn


def test_missing_scikit_learn_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import then raises ImportError
    with pytest.raises(ModelMissingError) as caught:
        require_sklearn()
    assert "scikit-learn" in str(caught.value)
    assert caught.value.hint == "pip install -e '.[train]'"
