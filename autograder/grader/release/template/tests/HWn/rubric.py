"""{{HW}}'s table: its files, problems, points and tests, in one place (``harness.homework``
says what each name means). Test numbers are ``<problem>.<index>`` in the order listed here,
public tests first. Hidden entries sit between the BEGIN HIDDEN and END HIDDEN marker comments
and are stripped from the student handout.
"""

from harness.homework import Problem, Test

# The files students write, relative to {{HW}}/code, and the problem each belongs to.
STUDENT_FILES = {"warmup/returns.py": 1}
# Complete files given to students (grading always uses the staff copy): none yet.
GIVEN_FILES = ()
PACKAGES = "numpy, gymnasium, torch, matplotlib and tqdm"
HIDDEN_VISIBILITY = "after_published"

PROBLEMS = [
    Problem(1, "Warm-up: discounted returns", 100, ("warmup/returns.py",), budget_s=60),
]

TESTS = {
    1: [
        Test("tests/{{HW}}/warmup/test_returns.py::test_discounted_return_closed_form", 60,
             "discounted_return: known episodes against the closed form", functions=("discounted_return",)),
        # BEGIN HIDDEN
        Test("autograder/{{HW}}/hidden/warmup/test_returns_hidden.py::test_discounted_return_matches_reference", 40,
             "discounted_return: random episodes, the reference's returns", functions=("discounted_return",)),
        # END HIDDEN
    ],
}

# Who calls whom by the contract (a test of a function on the left may fail when one on the right fails).
CALLS = {}
