"""HW1 grading package: stubs, supervisor, results, build. See ``python -m hw1grader --help``."""
