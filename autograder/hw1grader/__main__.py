"""``python -m hw1grader``: list the grading tools (each has its own ``--help``)."""

import sys

TOOLS = {
    "supervisor": "grade one submission in an /autograder root (what run_autograder runs)",
    "grade": "grade a folder or zip locally through the real autograder (make grade)",
    "build": "build the Gradescope autograder zip (make autograder)",
    "handout": "build the student handout zip (make handout)",
    "manifest": "write the test manifest (built into the autograder zip)",
    "corpus": "grade the corpus of correct, buggy and hostile submissions (make corpus)",
    "audit": "drift and leak audits (make audit)",
    "pyversion": "nothing in the code needs a Python newer than 3.10, Gradescope's (make lint)",
    "stubs": "regenerate or check the stubs from the solutions (make stubs)",
    "selfcheck": "the bare stubs fail every test as not implemented (make verify-stubs)",
    "bench": "a whole grading run on one core: time and peak memory (make bench-grade)",
    "bench_compare": "bench-grade of an earlier commit and of this tree, alternately (make bench-grade-compare)",
    "batch": "grade a whole class on Dask from a Gradescope export (make batch)",
    "synthetic": "write a synthetic class export from the corpus (test data for the batch)",
    "bench_batch": "the same batch on 1 and on 2 Dask workers: speed-up (make bench-batch)",
}


def main() -> int:
    print("HW1 grading tools: python -m hw1grader.<tool> --help\n")
    for name, what in TOOLS.items():
        print(f"  {name:<11} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
