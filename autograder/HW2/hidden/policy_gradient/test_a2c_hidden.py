"""Hidden tests for Problem 4 (``a2c_update``): other windows, n = 1, 10, 100, Adam, the reference as oracle.

Messages never show an expected value (``reveal=False``).
"""

from pathlib import Path

import pytest
from pgchecks import ATOL, RTOL, check_parameters, check_update_call, net_weights
from pgdata import describe, window

from harness.checks import check_close
from harness.modules import load_by_path

refs = load_by_path(Path(__file__).with_name("refs.py"), "_hw2_hidden_refs")


def run(student, reference, batch, n, optimizer, normalize, seed, lrs):
    policy, value = net_weights(seed, 2, hidden=10), net_weights(seed + 1, 1, hidden=10)
    out = student.probe("components.update", "a2c", policy, value, batch, 0.98, n, normalize, optimizer, lrs)
    want = refs.update(reference, "a2c", policy, value, batch, 0.98, n, normalize, optimizer, lrs)
    what = f"a2c_update with n={n}, {optimizer}, normalize={normalize}, gamma=0.98 on {describe(batch)}"
    result = check_update_call(out, want, what, has_value=True)
    for key in ("policy_loss", "value_loss"):
        check_close(result[key], want[key], f"{what}: {key}", atol=ATOL, rtol=RTOL, reveal=False)
    for net in ("policy", "value"):
        check_parameters(out[net], want[net], f"{what}: the {net} network after its step", reveal=False)


@pytest.mark.parametrize("n", [1, 10, 100])
def test_a2c_update_hidden(student, reference, n):
    batch = window(4000 + n, T=24, E=5, p_end=0.08, unit_rewards=True)
    run(student, reference, batch, n, "adam", True, 4000 + n, (0.01, 0.01))


@pytest.mark.parametrize("n", [2, 5])
def test_a2c_update_truncations_hidden(student, reference, n):
    batch = window(4100 + n, T=15, E=4, p_end=0.2, truncate_every=2)
    assert batch["truncated"].sum() >= 2, "staff check: the batch needs truncations"
    run(student, reference, batch, n, "sgd", False, 4100 + n, (0.3, 0.02))
