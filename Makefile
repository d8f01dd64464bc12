# Two targets do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml setup.py $(wildcard protos/hyperseg/v1/*.proto)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $@

# The host side (the Nuke node, the client, the torch-free CLI) also claims Python 3.10 (Nuke 15):
# a host-only venv runs the host-side tests against a daemon started with the main venv's Python.
# test_client.py and test_error_codes.py compare with an in-process Predictor, so they run on 3.11 only.
PYTHON310 ?= $(or $(lastword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10)),python3.10)
HOST310 ?= .venv-host310
HOST310_STAMP := $(HOST310)/.installed
HOST_TESTS := tests/plugin --ignore=tests/plugin/test_client.py --ignore=tests/plugin/test_error_codes.py

$(HOST310_STAMP): pyproject.toml setup.py $(wildcard protos/hyperseg/v1/*.proto)
	@$(PYTHON310) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null || { \
	  echo "make test: Python 3.10 not found (tried $(PYTHON310)); the host side claims 3.10: install it or set PYTHON310" >&2; \
	  exit 1; }
	test -x $(HOST310)/bin/python || $(PYTHON310) -m venv $(HOST310)
	$(HOST310)/bin/python -m pip install --quiet --upgrade pip
	$(HOST310)/bin/python -m pip install --quiet -e '.[plugin]' 'pytest>=8'
	touch $@

.PHONY: setup demo test lint test-host310
setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/hyperseg demo

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) $(HOST310_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo 'pytest collected no tests' >&2; exit 1; fi; exit $$status
	$(MAKE) --no-print-directory test-host310

test-host310: $(STAMP) $(HOST310_STAMP)
	HYPERSEG_SERVER_PYTHON=$(abspath $(BIN)/python) $(HOST310)/bin/python -m pytest -q -p no:cacheprovider $(HOST_TESTS); \
	status=$$?; if [ $$status -eq 5 ]; then echo 'pytest (Python 3.10) collected no tests' >&2; exit 1; fi; exit $$status
