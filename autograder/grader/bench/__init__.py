"""Benchmarks: a whole grading on one core, a batch on 1 and 2 workers."""
