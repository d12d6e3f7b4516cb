# greatgame: two commands from nothing.
#   make demo   -> creates .venv (Python >= 3.12), installs, runs the article scenario into out/demo
#   make test   -> lint, type-check and the whole test suite (notebooks, Dask, browser included)
#   make lab    -> JupyterLab in .venv, and how to open the teaching notebooks
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest install browser bench lab student-notebooks notebooks screenshot clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@python=$$(.ci/find-python) || exit 1; \
	  echo "Using $$python ($$($$python --version))" >&2; \
	  [ -x $(PY) ] || $$python -m venv $(VENV) || { echo "Could not create $(VENV) with $$python: install its venv module (e.g. apt-get install python3-venv)." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[all]'
	@touch $@

demo: $(STAMP)
	$(BIN)/greatgame run --seed 1 --out out/demo
	@echo
	@echo "greatgame is installed in $(VENV)/. To use it in this shell, activate the environment:"
	@echo
	@echo "    source $(VENV)/bin/activate"
	@echo
	@echo "then try: greatgame scenarios, greatgame run russia_joins_quartet --seed 1, greatgame --help"
	@echo "Teaching notebooks: $(BIN)/jupyter lab notebooks/   ('make lab' says more)"

browser:
	@.ci/ensure-chromium

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks notebooks scripts
	$(BIN)/ruff format --check sim tests benchmarks notebooks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) browser lint typecheck
	$(BIN)/pytest

# the README's picture of the dashboard, taken by the browser test at the end of its run
screenshot: $(STAMP) browser
	GREATGAME_SCREENSHOT=docs/img/dashboard.png $(BIN)/pytest -q tests/test_app_browser.py

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# JupyterLab comes with the 'teach' extra (part of 'all'); installed here if it is missing
lab: $(STAMP)
	@[ -x $(BIN)/jupyter-lab ] || $(PY) -m pip install --quiet --disable-pip-version-check -e '.[teach]'
	@echo "JupyterLab $$($(BIN)/jupyter lab --version) is installed in $(VENV). Open the notebooks with:"
	@echo ""
	@echo "    $(BIN)/jupyter lab notebooks/"
	@echo ""
	@echo "(or 'source $(VENV)/bin/activate' once, then 'jupyter lab notebooks/')."
	@echo "Student copies without the solutions: 'make student-notebooks', then"
	@echo "    $(BIN)/jupyter lab out/student-notebooks/"

# the notebooks without their solution cells (nbconvert's TagRemovePreprocessor)
student-notebooks: $(STAMP)
	$(PY) -m sim.notebooks_tools student notebooks out/student-notebooks

# notebooks/*.py (jupytext percent, the files to edit) -> paired .ipynb without outputs
notebooks: $(STAMP)
	$(PY) -m sim.notebooks_tools sync notebooks

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
