# The two commands: `make serve` runs the service, `make test` runs every test (and the linters).
# Both bootstrap .venv on first use and reinstall only when pyproject.toml has changed.

SHELL := /bin/bash
# python3.11 if present, else python3 (checked to be 3.11 below).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two test processes (pytest-xdist), whole files to each, so module- and session-scoped servers
# start once per process: about 40 % less wall time on 2 cores. Files in collection order, which
# puts the slow and browser files first (tests/conftest.py). PYTEST_ARGS replaces this.
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder
LINT_PATHS := workflows activities models services starter web bench worker.py

.PHONY: serve test pytest lint format install clean bench screenshots

serve: $(STAMP)
	$(BIN)/lov serve

test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory lint

pytest: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy $(LINT_PATHS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(STAMP)

# The benchmark suite (docs/PERFORMANCE.md): not part of `make test`. BENCH_ARGS=--quick for a
# smoke run; the full run takes about half an hour on 2 cores.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 krävs (required): $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The stamp is newer than pyproject.toml after a successful install; make compares the times.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# The README's pictures of the desk (docs/screenshots/*.png), taken by the browser tests.
screenshots: $(STAMP)
	LOV_SCREENSHOTS=1 $(BIN)/pytest -q -m browser tests/web/browser

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
