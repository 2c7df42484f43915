# Quick start: `make demo` (install and run the main job) and `make test` (install and run the suite).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
# uv installs from the committed lock (uv.lock) with the machine's Python; it never downloads one.
# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every
# process would otherwise recompile pandas, scipy and pyfixest from source on each import.
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
UV_SYNC := $(UV) sync --frozen --python $(PYTHON) --quiet
HOME_DIR ?= $(CURDIR)/.tradegap-demo
REPORT_DIR ?= $(HOME_DIR)/reports

.PHONY: demo test bench install install-test lint upgrade lock-check clean

# The installer, pinned with hashes (requirements/tools.txt).
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/tools.txt

# Exactly the locked versions (uv.lock); `--inexact` keeps test extras a previous `make test` added.
install: $(UV)
	$(UV_SYNC) --inexact
	$(BIN)/python -m compileall -q src/tradegap
	-scripts/ensure-chromium
	-scripts/ensure-system-deps

install-test: $(UV)
	$(UV_SYNC) --extra test
	$(BIN)/python -m compileall -q src/tradegap
	scripts/ensure-chromium
	scripts/ensure-system-deps

# Moving to new releases is a deliberate step: refresh the lock, then run the whole suite on it.
upgrade: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	$(MAKE) test

lock-check: $(UV)
	$(UV) lock --check --python $(PYTHON)

demo: install
	$(BIN)/tradegap --home $(HOME_DIR) ingest demo --scale small
	$(BIN)/tradegap --home $(HOME_DIR) balance RUS IND
	$(BIN)/tradegap --home $(HOME_DIR) potential --exporter IND --market RUS --group agri,pharma --top 10
	$(BIN)/tradegap --home $(HOME_DIR) report RUS IND --out $(REPORT_DIR)/russia-india.html \
	  --settlement scenarios/settlement-fund.toml
	@$(BIN)/tradegap --home $(HOME_DIR) report RUS IND --out $(REPORT_DIR)/russia-india.pdf \
	  --settlement scenarios/settlement-fund.toml \
	  || echo "(PDF skipped: Chromium prints it; the HTML report has every section)"
	@echo
	@echo "Open the report:      xdg-open $(REPORT_DIR)/russia-india.html   (works offline)"
	@test -f $(REPORT_DIR)/russia-india.pdf && echo "                      $(REPORT_DIR)/russia-india.pdf" || true
	@echo "Start the dashboard:  $(BIN)/tradegap --home $(HOME_DIR) serve   then open http://127.0.0.1:8000/"

test: install-test lock-check
	$(BIN)/ruff check src tests benchmarks
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest -n auto --dist worksteal --durations=30
	@$(BIN)/coverage combine --quiet
	$(BIN)/coverage report

bench: install-test
	$(BIN)/python benchmarks/run_all.py

lint: install-test
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) $(TOOLS) $(HOME_DIR) .pytest_cache .coverage .coverage.*
