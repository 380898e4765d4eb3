"""The outcome probes of Problem 6 and the extra credit (``tests/HW1/probes/imitation.py``).

Each learner is trained once per worker and training seed: the public and the hidden outcome
test share that run (and report its time), so grading pays for each training once.
"""

import sys
import types

import numpy as np
import pytest
from hw1 import HW1

from harness.modules import load_by_path
from probes import imitation as probes


class _Linear:
    """Stands in for a policy: the probes only keep it and hand it back."""


@pytest.fixture
def counting_learner(monkeypatch):
    """A ``bc_dagger`` module that counts its trainings, with the given ``expert`` importable."""
    calls = {"train_bc": 0, "dagger": 0, "train_memory_agent": 0}

    def train_bc(policy, obs, actions, epochs, batch_size=64, lr=1e-3, seed=0):
        calls["train_bc"] += 1
        return [0.5] * epochs

    def dagger(env, expert_fn, policy, n_iterations, episodes_per_iteration, initial_data, seed):
        calls["dagger"] += 1
        return [500.0] * n_iterations

    class Agent:
        def reset(self):
            pass

        def act(self, obs):
            return 0

    def train_memory_agent(seed=0):
        calls["train_memory_agent"] += 1
        return Agent()

    module = types.SimpleNamespace(BC_EPOCHS=2, DAGGER_ITERATIONS=2, DAGGER_EPISODES_PER_ITERATION=1,
                                   make_policy=lambda obs_dim=4, n_actions=2: _Linear(), train_bc=train_bc,
                                   dagger=dagger, train_memory_agent=train_memory_agent)
    monkeypatch.setitem(sys.modules, "bc_dagger", module)
    given = str(HW1.code / "imitation")
    assert "imitation" in HW1.code_folders
    monkeypatch.syspath_prepend(given)
    monkeypatch.setattr(probes, "_REGISTRY", {})
    monkeypatch.setattr(probes, "_TRAINING_REPORTS", {})
    return calls


@pytest.mark.parametrize("probe, counted", [
    (probes.train_bc_outcome, "train_bc"),
    (probes.train_dagger_outcome, "dagger"),
    (probes.train_memory_outcome, "train_memory_agent"),
], ids=["bc", "dagger", "memory"])
def test_outcome_probe_trains_once_per_seed(counting_learner, probe, counted):
    first = probe(0)
    again = probe(0)
    other_seed = probe(1)
    assert counting_learner[counted] == 2, "the second call with seed 0 trained again"
    assert first["reused"] is False and again["reused"] is True and other_seed["reused"] is False
    assert again["handle"] == first["handle"] != other_seed["handle"]
    assert again["seconds"] == first["seconds"], "a reused training must report the time of the run it reuses"
    assert probes._lookup(again["handle"]) is probes._lookup(first["handle"])


def test_outcome_tests_share_the_public_training_seed():
    """The hidden outcome tests evaluate the public tests' training run on other seeds."""
    public = load_by_path(HW1.tests / "imitation" / "test_bc_dagger.py", "_hw1_public_bc_dagger")
    hidden = load_by_path(HW1.hidden / "imitation" / "test_bc_dagger_hidden.py", "_hw1_hidden_bc_dagger")
    assert hidden.TRAIN_SEED == public.TRAIN_SEED
    assert not set(hidden.HIDDEN_BC_EVAL_SEEDS) & set(public.PUBLIC_EVAL_SEEDS)
    assert not set(hidden.HIDDEN_DAGGER_EVAL_SEEDS) & set(public.PUBLIC_EVAL_SEEDS)
    assert len(set(np.r_[hidden.HIDDEN_BC_EVAL_SEEDS])) == 20 == len(set(np.r_[hidden.HIDDEN_DAGGER_EVAL_SEEDS]))
