"""Public tests for {{HW}} Problem 1 (``returns.py``): the closed form of a geometric sum is the oracle."""

import pytest

from harness.checks import check_close, check_type


@pytest.mark.parametrize(("rewards", "gamma"), [([1.0] * 10, 0.9), ([0.0, 0.0, 5.0], 0.5), ([], 0.99), ([2.0], 0.0)],
                         ids=["ten-ones", "late-reward", "empty", "gamma-zero"])
def test_discounted_return_closed_form(student, rewards, gamma):
    got = student.call("returns", "discounted_return", rewards, gamma)
    what = f"discounted_return({rewards}, gamma={gamma})"
    check_type(got, float, what, hint="return a Python float (float(...))")
    if rewards and all(r == rewards[0] for r in rewards):
        expected = rewards[0] * (1 - gamma ** len(rewards)) / (1 - gamma)  # a constant reward: a geometric sum
    else:
        expected = sum(r * gamma**t for t, r in enumerate(rewards))
    check_close(got, expected, what)
