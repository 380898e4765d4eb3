"""Hidden tests for Problem 1 (lake_model.py): the reference solution is the oracle."""

import numpy as np
import pytest
from lakes import lake, random_lake

from harness.checks import check, check_close, check_equal

RANDOM_MAPS = [
    pytest.param(random_lake(5, seed=11, is_slippery=True, success_rate=0.6), id="5x5-slippery-success0.6"),
    pytest.param(random_lake(7, seed=12, is_slippery=True, reward_schedule=(2, -1, -0.01)), id="7x7-rewards"),
    pytest.param(random_lake(9, seed=13, is_slippery=False, reward_schedule=(5, -2, 0)), id="9x9-deterministic"),
    pytest.param(random_lake(6, seed=14, is_slippery=True, success_rate=0.9, reward_schedule=(1, -1, 0.1)),
                 id="6x6-both"),
]


def _compare_models(student, reference, spec, label):
    got = student.call("lake_model", "extract_model", spec)
    want = reference("lake_model").extract_model(spec.make())
    check(isinstance(got, tuple) and len(got) == 3, f"extract_model on {label}", "expected (T, R, terminal)")
    for name, g, w in zip(("T", "R", "terminal"), got, want):
        check_close(g, w, f"{name} on {label}", reveal=False)


@pytest.mark.parametrize("spec", RANDOM_MAPS)
def test_extract_model_random_maps(student, reference, spec):
    _compare_models(student, reference, spec, spec.describe())


def test_extract_model_course_8x8(student, reference):
    for slippery in (False, True):
        _compare_models(student, reference, lake("8x8", is_slippery=slippery), f"the course 8x8 (slippery={slippery})")


@pytest.mark.parametrize("seed", [401, 402, 403])
def test_run_episode_matches_reference(student, reference, seed):
    spec = random_lake(6, seed=seed, is_slippery=True, max_episode_steps=30)
    got = student.probe("lake.run_episode_random", spec, 25, seed, seed + 1)
    import example

    agent = example.RandomAgent(4, rng=np.random.default_rng(seed + 1))
    want = reference("lake_model").run_episode(agent, spec.make(), 25, seed=seed)
    check(isinstance(got, (tuple, list)) and len(got) == 3, "run_episode", "expected (observations, actions, rewards)")
    for name, g, w in zip(("observations", "actions", "rewards"), got, want):
        check_equal([float(x) for x in g], [float(x) for x in w], f"{name} of a seeded random-agent episode",
                    reveal=False)


def test_evaluate_policy_mc_matches_reference(student, reference):
    spec = lake("8x8", is_slippery=True)
    policy = np.random.default_rng(7).integers(0, 4, size=64)
    got = student.call("lake_model", "evaluate_policy_mc", spec, policy, 150, 9001)
    want = reference("lake_model").evaluate_policy_mc(spec.make(), policy, 150, 9001)
    check(isinstance(got, tuple) and len(got) == 2, "evaluate_policy_mc", "expected (mean_return, success_rate)")
    check_close(np.asarray(got, dtype=float), np.asarray(want), "(mean_return, success_rate) on hidden seeds",
                reveal=False)
