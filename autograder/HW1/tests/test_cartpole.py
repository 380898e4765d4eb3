"""The CartPole drive of the outcome tests (``tests/HW1/cartpole.py``).

``CartPoleBatch`` must step exactly as ``gymnasium.make("CartPole-v1")`` does (every bit of
every observation, every reward and ending), and the extra credit's sequential rule must train
a second agent only where the first misses the bar, grade the better run, and still fail an
agent that misses on both.
"""

import cartpole
import gymnasium
import numpy as np
import pytest
from cartpole import CartPoleBatch, grade_memory_runs, memory_runs

from harness.errors import CheckFailed, StudentTimeout

GAINS = np.array([0.1, 0.5, 10.0, 2.0])


def _noisy_expert(obs, rng, noise):
    """The expert, with a random push at the rate ``noise`` (one per row): endings from the time
    limit (500 steps) to a few dozen steps."""
    actions = (np.asarray(obs, dtype=np.float64) @ GAINS > 0).astype(np.int64)
    flip = rng.random(len(actions)) < noise
    return np.where(flip, rng.integers(0, 2, len(actions)), actions)


@pytest.mark.parametrize("policy", ["random", "noisy-expert"])
def test_cartpole_batch_matches_gymnasium_bit_for_bit(policy):
    seeds = list(range(300, 340)) + [706963430, 2**31 - 2]
    rng = np.random.default_rng(7)
    batch = CartPoleBatch(seeds)
    envs = [gymnasium.make("CartPole-v1") for _ in seeds]
    obs = [env.reset(seed=s)[0] for env, s in zip(envs, seeds)]
    returns = np.zeros(len(seeds))
    alive = np.ones(len(seeds), dtype=bool)
    noise = np.linspace(0.0, 0.9, len(seeds))
    np.testing.assert_array_equal(batch.observations(np.arange(len(seeds))), np.stack(obs))
    while alive.any():
        index = np.flatnonzero(alive)
        shown = batch.observations(index)
        assert shown.dtype == np.float32
        np.testing.assert_array_equal(shown, np.stack([obs[i] for i in index]))  # bit for bit
        actions = (rng.integers(0, 2, len(index)) if policy == "random" else _noisy_expert(shown, rng, noise[index]))
        for j, i in enumerate(index):
            obs[i], reward, terminated, truncated, _ = envs[i].step(int(actions[j]))
            returns[i] += reward
            alive[i] = not (terminated or truncated)
        batch.step(index, actions)
        np.testing.assert_array_equal(batch.active, alive)
        for i in index:
            assert np.array_equal(batch.state[i], np.asarray(envs[i].unwrapped.state, dtype=np.float64))
    np.testing.assert_array_equal(batch.returns, returns)
    if policy == "noisy-expert":
        assert (returns == 500).any() and (returns < 500).any(), returns  # both endings were compared


class _FakeStudent:
    """The worker as the drive sees it: memory agents by training seed, counted trainings.

    ``agents`` maps a training seed to ``"good"`` (the expert with the velocities taken from the
    last two frames: balances for 500 steps), ``"bad"`` (always pushes left) or an exception to
    raise while training.
    """

    def __init__(self, agents):
        self.agents = agents
        self.trained = []
        self.previous = {}

    def probe(self, name, *args, timeout=None, **kwargs):
        if name == "imitation.warm_up":
            return "2.x"
        if name == "imitation.train_memory_outcome":
            seed = args[0]
            if isinstance(self.agents[seed], Exception):
                raise self.agents[seed]
            if seed not in self.trained:
                self.trained.append(seed)
            return {"handle": f"memory-{seed}", "seconds": 1.5}
        if name == "imitation.memory_agent_reset":
            self.previous = {}
            return args[1]
        if name == "imitation.memory_agent_act":
            handle, copies, frames = args
            kind = self.agents[int(handle.split("-")[1])]
            actions = []
            for copy, frame in zip(copies, np.asarray(frames, dtype=np.float64)):
                before = self.previous.get(copy, frame)
                self.previous[copy] = frame
                if kind == "bad":
                    actions.append(0)
                    continue
                velocity = (frame - before) / 0.02
                actions.append(int(np.array([frame[0], velocity[0], frame[1], velocity[1]]) @ GAINS > 0))
            return np.asarray(actions, dtype=np.int64)
        raise AssertionError(f"unexpected probe {name}")


SEEDS = tuple(range(200, 220))


def _grade(student):
    record = {}
    runs = memory_runs(student, SEEDS, 120.0, "act")
    try:
        grade_memory_runs(lambda text: record.setdefault("note", text), lambda f: record.setdefault("credit", f),
                          "train_memory_agent(seed=0)", runs, "20 seeds", 120.0)
    except CheckFailed as exc:
        record["failed"] = str(exc)
    return runs, record


def test_memory_rule_trains_once_when_the_first_run_passes():
    student = _FakeStudent({0: "good", 1: "good"})
    runs, record = _grade(student)
    assert student.trained == [0]
    assert record["credit"] == 1.0 and "failed" not in record
    assert "once more" not in record["note"] and record["note"].startswith("mean 500.0")


def test_memory_rule_grades_the_better_of_two_runs():
    student = _FakeStudent({0: "bad", 1: "good"})
    runs, record = _grade(student)
    assert student.trained == [0, 1]
    assert [seed for seed, _, _ in runs] == [0, 1]
    assert record["credit"] == 1.0 and "failed" not in record
    assert "missed the bar, so the grader trained once more" in record["note"]
    assert "train_memory_agent(seed=1): mean 500.0" in record["note"]


def test_memory_rule_still_fails_a_wrong_agent():
    student = _FakeStudent({0: "bad", 1: "bad"})
    runs, record = _grade(student)
    assert student.trained == [0, 1]
    assert record["credit"] == 0.0
    assert "The better mean is below the bar: 0% of the points" in record["failed"]


def test_memory_rule_keeps_the_first_run_when_the_second_training_fails():
    student = _FakeStudent({0: "bad", 1: StudentTimeout("train_memory_agent(seed=1) did not finish within 120 s")})
    runs, record = _grade(student)
    assert runs[1][1] is None and "did not finish" in runs[1][2]
    assert record["credit"] == 0.0
    assert "failed, so the first run counts" in record["failed"]


def test_memory_rule_first_training_failure_fails_the_test():
    student = _FakeStudent({0: StudentTimeout("too slow"), 1: "good"})
    with pytest.raises(StudentTimeout):
        memory_runs(student, SEEDS, 120.0, "act")
    assert student.trained == []


def test_memory_rule_seeds_are_the_documented_ones():
    assert cartpole.MEMORY_TRAIN_SEEDS == (0, 1)
