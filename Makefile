# HW1 of a deep-RL course: the front door. `make help` lists every target.
# Every target that needs Python depends on the virtual environment, so on a fresh clone
# `make grade` and `make verify` work first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
# The system Python 3 when it is 3.10+ (as on Gradescope), so that local grading as root can run
# student code as an unprivileged user who must be able to execute the interpreter.
PYTHON ?= $(shell for p in /usr/bin/python3 python3; do $$p -c 'import sys; assert sys.version_info >= (3, 10)' \
            2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CODE ?= HW1/code
SUBMISSION ?= solutions
RESULTS ?= results/results.json
PROBLEMS ?=
# make test P=4 (or P=2,3; PROBLEMS= is the same): only those problems. By default Problems 1-6; the
# extra credit retrains an agent, so it runs only when asked (P=7, P=EC or EC=1).
P ?= $(PROBLEMS)
EC ?=
FORCE ?=
comma := ,
TEST_PROBLEMS := $(if $(P),$(P),1,2,3,4,5,6)$(if $(EC),$(comma)EC,)
DEBUG ?=
SUBMISSIONS ?=
OUT ?= outputs/batch
WORKERS ?=
SCHEDULER ?=
# On Linux, PyPI's torch is a multi-GB CUDA build: the CPU build comes from PyTorch's index (as in the
# handout's Makefile). A CPU wheel pip already finds without any index (find-links) is used first, offline.
TORCH_INDEX ?= $(if $(filter Linux,$(shell uname -s)),--extra-index-url https://download.pytorch.org/whl/cpu,)
TORCH_PIN = $(shell grep -E '^torch==' requirements.txt)
export PYTHONDONTWRITEBYTECODE := 1
export MPLBACKEND := Agg
export PYTHONPATH := $(CURDIR)/autograder:$(CURDIR)/tests

PYTEST := $(PY) -m pytest
PUBLIC := tests
HIDDEN := autograder/hidden
GRADER_TESTS := autograder/tests
DEBUG_FLAGS := $(if $(DEBUG),--debug-inprocess -s -p no:timeout,)

.PHONY: help install test verify verify-solutions verify-stubs check-stubs stubs lint grade autograder \
        handout submit audit corpus knockout bench bench-grade bench-grade-compare batch bench-batch demo demo-dp demo-bandits \
        demo-imitation clean

help: ## list every target
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-16s %s\n", $$1, $$2}'
	@echo "  variables: CODE=HW1/code (make test), DEBUG=1 (make test in-process), SUBMISSION=solutions,"
	@echo "             RESULTS=results/results.json, PROBLEMS=2,3 (make grade / make test / make batch)"
	@echo "  make test P=4 (or P=2,3): only those problems, score table last, exit 0 when they all pass;"
	@echo "             the default is Problems 1-6: EC=1 (or P=7) adds the extra credit, which retrains an agent"
	@echo "  make submit FORCE=1: pack without asking, even while functions still raise NotImplementedError"
	@echo "             SUBMISSIONS=export OUT=outputs/batch WORKERS=N SCHEDULER=tcp://host:8786 (make batch)"
	@echo "             TORCH_INDEX='--extra-index-url URL' (make install: where the CPU build of torch comes from)"

install: $(STAMP) ## create .venv and install the pinned requirements (CPU builds); a no-op when done

$(STAMP): requirements.txt
	@test -n "$(PYTHON)" || { echo "make install: needs Python 3.10 or newer (set PYTHON=...)"; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q --no-index --no-deps "$(TORCH_PIN)+cpu" 2>/dev/null \
	    || $(PY) -m pip install --disable-pip-version-check -q $(TORCH_INDEX) "$(TORCH_PIN)"
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $(STAMP)

test: $(STAMP) ## public tests of Problems 1-6 on HW1/code (CODE=solutions, P=4, EC=1, DEBUG=1 in-process)
	@test -d "$(CODE)" || { echo "make test: CODE=$(CODE) is not a folder (expected one laid out like HW1/code)"; exit 2; }
	$(PYTEST) $(PUBLIC) --code $(CODE) $(DEBUG_FLAGS) --problems $(TEST_PROBLEMS) -q

grade: $(STAMP) ## the real autograder on SUBMISSION (folder or zip; default solutions), writes RESULTS
	$(PY) -m hw1grader.grade --submission $(SUBMISSION) --results $(RESULTS) $(if $(PROBLEMS),--problems $(PROBLEMS),)

verify: $(STAMP) ## everything staff rely on (the README's test command; what CI runs)
	$(MAKE) --no-print-directory lint check-stubs audit verify-solutions verify-stubs
	$(PYTEST) $(GRADER_TESTS) -q --durations=12
	$(MAKE) --no-print-directory corpus

verify-solutions: $(STAMP) ## public + hidden tests pass on the solutions
	$(PYTEST) $(PUBLIC) $(HIDDEN) --code solutions -q --no-score-table

verify-stubs: $(STAMP) ## the bare stubs: every test fails as "not implemented yet", no harness error
	$(PY) -m hw1grader.selfcheck stubs-score-zero

check-stubs: $(STAMP) ## the stubs in HW1/code are exactly what the solutions generate
	$(PY) -m hw1grader.stubs --check

stubs: $(STAMP) ## regenerate HW1/code stubs from solutions/ (the solution is the master)
	$(PY) -m hw1grader.stubs --write

audit: $(STAMP) ## drift (stubs vs solutions) and leak (handout) audits
	$(PY) -m hw1grader.audit drift
	$(PY) -m hw1grader.audit handout

corpus: $(STAMP) ## grade every corpus submission (correct, buggy, hostile) against its expected outcome
	$(PY) -m hw1grader.corpus

knockout: $(STAMP) ## knock out each reference function in turn: the table of points lost (PROBLEMS=2,4)
	$(PY) -m hw1grader.knockout $(if $(PROBLEMS),--problems $(PROBLEMS),)

lint: $(STAMP) ## ruff (syntax of Python 3.10: target-version), and no standard-library name newer than 3.10
	$(VENV)/bin/ruff check .
	$(PY) -m hw1grader.pyversion

autograder: $(STAMP) ## build dist/autograder.zip for Gradescope (setup.sh and run_autograder at its root)
	$(PY) -m hw1grader.build --out dist/autograder.zip

handout: $(STAMP) ## build dist/HW1-handout.zip for students
	$(PY) -m hw1grader.handout --out dist/HW1-handout.zip

submit: $(STAMP) ## check CODE and pack HW1-submission.zip (what students upload)
	$(PY) -m harness.submit --code $(CODE) $(if $(FORCE),--force,)

bench: $(STAMP) ## value iteration vs a per-state loop (64x64 lake); the bandit testbed before/after (RUNS=200)
	$(PY) autograder/bench/bench_dp.py
	$(PY) autograder/bench/bench_testbed.py --runs $(or $(RUNS),200)

bench-grade: $(STAMP) ## grade the solutions on one core: wall time and peak RSS of the process tree
	$(PY) -m hw1grader.bench

bench-grade-compare: $(STAMP) ## bench-grade of REF=<commit> (its own tooling) and of this tree, alternately: ratio
	@test -n "$(REF)" || { echo "make bench-grade-compare: set REF=<commit> (e.g. REF=ca0240b)"; exit 2; }
	$(PY) -m hw1grader.bench_compare --ref $(REF) $(if $(ROUNDS),--rounds $(ROUNDS),)

batch: $(STAMP) ## grade a class on Dask: SUBMISSIONS=export (folder/zip) or student folders, OUT=dir
	@test -n "$(SUBMISSIONS)" || { echo "make batch: set SUBMISSIONS=<a Gradescope export (folder or zip) or a folder \
	with one sub-folder or zip per student>"; exit 2; }
	$(PY) -m hw1grader.batch --submissions "$(SUBMISSIONS)" --out "$(OUT)" $(if $(PROBLEMS),--problems $(PROBLEMS),) \
	    $(if $(WORKERS),--workers $(WORKERS),) $(if $(SCHEDULER),--scheduler $(SCHEDULER),)

bench-batch: $(STAMP) ## the same 8-submission batch on 1 and on 2 Dask workers: speed-up and same scores
	$(PY) -m hw1grader.bench_batch $(if $(PROBLEMS),--problems $(PROBLEMS),)

demo: $(STAMP) ## the recitation's Gymnasium demo (headless falls back to text)
	cd HW1/code/frozen_lake && ../../../$(PY) example.py

demo-dp: $(STAMP) ## Problem 2 on the solutions: iteration-count tables, heatmaps, policy pictures
	cd solutions/frozen_lake && PYTHONPATH=$(CURDIR)/HW1/code/frozen_lake ../../$(PY) dynamic_programming.py --outputs $(CURDIR)/outputs/dp

demo-bandits: $(STAMP) ## Problem 3 on the solutions: exploration plots
	PYTHONPATH=solutions/bandits:HW1/code/bandits $(PY) -c 'import sys, testbed; sys.exit(testbed.main())' \
	    --outputs outputs/bandits

demo-imitation: $(STAMP) ## Problem 6 on the solutions: BC and DAgger learning curves
	cd solutions/imitation && PYTHONPATH=$(CURDIR)/HW1/code/imitation:$(CURDIR)/solutions/networks ../../$(PY) bc_dagger.py --outputs $(CURDIR)/outputs/imitation

clean: ## remove build outputs (keeps .venv)
	rm -rf dist results build outputs HW1-submission.zip
