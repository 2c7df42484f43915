# Quick start: `make demo` (install and run the main job) and `make test` (install and run the suite).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOME_DIR ?= $(CURDIR)/.tradegap-demo

.PHONY: demo test install install-test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	scripts/ensure-chromium

demo: install
	$(BIN)/tradegap --home $(HOME_DIR) ingest demo --scale small
	$(BIN)/tradegap --home $(HOME_DIR) balance RUS IND

test: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache
