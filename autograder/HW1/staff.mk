# HW1's staff targets and settings (the course Makefile includes every homework's staff.mk).
.PHONY: demo-dp demo-bandits demo-imitation

# `make bench HW=1`: value iteration vs a per-state loop (64x64 lake); the bandit testbed before/after (RUNS=200).
HW1_BENCH = $(PY) autograder/HW1/bench/bench_dp.py && $(PY) autograder/HW1/bench/bench_testbed.py --runs $(or $(RUNS),200)

demo-dp: $(STAMP) ## HW1 Problem 2 on the solutions: iteration-count tables, heatmaps, policy pictures
	cd solutions/HW1/frozen_lake && PYTHONPATH=$(CURDIR)/HW1/code/frozen_lake $(abspath $(PY)) dynamic_programming.py \
	    --outputs $(CURDIR)/outputs/dp

demo-bandits: $(STAMP) ## HW1 Problem 3 on the solutions: exploration plots
	PYTHONPATH=solutions/HW1/bandits:HW1/code/bandits $(PY) -c 'import sys, testbed; sys.exit(testbed.main())' \
	    --outputs outputs/bandits

demo-imitation: $(STAMP) ## HW1 Problem 6 on the solutions: BC and DAgger learning curves
	cd solutions/HW1/imitation && PYTHONPATH=$(CURDIR)/HW1/code/imitation:$(CURDIR)/solutions/HW1/networks \
	    $(abspath $(PY)) bc_dagger.py --outputs $(CURDIR)/outputs/imitation
