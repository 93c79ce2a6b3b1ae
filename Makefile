# Entry points: `make demo` (a fresh machine's first run), `make check` (the developer's
# fast lane) and `make test` (everything; what CI runs, through .ci/run).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.PHONY: demo check lint test install clean

$(BIN)/detente: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11) on PATH; or run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(BIN)/detente

install: $(BIN)/detente

demo: install
	$(BIN)/detente demo

# Unit, CLI and store tests, in under two minutes: the tests marked slow (spaCy or a
# trained model), subprocess and browser are skipped (tests/conftest.py).
check: install
	$(PYTEST)

# Each step fails on any finding: ruff (pyproject's rules), mypy (pyproject's [tool.mypy],
# over src/detente) and the examples in the docstrings.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(PYTEST) --doctest-modules src/detente

# Everything: the static checks, then every test, slow ones included.
test: lint
	$(PYTEST) --slow

clean:
	rm -rf $(VENV) detente-demo.duckdb detente-demo build *.egg-info
