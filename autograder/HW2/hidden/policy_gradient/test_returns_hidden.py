"""Hidden tests for Problem 1 (``returns.py``): other shapes, discounts and horizons, the reference as oracle.

Messages say where a result differs and what came back there, never the expected value
(``reveal=False``).
"""

import numpy as np
import pytest
from pgdata import whole_episodes, window

from harness.checks import check_array, check_close

ATOL, RTOL = 1e-8, 1e-6


def _cases():
    """(label, rewards, dones/terminated arrays, gamma) of other shapes, discounts and flag types."""
    w = window(1001, T=30, E=7, p_end=0.1)
    long = whole_episodes(1002, E=5, min_steps=20, p_end=0.08)
    one = window(1003, T=1, E=5, p_end=0.5)
    column = window(1004, T=25, E=1, p_end=0.2)
    ints = np.random.default_rng(1005).integers(-3, 4, size=(12, 4))
    int_flags = window(1006, T=12, E=4)
    return [
        ("a window (30, 7), gamma 0.98", w, w["rewards"], 0.98),
        ("whole episodes (padded), gamma 0.99", long, long["rewards"], 0.99),
        ("a window of one step (1, 5)", one, one["rewards"], 0.9),
        ("one column (25,)", {k: v[:, 0] for k, v in column.items()}, column["rewards"][:, 0], 0.95),
        ("gamma 0", w, w["rewards"], 0.0),
        ("gamma 1", w, w["rewards"], 1.0),
        ("integer rewards and 0/1 flags", {k: v.astype(np.int64) if v.dtype == bool else v for k, v in
                                          int_flags.items()}, ints, 0.9),
    ]


@pytest.mark.parametrize("case", range(7))
def test_discounted_returns_hidden(student, reference, case):
    label, batch, rewards, gamma = _cases()[case]
    got = student.call("returns", "discounted_returns", rewards, batch["dones"], gamma)
    want = reference("returns").discounted_returns(rewards, batch["dones"], gamma)
    what = f"discounted_returns on {label}"
    check_array(got, what, shape=np.shape(rewards), dtype=np.float64)
    check_close(got, want, what, atol=ATOL, rtol=RTOL, reveal=False)


@pytest.mark.parametrize("case", range(7))
def test_n_step_targets_hidden(student, reference, case):
    label, batch, rewards, gamma = _cases()[case]
    T = np.shape(rewards)[0]
    rng = np.random.default_rng(2000 + case)
    next_values = rng.normal(4.0, 3.0, size=np.shape(rewards))
    next_values[np.asarray(batch["terminated"], dtype=bool)] = -1e6
    for n in sorted({1, 2, 7, max(T - 1, 1), T, T + 3, 100}):
        args = (rewards, next_values, batch["terminated"], batch["dones"], gamma, n)
        got = student.call("returns", "n_step_targets", *args)
        want = reference("returns").n_step_targets(*args)
        what = f"n_step_targets on {label}, n={n}"
        check_array(got, what, shape=np.shape(rewards), dtype=np.float64)
        check_close(got, want, what, atol=1e-6, rtol=RTOL, reveal=False)
