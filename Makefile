# learndl — the two commands: `make lab` (open the lessons) and `make test` (check everything).
# Both create .venv on first use and reinstall only when pyproject.toml changes.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Reference framework for optional comparison tests and benchmarks; never a learndl dependency.
TORCH  := torch==2.13.0
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
WIDGETS_HASH := $(shell cat widgets/package.json widgets/package-lock.json 2>/dev/null | sha256sum | cut -c1-12)
LESSONS := $(wildcard lessons/*.ipynb)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
ifdef CI
export PIP_PROGRESS_BAR := off
endif

.PHONY: help install venv system widgets torch test lab bench book clean

help:
	@echo "make lab    install if needed, then open JupyterLab on lessons/"
	@echo "make test   install if needed, then lint, format check, pytest (and lessons once they exist)"
	@echo "make bench  run benchmarks/*.py"
	@echo "make book   build the Jupyter Book (once book/_config.yml exists)"
	@echo "make clean  remove .venv and build outputs"

# ---- install ------------------------------------------------------------------------------

install: system $(STAMP) widgets
venv: install

# System programs (graphviz, chromium, node, npm): the list is scripts/system-packages.txt.
system:
	@scripts/ensure-system.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "learndl needs Python >= 3.11; $(PYTHON) is older. Try: make PYTHON=python3.11 ..."; exit 1; }
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing learndl[all,gpu] into $(VENV) (about two minutes the first time)"
	@# gpu: CuPy and NVRTC install without a GPU; tests compile every CUDA kernel with them.
	$(BIN)/python -m pip install --quiet -e '.[all,gpu]'
	@# torch is optional: install it only where its CPU build lies on local disk (the project
	@# machines); elsewhere PyPI would serve a multi-GB CUDA build. `make torch` forces it.
	@if $(BIN)/python -m pip install --dry-run --no-index --no-deps --quiet '$(TORCH)' >/dev/null 2>&1; then \
	  $(BIN)/python -m pip install --quiet '$(TORCH)' && echo "installed $(TORCH) (reference tests/benchmarks)" \
	    || echo "note: $(TORCH) failed to install; torch reference tests and benchmarks will skip."; \
	else \
	  echo "note: $(TORCH) is not on local disk; skipped (reference tests and benchmarks will skip; 'make torch' installs it from PyPI)."; \
	fi
	touch $@

torch: $(STAMP)
	$(BIN)/python -m pip install '$(TORCH)'

# Browser side of the widgets, built by esbuild into learndl/jupyter/static/.
widgets:
	@if [ -f widgets/package.json ]; then \
	  cd widgets; \
	  if [ ! -f node_modules/.installed-$(WIDGETS_HASH) ]; then \
	    (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && touch node_modules/.installed-$(WIDGETS_HASH); \
	  fi; \
	  npm run build; \
	else \
	  echo "widgets: no widgets/package.json; nothing to build"; \
	fi

# ---- test ---------------------------------------------------------------------------------
# `make test` runs every step, even after one fails, and fails if any failed.
# To add a step: add its name to TEST_STEPS and write it as one line below.

TEST_STEPS := test-lint test-format test-widgets test-book test-unit test-lessons
.PHONY: $(TEST_STEPS)

# Small matrices (the lessons' models) run faster on one BLAS thread, and a busy 2-core
# machine oversubscribed by OpenBLAS' threads runs them ~10x slower: tests use one.
test: export OPENBLAS_NUM_THREADS = 1
test: install
	@$(MAKE) --no-print-directory -k $(TEST_STEPS)

test-lint: ; $(BIN)/ruff check .
test-format: ; $(BIN)/ruff format --check .
test-widgets: ; cd widgets && npm test
test-book: ; BIN=$(BIN) book/build.sh
test-unit: ; $(BIN)/pytest
test-lessons: ; $(if $(LESSONS),$(BIN)/pytest --nbval --nbval-current-env lessons/,@echo "test-lessons: no lessons/*.ipynb yet; skipped")

# ---- use ----------------------------------------------------------------------------------

# Jupyter refuses to run as root without --allow-root (containers, the project machines).
lab: install
	$(BIN)/jupyter lab --ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root) lessons/

bench: install
	@shopt -s nullglob; files=(benchmarks/*.py); \
	[ $${#files[@]} -gt 0 ] || echo "bench: no benchmarks/*.py yet"; \
	for f in "$${files[@]}"; do echo "== $$f"; $(BIN)/python "$$f"; done

book: install
	@if [ -f book/_config.yml ]; then BIN=$(BIN) book/build.sh; \
	else echo "book: no book/_config.yml yet; nothing to build"; fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache book/_build test-output widgets/node_modules
	@# widget bundles are git-ignored build outputs; remove only what git ignores there
	-git clean -fdXq -- learndl/jupyter/static 2>/dev/null
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
