# {{HW}}'s student-facing settings, read by the course Makefile and by the handout's Makefile.
# {{HW}}_DEMO = cd {{HW}}/code/warmup && $(abspath $(PY)) demo.py
