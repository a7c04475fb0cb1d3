# Two commands on a fresh machine with only Python 3.10+:
#   make demo   install what is needed, then stream from the reference miner offline
#   make test   install what is needed, then run the linters and the suite
PYTHON ?= python3
VENV ?= .venv
# The bittensor release to test against (CI's default: 10.5.x, the newest with Axon).
# BITTENSOR='11.*' selects simnet's 11.x stack (simnet.v11) and its tests (tests/v11).
DEFAULT_BITTENSOR := 10.5.*
BITTENSOR ?= $(DEFAULT_BITTENSOR)
V11 := $(filter 11.%,$(BITTENSOR))
# What pip needs beside that release (9.x: "async-substrate-interface<1.6", ...), from
# the one list of releases (simnet/_release.py); EXTRA adds a requirement of your own.
NEEDS := $(shell $(PYTHON) tools/releases.py needs '$(BITTENSOR)')
EXTRA ?=
PYTEST_ARGS ?= -n 2 -m "not thorough"

BIN := $(VENV)/bin
STAMP := $(VENV)/.simnet-installed-$(subst *,x,$(BITTENSOR))

.PHONY: demo test thorough lint install example example-v11 smoke releases clean

demo: $(STAMP)
	$(BIN)/simnet demo

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The 10,000-example fuzz of the reference protocol (CI runs it once, on the default release).
thorough: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m thorough

# ruff, the layering contracts in pyproject.toml ([tool.importlinter]), then Python 3.10
# statically (ruff's py310 syntax and vermin's API check) over the package, the reference
# subnet, the examples and every ```python block of the docs (`make smoke` runs 3.10 too).
DOCBLOCKS := .docblocks
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	rm -rf $(DOCBLOCKS) && $(BIN)/python tools/docblocks.py $(DOCBLOCKS)
	$(BIN)/ruff check --isolated --target-version py310 --select E9 $(DOCBLOCKS)
	$(BIN)/vermin -q --no-tips --violations --eval-annotations -t=3.10- \
		simnet protocol.py miner.py client.py examples tools $(DOCBLOCKS)
	$(if $(V11),$(MYPY_V11),$(if $(filter $(DEFAULT_BITTENSOR),$(BITTENSOR)),$(BIN)/mypy,@echo "mypy runs against bittensor $(DEFAULT_BITTENSOR) and 11.x only (bittensor's own annotations differ between releases)"))

# On 11.x mypy checks the 11.x room and the layers it shares with the neuron stack.
MYPY_V11 = $(BIN)/mypy --config-file tools/mypy-v11.ini

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" "bittensor==$(BITTENSOR)" $(NEEDS) $(if $(EXTRA),"$(EXTRA)")
	rm -f $(VENV)/.simnet-installed-*
	touch $@

# The outside subnets in examples/, with simnet installed as a wheel (not from this tree):
# a JSON-lines streaming subnet, one in the subnet template's shape (unmodified neurons),
# and one whose validator fetches its work from its platform's HTTP API and logs to wandb.
EXAMPLE_VENV ?= .venv-example
example:
	rm -rf $(EXAMPLE_VENV) dist
	$(PYTHON) -m venv $(EXAMPLE_VENV)
	$(EXAMPLE_VENV)/bin/python -m pip install --quiet --upgrade pip build
	$(EXAMPLE_VENV)/bin/python -m build --wheel --outdir dist . >/dev/null
	$(EXAMPLE_VENV)/bin/python -m pip install --quiet dist/bittensor_simnet-*.whl "bittensor==$(BITTENSOR)" $(NEEDS) $(if $(EXTRA),"$(EXTRA)")
	$(EXAMPLE_VENV)/bin/python -m pip install --quiet "./examples/jsonl_subnet[test]" "./examples/template_subnet[test]" "./examples/briefs_subnet[test]"
	cd examples/jsonl_subnet && ../../$(EXAMPLE_VENV)/bin/python -m pytest -q
	cd examples/jsonl_subnet && ../../$(EXAMPLE_VENV)/bin/python -m pytest -q --simnet-transport=memory
	cd examples/template_subnet && ../../$(EXAMPLE_VENV)/bin/python -m pytest -q
	cd examples/template_subnet && ../../$(EXAMPLE_VENV)/bin/python -m pytest -q --simnet-transport=memory -k "not processes"
	cd examples/briefs_subnet && ../../$(EXAMPLE_VENV)/bin/python -m pytest -q

# The bittensor 11.x example (examples/btauth_subnet), likewise against the wheel.
EXAMPLE_V11_VENV ?= .venv-example-v11
example-v11:
	rm -rf $(EXAMPLE_V11_VENV) dist
	$(PYTHON) -m venv $(EXAMPLE_V11_VENV)
	$(EXAMPLE_V11_VENV)/bin/python -m pip install --quiet --upgrade pip build
	$(EXAMPLE_V11_VENV)/bin/python -m build --wheel --outdir dist . >/dev/null
	$(EXAMPLE_V11_VENV)/bin/python -m pip install --quiet dist/bittensor_simnet-*.whl "bittensor==11.*"
	$(EXAMPLE_V11_VENV)/bin/python -m pip install --quiet "./examples/btauth_subnet[test]"
	cd examples/btauth_subnet && ../../$(EXAMPLE_V11_VENV)/bin/python -m pytest -q

# Every release simnet checks (simnet/_release.py, RELEASES), each in a fresh environment
# from simnet's wheel, the smoke steps (tests/smoke) with no network; SMOKE_JOBS at a
# time. `make smoke SMOKE='10.2.0 11.3.0'` runs only those.
SMOKE_JOBS ?= 2
SMOKE ?=
smoke:
	$(PYTHON) tools/smoke.py --jobs $(SMOKE_JOBS) $(SMOKE)

# The minors and patches the package index offers that RELEASES lacks (exit 1 if any).
releases:
	$(PYTHON) tools/releases.py missing

clean:
	rm -rf $(VENV) $(EXAMPLE_VENV) $(EXAMPLE_V11_VENV) .venv-bt-* .venv-py3.* .venv-smoke dist .pytest_cache .ruff_cache .hypothesis
