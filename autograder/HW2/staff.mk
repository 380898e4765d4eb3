# HW2's staff targets and settings (the course Makefile includes every homework's staff.mk).
.PHONY: demo-pg

# The solutions with the given loop first on the path: run.py imports pg and rollout by bare name.
HW2_SOLVED = PYTHONPATH=$(CURDIR)/solutions/HW2/policy_gradient:$(CURDIR)/HW2/code/policy_gradient:$(PYTHONPATH)

# `make bench HW=2`: the grader's protocol (run.py --check: early stop on a confirmed greedy check, then 20
# evaluation episodes) on the solutions, every learner on SEEDS training seeds (default 5): the training times
# against the 60 s limit, on this machine, one thread.
HW2_BENCH = $(HW2_SOLVED) $(PY) -c 'import sys, run; sys.exit(run.main())' --check --seeds $(or $(SEEDS),5) \
    --learners reinforce,baseline,a2c1,a2c10,a2c100,gae

demo-pg: $(STAMP) ## HW2 on the solutions: learning curves of every learner (3 seeds, mean and range) into outputs/pg
	$(HW2_SOLVED) $(PY) -c 'import sys, run; sys.exit(run.main())' --learners reinforce,baseline,a2c1,a2c10,a2c100,gae \
	    --seeds 3 --env-steps 300000 --outputs outputs/pg
