"""Planted rubric look-alike: a thousand points for Problem 1."""
PROBLEMS = []
TESTS = {}
