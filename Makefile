# Two commands on a fresh machine with only Python 3.10+:
#   make demo   install what is needed, then stream from the reference miner offline
#   make test   install what is needed, then run lint and the whole suite
PYTHON ?= python3
VENV ?= .venv
# The bittensor release to test against (CI's default: 10.5.x, the newest with Axon).
BITTENSOR ?= 10.5.*
PYTEST_ARGS ?= -n 2

BIN := $(VENV)/bin
STAMP := $(VENV)/.simnet-installed-$(subst *,x,$(BITTENSOR))

.PHONY: demo test lint install clean

demo: $(STAMP)
	$(BIN)/simnet demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" "bittensor==$(BITTENSOR)"
	rm -f $(VENV)/.simnet-installed-*
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
