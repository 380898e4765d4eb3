# HW2's student-facing settings, read by the course Makefile and by HW2's handout Makefile.
# `make demo`: a short run of the learning curves (run.py: every learner, 2 training seeds, 100,000 environment
# steps each; about a minute) with your pg.py, into HW2/code/policy_gradient/outputs.
HW2_DEMO = cd HW2/code/policy_gradient && $(abspath $(PY)) run.py --seeds 2 --env-steps 100000 --outputs outputs
