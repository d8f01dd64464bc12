# Two targets do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml model/pyproject.toml setup.py $(wildcard protos/hyperseg/v1/*.proto)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]' -e ./model
	touch $@

# The host side (the Nuke node, the client, the torch-free CLI) also claims Python 3.9 (Nuke 13, 14)
# and 3.10 (Nuke 15); 3.11 (Nuke 16) is the main venv's. One host-only venv per version
# (.venv-host39, .venv-host310; the interpreter from pyenv, or PYTHON39 / PYTHON310) runs the
# host-side tests against a daemon started with the main venv's Python. test_client.py,
# test_error_codes.py, test_colour_path.py and test_retries.py serve a daemon in-process (the server
# extra), so they run on 3.11 only. test_grpc_fork_rule.py runs there too: Python 3.9 forks every child.
HOST_VERSIONS := 3.9 3.10
PYENV_ROOT := $(shell pyenv root 2>/dev/null)
host_python = $(or $(PYTHON$(subst .,,$(1))),$(lastword $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1))),python$(1))
host_version = 3.$(patsubst 3%,%,$(1))
HOST_STAMPS := $(foreach version,$(HOST_VERSIONS),.venv-host$(subst .,,$(version))/.installed)
.PRECIOUS: .venv-host%/.installed
HOST_TESTS := tests/plugin tests/protocol/test_grpc_fork_rule.py --ignore=tests/plugin/test_client.py --ignore=tests/plugin/test_error_codes.py \
  --ignore=tests/plugin/test_colour_path.py --ignore=tests/plugin/test_retries.py

.venv-host%/.installed: pyproject.toml setup.py $(wildcard protos/hyperseg/v1/*.proto)
	@$(call host_python,$(call host_version,$*)) -c 'import sys; assert sys.version_info[:2] == (3, $(patsubst 3%,%,$*))' 2>/dev/null || { \
	  echo "make test: Python $(call host_version,$*) not found (tried $(call host_python,$(call host_version,$*))); the host side claims it: install it (pyenv install $(call host_version,$*)) or set PYTHON$*" >&2; \
	  exit 1; }
	test -x .venv-host$*/bin/python || $(call host_python,$(call host_version,$*)) -m venv .venv-host$*
	.venv-host$*/bin/python -m pip install --quiet --upgrade pip
	.venv-host$*/bin/python -m pip install --quiet -e '.[plugin]' 'pytest>=8'
	touch $@

.PHONY: setup demo test lint
setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/hyperseg demo

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) $(HOST_STAMPS)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo 'pytest collected no tests' >&2; exit 1; fi; exit $$status
	$(MAKE) --no-print-directory $(foreach version,$(HOST_VERSIONS),test-host$(subst .,,$(version)))

# test-host39, test-host310: the host-side tests on that Python.
test-host%: $(STAMP) .venv-host%/.installed
	HYPERSEG_SERVER_PYTHON=$(abspath $(BIN)/python) .venv-host$*/bin/python -m pytest -q -p no:cacheprovider $(HOST_TESTS); \
	status=$$?; if [ $$status -eq 5 ]; then echo 'pytest (Python $(call host_version,$*)) collected no tests' >&2; exit 1; fi; exit $$status
