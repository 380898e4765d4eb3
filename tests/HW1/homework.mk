# HW1's student-facing settings, read by the course Makefile and by HW1's handout Makefile.
# `make demo`: the recitation's Gymnasium demo on the course 4x4 map (text when there is no display).
HW1_DEMO = cd HW1/code/frozen_lake && $(abspath $(PY)) example.py
