# HW1 of a deep-RL course: the front door. `make help` lists every target.
# Every target that needs Python depends on the virtual environment, so on a fresh clone
# `make grade` and `make verify` work first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CODE ?= HW1/code
SUBMISSION ?= solutions
RESULTS ?= results/results.json
PROBLEMS ?=
DEBUG ?=
export PYTHONDONTWRITEBYTECODE := 1
export MPLBACKEND := Agg
export PYTHONPATH := $(CURDIR)/autograder:$(CURDIR)/tests

PYTEST := $(PY) -m pytest
PUBLIC := tests
HIDDEN := autograder/hidden
GRADER_TESTS := autograder/tests
DEBUG_FLAGS := $(if $(DEBUG),--debug-inprocess -s -p no:timeout,)
PROBLEM_FLAGS := $(if $(PROBLEMS),--problems $(PROBLEMS),)

.PHONY: help install test verify verify-solutions verify-stubs check-stubs stubs lint grade autograder \
        handout submit bench bench-grade demo demo-dp demo-bandits demo-imitation clean

help: ## list every target
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-16s %s\n", $$1, $$2}'
	@echo "  variables: CODE=HW1/code (make test), DEBUG=1 (make test in-process), SUBMISSION=solutions,"
	@echo "             RESULTS=results/results.json, PROBLEMS=2,3 (make grade / make test)"

install: $(STAMP) ## create .venv and install the pinned requirements (CPU builds); a no-op when done

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $(STAMP)

test: $(STAMP) ## public tests against HW1/code (CODE=solutions for the reference, DEBUG=1 in-process)
	@test -d "$(CODE)" || { echo "make test: CODE=$(CODE) is not a folder (expected one laid out like HW1/code)"; exit 2; }
	$(PYTEST) $(PUBLIC) --code $(CODE) $(DEBUG_FLAGS) $(PROBLEM_FLAGS) -q

verify: verify-solutions verify-stubs check-stubs lint ## everything staff rely on (the README's test command)
	$(PYTEST) $(GRADER_TESTS) -q -p no:randomly

verify-solutions: $(STAMP) ## public + hidden tests pass on the solutions
	$(PYTEST) $(PUBLIC) $(HIDDEN) --code solutions -q --no-score-table

verify-stubs: $(STAMP) ## make test on the bare stubs: 0 points, every test "not implemented yet", no harness error
	$(PY) -m hw1grader.selfcheck stubs-score-zero

check-stubs: $(STAMP) ## the stubs in HW1/code are exactly what the solutions generate
	$(PY) -m hw1grader.stubs --check

stubs: $(STAMP) ## regenerate HW1/code stubs from solutions/ (the solution is the master)
	$(PY) -m hw1grader.stubs --write

lint: $(STAMP) ## ruff
	$(VENV)/bin/ruff check .

demo: $(STAMP) ## the recitation's Gymnasium demo (headless falls back to text)
	cd HW1/code/frozen_lake && ../../../$(PY) example.py

clean: ## remove build outputs (keeps .venv)
	rm -rf dist results build outputs
