"""``python -m grader``: list the grading tools (each has its own ``--help`` and takes ``--homework HWn``)."""

import sys

TOOLS = {
    "submission.supervisor": "grade one submission in an /autograder root (what run_autograder runs)",
    "submission.manifest": "write a homework's test manifest (built into its autograder zip)",
    "release.build": "build a homework's Gradescope autograder zip (make autograder)",
    "release.handout": "build a homework's student handout zip (make handout)",
    "release.stubs": "regenerate or check the stubs from the solutions (make stubs)",
    "release.audit": "drift and leak audits (make audit)",
    "release.newhomework": "write a new homework from the template (make new-homework)",
    "quality.corpus": "grade the corpus of correct, buggy and hostile submissions (make corpus)",
    "quality.knockout": "knock out each reference function: points lost (make knockout)",
    "quality.selfcheck": "the bare stubs fail every test as not implemented (make verify-stubs)",
    "operations.grade": "grade a folder or zip locally through the real autograder (make grade)",
    "operations.batch": "grade a whole class on Dask from a Gradescope export (make batch)",
    "operations.synthetic": "write a synthetic class export from the corpus (test data for the batch)",
    "bench.grade": "a whole grading run on one core: time and peak memory (make bench-grade)",
    "bench.batch": "the same batch on 1 and on 2 Dask workers: speed-up (make bench-batch)",
}


def main() -> int:
    print("Grading tools: python -m grader.<tool> --help\n")
    for name, what in TOOLS.items():
        print(f"  {name:<22} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
