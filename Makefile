# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-browser lint typecheck unit test-modules campaign bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

PIP := PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip
	$(PIP) -e ".[dev,notebook]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m hubframe demo

lint: $(STAMP)
	$(BIN)/ruff check hubframe tests bench scripts
	$(BIN)/ruff format --check hubframe tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs in TEST_WORKERS processes (pytest-xdist); TEST_WORKERS=0 runs it in this one.
# Two more than the cores, at most 8: many tests wait on the sandbox's sockets or on the
# processes they start (on a two-core machine three took a fifth less time than two, and four
# 7 % less than three: 182.9 s against 196.3 s for a quarter of the suite, run after run).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 6 ? n + 2 : 8 )))

# hubframe's bytecode is compiled first: with PYTHONDONTWRITEBYTECODE set, every subprocess a
# test starts compiled the whole package again (the command-line tests took 176 s, not 82 s).
unit: $(STAMP)
	$(BIN)/python -m compileall -q hubframe
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# The test modules as pytest rewrites their asserts, written once (even under
# PYTHONDONTWRITEBYTECODE): each worker then reads them rather than rewriting all 300 modules
# (23 s of CPU a worker; 4 s with them written).  `make test` does it while mypy runs; an
# error it meets is left to the run of the suite to report.
test-modules: $(STAMP)
	-env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q --collect-only -n 0 > /dev/null 2>&1

test: lint
	@$(MAKE) --no-print-directory -j2 typecheck test-modules
	@$(MAKE) --no-print-directory unit

# Every case: each parametrized case under every API version, profile and format, and every
# seed and example of the fuzz tests and properties (make test runs a share of them in turn).
campaign: $(STAMP)
	$(BIN)/python -m compileall -q hubframe
	HUBFRAME_EVERY_CASE=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# A real browser drives the notebook app (installs Debian's chromium when missing).
test-browser: $(STAMP)
	bash scripts/ci-browser.sh

bench: $(STAMP)
	$(PIP) -e ".[dev,notebook,bench]"
	$(BIN)/python bench/read_validate.py
	$(BIN)/python bench/throughput.py --quick  # the full grid (--sizes 10000,100000,300000,1000000) takes about an hour
	$(BIN)/python bench/export.py
	$(BIN)/python bench/journal.py
	$(BIN)/python bench/association_limit.py
	$(BIN)/python bench/report_export.py
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache reports
