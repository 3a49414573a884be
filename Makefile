# Neurocomp — `make demo` and `make test` do all set-up on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch. Installed before the project so that pip never resolves `torch` to a
# multi-GB CUDA build.
TORCH_VERSION ?= 2.13.0
STAMP := $(VENV)/.neurocomp-installed

.PHONY: setup swipl demo test bench peers lint format clean

setup: swipl $(STAMP)

# SWI-Prolog from the OS packages, only when `swipl` is missing.
swipl:
	@if command -v swipl >/dev/null 2>&1; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else \
	  echo "error: SWI-Prolog (swipl) is not installed, and it cannot be installed here automatically" >&2; \
	  echo "       (that needs apt-get and root). Install it, then run make again:" >&2; \
	  echo "         Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y --no-install-recommends swi-prolog-nox" >&2; \
	  echo "         macOS:         brew install swi-prolog" >&2; \
	  echo "         conda:         conda install -c conda-forge swi-prolog" >&2; \
	  exit 1; \
	fi; \
	echo "installing SWI-Prolog (swi-prolog-nox) from the OS packages…"; \
	$$SUDO apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends swi-prolog-nox >/dev/null; \
	swipl --version

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: Neurocomp needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "       Run make with PYTHON=/path/to/python3.11 (or newer)." >&2; exit 1; }
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || { \
	  echo "error: could not create a virtualenv; on Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -c 'import torch, sys; sys.exit(torch.__version__.split("+")[0] != "$(TORCH_VERSION)")' 2>/dev/null \
	  || $(BIN)/python -m pip install -q torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install -q -e '.[dev,ray]'
	@touch $(STAMP)

demo: setup
	$(BIN)/neurocomp compare --preset demo --env neurocomp/KeyDoor-8x8-v0 --out runs/demo

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/neurocomp bench

# Digit addition beside ABLkit, 5 seeds (ABLkit gets its own virtualenv in .peers/ on first use).
peers: setup
	$(BIN)/neurocomp addition --seeds 5 --peer ablkit

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) runs .peers .pytest_cache .ruff_cache *.egg-info
