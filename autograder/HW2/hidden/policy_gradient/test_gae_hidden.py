"""Hidden tests for the extra credit (GAE): other shapes and lambdas, Adam, the outcome on hidden seeds.

``gae_advantages`` and ``gae_update`` against the reference (``reveal=False``: no expected value in
a message); the outcome is the public test's training run (seed 0) on 20 hidden seeds, bands as in
Problem 5.
"""

from pathlib import Path

import numpy as np
import pytest
from pgchecks import ATOL, RTOL, check_parameters, check_update_call, net_weights
from pgdata import describe, whole_episodes, window
from pgoutcomes import TRAIN_SEED, grade_outcome

from harness.checks import check_array, check_close
from harness.modules import load_by_path

refs = load_by_path(Path(__file__).with_name("refs.py"), "_hw2_hidden_refs")
HIDDEN_EVAL_SEEDS = (684210953, 39517724, 812406357, 257931086, 940715628, 136084279, 575392810, 401268935,
                     768035142, 93874216, 329108574, 857643091, 214976530, 682351407, 991025736, 450817263,
                     117639852, 736204985, 308452617, 563190478)


@pytest.mark.parametrize("case", range(5))
def test_gae_advantages_hidden(student, reference, case):
    rng = np.random.default_rng(5000 + case)
    batch = [window(5001, T=30, E=6, p_end=0.1), window(5002, T=1, E=4, p_end=0.5),
             whole_episodes(5003, E=3, min_steps=8), window(5004, T=20, E=1), window(5005, T=17, E=3)][case]
    gamma, lam = [(0.98, 0.95), (0.9, 0.5), (0.99, 1.0), (0.95, 0.0), (1.0, 0.7)][case]
    shape = batch["rewards"].shape
    values = rng.normal(3, 2, size=shape)
    next_values = rng.normal(3, 2, size=shape)  # never values[t+1]
    next_values[batch["terminated"]] = 1e6
    args = [batch["rewards"], values, next_values, batch["terminated"], batch["dones"], gamma, lam]
    if case == 3:
        args[:5] = [a[:, 0] for a in args[:5]]
        shape = shape[:1]
    got = student.call("returns", "gae_advantages", *args)
    want = reference("returns").gae_advantages(*args)
    what = f"gae_advantages on {shape}, gamma={gamma}, lam={lam}"
    check_array(got, what, shape=shape, dtype=np.float64)
    check_close(got, want, what, atol=1e-6, rtol=1e-6, reveal=False)


@pytest.mark.parametrize("lam", [0.0, 0.95, 1.0])
def test_gae_update_hidden(student, reference, lam):
    batch = window(5100 + int(lam * 100), T=20, E=4, p_end=0.1, unit_rewards=True)
    policy, value = net_weights(5101, 2, hidden=10), net_weights(5102, 1, hidden=10)
    lrs = (0.01, 0.01)
    out = student.probe("components.update", "gae", policy, value, batch, 0.98, lam, True, "adam", lrs)
    want = refs.update(reference, "gae", policy, value, batch, 0.98, lam, True, "adam", lrs)
    what = f"gae_update with Adam, lam={lam}, gamma=0.98 on {describe(batch)}"
    result = check_update_call(out, want, what, has_value=True)
    for key in ("policy_loss", "value_loss"):
        check_close(result[key], want[key], f"{what}: {key}", atol=ATOL, rtol=RTOL, reveal=False)
    for net in ("policy", "value"):
        check_parameters(out[net], want[net], f"{what}: the {net} network after its step", reveal=False)


def test_gae_outcome_hidden(student, credit, note):
    grade_outcome(student, credit, note, "gae", TRAIN_SEED, HIDDEN_EVAL_SEEDS, "20 hidden seeds",
                  "the public test's training run, on other starting states")
