"""The public tests' NumPy oracles (``tests/HW2/pgdata.py``) agree with the reference on random batches, and
each mistake switch gives a result that differs from the right one (a diagnosis that can never fire is dead
code, one that fires on correct code a false claim)."""

import importlib
import sys

import numpy as np
import pytest
from hw2 import HW2
from pgdata import complete_mask, gae_loop, n_step_loop, returns_loop, td_errors, whole_episodes, window


@pytest.fixture(scope="module")
def reference():
    for folder in (HW2.code / "policy_gradient", HW2.solutions / "policy_gradient"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    sys.modules.pop("returns", None)
    return importlib.import_module("returns")


def _batches():
    for seed in range(12):
        yield window(seed, T=3 + seed, E=1 + seed % 4, p_end=0.1 + 0.05 * (seed % 4))
        yield whole_episodes(100 + seed, E=1 + seed % 3, min_steps=2 + seed)


def test_loop_oracles_match_the_reference(reference):
    rng = np.random.default_rng(0)
    for batch in _batches():
        r, term, dones = batch["rewards"], batch["terminated"], batch["dones"]
        values, next_values = rng.normal(size=r.shape), rng.normal(size=r.shape)
        T = r.shape[0]
        for gamma in (0.0, 0.5, 0.98, 1.0):
            np.testing.assert_allclose(returns_loop(r, dones, gamma), reference.discounted_returns(r, dones, gamma),
                                       atol=1e-10)
            for n in (1, 2, 3, T, T + 4):
                np.testing.assert_allclose(n_step_loop(r, next_values, term, dones, gamma, n),
                                           reference.n_step_targets(r, next_values, term, dones, gamma, n), atol=1e-10)
            for lam in (0.0, 0.7, 1.0):
                np.testing.assert_allclose(gae_loop(r, values, next_values, term, dones, gamma, lam),
                                           reference.gae_advantages(r, values, next_values, term, dones, gamma, lam),
                                           atol=1e-10)
            np.testing.assert_allclose(gae_loop(r, values, next_values, term, dones, gamma, 0.0),
                                       td_errors(r, values, next_values, term, gamma), atol=1e-10)


def test_the_public_batches_hold_every_kind_of_end():
    for batch in _batches():
        assert batch["complete"].tolist() == complete_mask(batch["dones"], batch["valid"]).tolist()
        assert not (batch["terminated"] & batch["truncated"]).any()
    window_batch = window(50, T=12, E=3)
    assert window_batch["terminated"].any() and window_batch["truncated"].any()
    assert not window_batch["dones"][-1].all(), "an episode must be cut by the window"
    whole = whole_episodes(3, E=3, min_steps=6)
    padding = ~whole["valid"]
    assert padding.any() and whole["dones"][padding].all() and (whole["rewards"][padding] == 0).all()


def test_every_mistake_switch_changes_the_result():
    batch = window(33, T=16, E=4)
    rng = np.random.default_rng(3)
    next_values = rng.normal(3.0, 2.0, size=(16, 4))
    values = rng.normal(size=(16, 4))
    args = (batch["rewards"], next_values, batch["terminated"], batch["dones"], 0.9)
    right = n_step_loop(*args, 3)
    for switch in ("ignore_terminated", "truncation_terminal", "ignore_dones"):
        assert not np.allclose(n_step_loop(*args, 3, **{switch: True}), right), switch
    assert not np.allclose(n_step_loop(*args, 3, window_bootstrap=False), right)
    assert not np.allclose(returns_loop(batch["rewards"], batch["dones"], 0.9, ignore_dones=True),
                           returns_loop(batch["rewards"], batch["dones"], 0.9))
    gae_args = (batch["rewards"], values, next_values, batch["terminated"], batch["dones"], 0.9, 0.8)
    for switch in ("values_for_next", "ignore_dones", "ignore_terminated"):
        assert not np.allclose(gae_loop(*gae_args, **{switch: True}), gae_loop(*gae_args)), switch
