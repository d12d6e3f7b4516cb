# greatgame: two commands from nothing.
#   make demo   -> creates .venv (Python >= 3.12), installs, runs the article scenario into out/demo
#   make test   -> lint, type-check and the whole test suite (notebooks, Dask, browser included)
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest install browser bench student-notebooks notebooks clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@python=$$(.ci/find-python) || exit 1; \
	  echo "Using $$python ($$($$python --version))" >&2; \
	  [ -x $(PY) ] || $$python -m venv $(VENV) || { echo "Could not create $(VENV) with $$python: install its venv module (e.g. apt-get install python3-venv)." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[all]'
	@touch $@

demo: $(STAMP)
	$(BIN)/greatgame run scenarios/central_asia_2016.yaml --seed 1 --out out/demo

browser:
	@.ci/ensure-chromium

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks notebooks
	$(BIN)/ruff format --check sim tests benchmarks notebooks

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) browser lint typecheck
	$(BIN)/pytest

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

student-notebooks: $(STAMP)
	$(PY) -m sim.notebooks_tools student notebooks out/student-notebooks

# notebooks/*.py (jupytext percent, the files to edit) -> paired .ipynb without outputs
notebooks: $(STAMP)
	$(PY) -m sim.notebooks_tools sync notebooks

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
