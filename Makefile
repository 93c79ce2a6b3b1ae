# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install test-fast browser-deps clean

$(BIN)/detente: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11) on PATH; or run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(BIN)/detente

install: $(BIN)/detente

demo: install
	$(BIN)/detente demo

# The whole default test run (what CI runs): unit, CLI, store, API and browser tests.
test: install
	$(BIN)/python -m pytest -p no:cacheprovider

test-fast: install
	$(BIN)/python -m pytest -p no:cacheprovider -m "not slow and not browser"

clean:
	rm -rf $(VENV) detente-demo.duckdb detente-demo build *.egg-info
