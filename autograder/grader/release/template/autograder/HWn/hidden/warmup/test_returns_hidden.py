"""Hidden tests for {{HW}} Problem 1 (``returns.py``): the reference solution is the oracle."""

import numpy as np
import pytest

from harness.checks import check_close


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_discounted_return_matches_reference(student, reference, seed):
    rng = np.random.default_rng(seed)
    rewards = [float(r) for r in rng.normal(size=int(rng.integers(1, 50)))]
    gamma = float(rng.uniform(0.5, 1.0))
    got = student.call("returns", "discounted_return", rewards, gamma)
    check_close(got, reference("returns").discounted_return(rewards, gamma),
                f"discounted_return on a random episode of {len(rewards)} rewards", reveal=False)
