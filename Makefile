# The two set-up commands of the README: `make demo` and `make test` (CONTRIBUTING.md
# lists every target).
# Each creates (or reuses) the virtual environment in $(VENV) and installs skser into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.skser-installed
DOCS_STAMP := $(VENV)/.skser-docs-installed
BENCH_STAMP := $(VENV)/.skser-bench-installed
EXTRAS ?= test,plot,dask
# Pinned versions (pip freeze of a tested environment); `make CONSTRAINTS= ...` uses the
# ranges in pyproject.toml alone.
CONSTRAINTS ?= constraints.txt
PIP_C := $(if $(CONSTRAINTS),-c $(CONSTRAINTS))

.PHONY: install demo test test-fast lint bench docs docs-tables pretrained clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(PIP_C) -e ".[$(EXTRAS)]"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/skser demo

# Test workers (pytest-xdist); each test file runs whole in one worker, so a file's tests
# share its module state as in a serial run. `make test WORKERS=0` runs serially.
WORKERS ?= 2
PYTEST := $(PY) -m pytest $(if $(filter-out 0,$(WORKERS)),-n $(WORKERS) --dist loadfile)

# The full suite, slow tests included: what CI runs.
test: install
	$(PY) -m ruff check skser tests benchmarks examples
	$(PYTEST)

# The quick loop while working: the tests not marked slow (under 3 minutes on 2 cores).
test-fast: install
	$(PYTEST) -m "not slow"

lint: install
	$(PY) -m ruff check skser tests benchmarks examples
	$(PY) -m mypy skser

# Real-data benchmarks; need the corpora in corpora/ (or SKSER_DATA=/path).
# `make bench BENCH="features"` runs parts by name.
BENCH ?=
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet $(PIP_C) -e ".[$(EXTRAS),bench]"
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) -m benchmarks $(BENCH)
	$(PY) -m benchmarks.report

# The shipped model (skser/pretrained/*.skser): trained on all four corpora; needs
# the corpora (corpora/ or SKSER_DATA) and about half an hour on 2 cores.
pretrained: install
	$(PY) -m benchmarks.pretrained

# docs/benchmarks.md and the README's results table, from benchmarks/results/*.json.
docs-tables: install
	$(PY) -m benchmarks.report

# HTML documentation with the examples gallery (runs the plot_* examples, a few
# minutes) in docs/_build/html; warnings fail the build.
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet $(PIP_C) -e ".[$(EXTRAS),docs]"
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP) docs-tables
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis skser_demo_output
	rm -rf docs/_build docs/auto_examples docs/generated docs/sg_execution_times.rst
