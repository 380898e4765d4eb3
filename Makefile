# A deep-RL course's homeworks on one scaffold: the front door. `make help` lists every target.
# HW=n picks the homework (default 1); every target that needs Python depends on the virtual
# environment, so on a fresh clone `make grade` and `make verify` work first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
# The system Python 3 when it is 3.10+ (as on Gradescope), so that local grading as root can run
# student code as an unprivileged user who must be able to execute the interpreter.
PYTHON ?= $(shell for p in /usr/bin/python3 python3; do $$p -c 'import sys; assert sys.version_info >= (3, 10)' \
            2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HW ?= 1
HOMEWORK := $(if $(filter HW%,$(HW)),$(HW),HW$(HW))
HOMEWORKS := $(patsubst tests/%/rubric.py,%,$(wildcard tests/HW*/rubric.py))
# A homework that is not there is a one-line error (make new-homework HW=n writes one).
ifeq ($(filter $(HOMEWORK),$(HOMEWORKS)),)
ifneq ($(filter-out help new-homework,$(or $(MAKECMDGOALS),help)),)
$(error HW=$(HW): there is no homework $(HOMEWORK); the homeworks are $(HOMEWORKS) (make new-homework HW=n starts one))
endif
endif
CODE ?= $(HOMEWORK)/code
SUBMISSION ?= solutions/$(HOMEWORK)
RESULTS ?= results/results.json
PROBLEMS ?=
# make test P=4 (or P=2,3; PROBLEMS= is the same): only those problems. By default every problem but the
# extra credit, which trains an agent: it runs only when asked (P=EC, its number, or EC=1).
P ?= $(PROBLEMS)
EC ?=
FORCE ?=
comma := ,
TEST_PROBLEMS := $(if $(P),$(P),graded)$(if $(EC),$(comma)EC,)
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
HW_FLAG := --homework $(HOMEWORK)
PUBLIC := tests/$(HOMEWORK)
HIDDEN := autograder/$(HOMEWORK)/hidden
DEBUG_FLAGS := $(if $(DEBUG),--debug-inprocess -s -p no:timeout,)
GRADER := $(PY) -m grader

.PHONY: help install test verify verify-homework grader-tests grader-tests-own knockout-check machinery-tests verify-solutions verify-stubs check-stubs stubs lint grade \
        autograder handout submit audit corpus knockout bench bench-grade bench-grade-compare batch bench-batch demo \
        new-homework clean

help: ## list every target
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-16s %s\n", $$1, $$2}'
	@echo "  variables: HW=n the homework (default 1; there are: $(HOMEWORKS)), CODE=HWn/code (make test),"
	@echo "             DEBUG=1 (make test in-process), SUBMISSION=solutions/HWn, RESULTS=results/results.json,"
	@echo "             PROBLEMS=2,3 (make grade / make test / make batch)"
	@echo "  make test P=4 (or P=2,3): only those problems, score table last, exit 0 when they all pass;"
	@echo "             the default is every problem but the extra credit: EC=1 (or P=EC) adds it (it trains an agent)"
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

test: $(STAMP) ## public tests on HWn/code, score table last (CODE=solutions/HWn, P=4, EC=1, DEBUG=1 in-process)
	@test -d "$(CODE)" || { echo "make test: CODE=$(CODE) is not a folder (expected one laid out like $(HOMEWORK)/code)"; exit 2; }
	$(PYTEST) $(PUBLIC) $(HW_FLAG) --code $(CODE) $(DEBUG_FLAGS) --problems $(TEST_PROBLEMS) -q

grade: $(STAMP) ## the real autograder on SUBMISSION (folder or zip; default solutions/HWn), writes RESULTS
	$(GRADER).operations.grade $(HW_FLAG) --submission $(SUBMISSION) --results $(RESULTS) \
	    $(if $(PROBLEMS),--problems $(PROBLEMS),)

verify: $(STAMP) ## everything staff rely on, every homework, on every core (the README's test command; CI)
	$(GRADER).quality.verify $(if $(JOBS),--jobs $(JOBS),)

verify-homework: $(STAMP) ## one homework's checks, one after the other: stubs, audits, solutions, stubs, grader tests, corpus
	$(MAKE) --no-print-directory check-stubs audit verify-solutions verify-stubs grader-tests corpus

grader-tests: grader-tests-own knockout-check ## the homework's grader tests: autograder/HWn/tests and the machinery's checks run on it

grader-tests-own: $(STAMP) ## grader-tests but the knock-out check: autograder/HWn/tests, the machinery's checks on HWn
	@if [ -d autograder/$(HOMEWORK)/tests ]; then $(PYTEST) autograder/$(HOMEWORK)/tests -q --durations=8; fi
	@if [ -d autograder/tests ]; then $(PYTEST) autograder/tests -m course -k "$(HOMEWORK) and not knockout" -q --durations=8; fi

knockout-check: $(STAMP) ## the knock-out check as a test (two gradings at a time): no unexpected loss, every function costs points
	@if [ -d autograder/tests ]; then $(PYTEST) autograder/tests -m course -k "$(HOMEWORK) and knockout" -q --durations=8; fi

machinery-tests: $(STAMP) ## the machinery's own tests on scratch homeworks (autograder/tests), TEST_JOBS at once
	$(PYTEST) autograder/tests -m "not course" -q --durations=12 $(if $(TEST_JOBS),-n $(TEST_JOBS),)

verify-solutions: $(STAMP) ## public + hidden tests pass on the solutions
	$(PYTEST) $(PUBLIC) $(wildcard $(HIDDEN)) $(HW_FLAG) --code solutions/$(HOMEWORK) -q --no-score-table

verify-stubs: $(STAMP) ## the bare stubs: every test fails as "not implemented yet", no harness error
	$(GRADER).quality.selfcheck stubs-score-zero $(HW_FLAG)

check-stubs: $(STAMP) ## the stubs in HWn/code are exactly what the solutions generate
	$(GRADER).release.stubs --check $(HW_FLAG)

stubs: $(STAMP) ## regenerate HWn/code's stubs from solutions/HWn (the solution is the master)
	$(GRADER).release.stubs --write $(HW_FLAG)

audit: $(STAMP) ## drift (stubs vs solutions) and leak (handout) audits
	$(GRADER).release.audit drift $(HW_FLAG)
	$(GRADER).release.audit handout $(HW_FLAG)

corpus: $(STAMP) ## grade every corpus submission against its expected outcome (ONLY=a,b; HINTS=1: the hints table)
	$(GRADER).quality.corpus $(HW_FLAG) $(if $(CORPUS_JOBS),--jobs $(CORPUS_JOBS),) $(if $(ONLY),--only $(ONLY),) \
	    $(if $(HINTS),--hints,)

knockout: $(STAMP) ## knock out each reference function in turn: the table of points lost (PROBLEMS=2,4)
	$(GRADER).quality.knockout $(HW_FLAG) $(if $(PROBLEMS),--problems $(PROBLEMS),)

lint: $(STAMP) ## ruff (syntax of Python 3.10: target-version), and no standard-library name newer than 3.10
	$(VENV)/bin/ruff check .
	$(GRADER).quality.pyversion

autograder: $(STAMP) ## build dist/HWn-autograder.zip for Gradescope (setup.sh and run_autograder at its root)
	$(GRADER).release.build $(HW_FLAG)

handout: $(STAMP) ## build dist/HWn-handout.zip for students
	$(GRADER).release.handout $(HW_FLAG)

submit: $(STAMP) ## check CODE and pack HWn-submission.zip (what students upload)
	$(PY) -m harness.submit $(HW_FLAG) --code $(CODE) $(if $(FORCE),--force,)

bench: $(STAMP) ## the homework's own benchmarks (its staff.mk's HWn_BENCH)
	$(if $($(HOMEWORK)_BENCH),$($(HOMEWORK)_BENCH),@echo "make bench: $(HOMEWORK) has no benchmarks of its own")

bench-grade: $(STAMP) ## grade the solutions on one core: wall time and peak RSS (AGAINST=1: beside HW1's, ratios)
	$(GRADER).bench.grade $(HW_FLAG) $(if $(AGAINST),--against $(AGAINST) $(if $(ROUNDS),--rounds $(ROUNDS),),)

bench-grade-compare: $(STAMP) ## bench-grade of REF=<commit> (its own tooling) and of this tree, alternately: ratio
	@test -n "$(REF)" || { echo "make bench-grade-compare: set REF=<commit> (e.g. REF=ca0240b)"; exit 2; }
	$(GRADER).bench.compare $(HW_FLAG) --ref $(REF) $(if $(ROUNDS),--rounds $(ROUNDS),)

batch: $(STAMP) ## grade a class on Dask: SUBMISSIONS=export (folder/zip) or student folders, OUT=dir
	@test -n "$(SUBMISSIONS)" || { echo "make batch: set SUBMISSIONS=<a Gradescope export (folder or zip) or a folder \
	with one sub-folder or zip per student>"; exit 2; }
	$(GRADER).operations.batch $(HW_FLAG) --submissions "$(SUBMISSIONS)" --out "$(OUT)" \
	    $(if $(PROBLEMS),--problems $(PROBLEMS),) $(if $(WORKERS),--workers $(WORKERS),) \
	    $(if $(SCHEDULER),--scheduler $(SCHEDULER),)

bench-batch: $(STAMP) ## the homework's bench class on 1 and on 2 Dask workers: speed-up and same scores
	$(GRADER).bench.batch $(HW_FLAG) $(if $(PROBLEMS),--problems $(PROBLEMS),)

demo: $(STAMP) ## the homework's demo for students (its homework.mk's HWn_DEMO)
	$(if $($(HOMEWORK)_DEMO),$($(HOMEWORK)_DEMO),@echo "make demo: $(HOMEWORK) has no demo")

new-homework: $(STAMP) ## start homework HW=n from the template: one working problem (grade gives full / 0)
	$(GRADER).release.newhomework $(HW_FLAG)

clean: ## remove build outputs (keeps .venv)
	rm -rf dist results build outputs HW*-submission.zip

# Each homework's own targets and settings: students' (tests/HWn/homework.mk, shipped in its handout)
# and staff's (autograder/HWn/staff.mk: its demos, benches).
include $(wildcard tests/HW*/homework.mk autograder/HW*/staff.mk)
