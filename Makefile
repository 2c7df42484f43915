# Quick start: `make demo` (install and run the main job) and `make test` (install and run the suite).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOME_DIR ?= $(CURDIR)/.tradegap-demo
REPORT_DIR ?= $(HOME_DIR)/reports

.PHONY: demo test bench install install-test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	-scripts/ensure-system-deps $(BIN)/python

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	scripts/ensure-chromium
	scripts/ensure-system-deps $(BIN)/python

demo: install
	$(BIN)/tradegap --home $(HOME_DIR) ingest demo --scale small
	$(BIN)/tradegap --home $(HOME_DIR) balance RUS IND
	$(BIN)/tradegap --home $(HOME_DIR) potential --exporter IND --market RUS --group agri,pharma --top 10
	$(BIN)/tradegap --home $(HOME_DIR) report RUS IND --out $(REPORT_DIR)/russia-india.html \
	  --settlement scenarios/settlement-fund.toml
	@$(BIN)/tradegap --home $(HOME_DIR) report RUS IND --out $(REPORT_DIR)/russia-india.pdf \
	  --settlement scenarios/settlement-fund.toml \
	  || echo "(PDF skipped: it needs Chromium and Pango; the HTML report has every section)"
	@echo
	@echo "Open the report:      xdg-open $(REPORT_DIR)/russia-india.html   (works offline)"
	@test -f $(REPORT_DIR)/russia-india.pdf && echo "                      $(REPORT_DIR)/russia-india.pdf" || true
	@echo "Start the dashboard:  $(BIN)/tradegap --home $(HOME_DIR) serve   then open http://127.0.0.1:8000/"

test: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python benchmarks/run_all.py

lint: install-test
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache
