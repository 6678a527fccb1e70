# The two set-up commands of the README: `make demo` and `make test`.
# Each creates (or reuses) the virtual environment in $(VENV) and installs skser into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.skser-installed
EXTRAS ?= test,plot,dask

.PHONY: install demo test lint bench docs clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/skser demo

test: install
	$(PY) -m ruff check skser tests benchmarks examples
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check skser tests benchmarks examples

# Real-data benchmarks; needs ../shared/data. `make bench BENCH="features"` runs parts by name.
BENCH ?=
bench: install
	$(PY) -m benchmarks $(BENCH)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis skser_demo_output
