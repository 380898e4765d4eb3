"""Public tests for Problem 1 (lake_model.py), against independent oracles.

Oracles: transition facts read off the course 4x4 map by hand, Gymnasium's documented
slippery rule (the intended move and its two perpendicular moves, 1/3 each by default),
and Gymnasium itself stepping the environment in this process.

A hint of :data:`HINTS` is shown only when that mistake reproduces the student's result;
otherwise the message says what differs (and the convention it checks), not why.
"""

import numpy as np
import pytest
from lakes import lake

from harness.checks import check, check_array, check_close, check_equal, check_type

LEFT, DOWN, RIGHT, UP = 0, 1, 2, 3
HOLES_4X4, GOAL_4X4, START_4X4 = (1, 6, 9, 10), 5, 2
HINTS = {
    "overwrite": "several (p, next_state, ...) tuples can share next_state: add their probabilities up (+=); your "
                 "T matches overwriting them (=)",
    "no_truncation": "stop when the step returns terminated or truncated; your episode matches stopping on "
                     "terminated only (the recitation's bug), so only max_steps ended it",
}


def overwritten_rows(spec, state, action):
    """T[state, action] as overwriting duplicate next states (=) instead of adding them up gives."""
    row = np.zeros(spec.make().observation_space.n)
    for probability, next_state, _, _ in spec.make().unwrapped.P[state][action]:
        row[next_state] = probability
    return row


def _model(student, spec):
    result = student.call("lake_model", "extract_model", spec)
    check(isinstance(result, tuple) and len(result) == 3, "extract_model(env)",
          f"expected a tuple (T, R, terminal), got {type(result).__name__}")
    return result


@pytest.mark.parametrize(
    ("state", "action", "next_state", "reward"),
    [(START_4X4, LEFT, 1, 0.0), (4, RIGHT, GOAL_4X4, 1.0), (0, UP, 0, 0.0), (15, DOWN, 15, 0.0), (7, UP, 3, 0.0)],
    ids=["start-left-into-hole", "right-into-goal", "corner-up-stays", "corner-down-stays", "up"],
)
def test_extract_model_known_rows(student, state, action, next_state, reward):
    T, R, _ = _model(student, lake("4x4"))
    check_array(T, "T", shape=(16, 4, 16), dtype=np.float64)
    expected_row = np.zeros(16)
    expected_row[next_state] = 1.0
    check_close(T[state, action], expected_row, f"T[{state}, {action}] on the deterministic course 4x4",
                index_name="next state")
    check_close(R[state, action], reward, f"R[{state}, {action}] on the deterministic course 4x4")


def test_extract_model_sums_slippery_duplicates(student):
    spec = lake("4x4", is_slippery=True)
    T, R, _ = _model(student, spec)
    check_array(T, "T", shape=(16, 4, 16), dtype=np.float64)
    # From corner 0, Left slips to Down (4), Left (0) or Up (0): two tuples land on 0.
    for state, action, cells in [(0, LEFT, [0, 4]), (3, RIGHT, [3, 7])]:
        overwritten = bool(np.allclose(T[state, action], overwritten_rows(spec, state, action)))
        check_close(T[state, action, cells], [2 / 3, 1 / 3], f"T[{state}, {'Left' if action == LEFT else 'Right'}, "
                    f"{cells}] on the slippery course 4x4 (tuples sharing a next state add up)",
                    hint=HINTS["overwrite"] if overwritten else None)
    # From 4, Up slips to Left (4), Up (0) or Right (5, the goal): reward 1 with probability 1/3.
    check_close(R[4, UP], 1 / 3, "R[4, Up] on the slippery course 4x4 (the expected reward: the sum over tuples "
                "of probability * reward)")


@pytest.mark.parametrize("name", ["4x4", "8x8"])
@pytest.mark.parametrize("slippery", [False, True], ids=["deterministic", "slippery"])
def test_extract_model_rows_sum_to_one(student, name, slippery):
    n = 16 if name == "4x4" else 64
    T, R, terminal = _model(student, lake(name, is_slippery=slippery))
    check_array(T, "T", shape=(n, 4, n), dtype=np.float64)
    check_array(R, "R", shape=(n, 4), dtype=np.float64)
    check_array(terminal, "terminal", shape=(n,), dtype=bool)
    check_close(T.sum(axis=2), np.ones((n, 4)), "T.sum(axis=2) (every row a probability distribution)",
                index_name="(state, action)")
    check(bool((T >= 0).all()), "T", "has negative entries")


def test_extract_model_terminal_flags(student):
    _, _, terminal = _model(student, lake("4x4"))
    got = sorted(int(s) for s in np.flatnonzero(terminal))
    check_equal(got, sorted((*HOLES_4X4, GOAL_4X4)), "states flagged terminal on the course 4x4 (those a "
                "transition flagged terminated leads into: the holes and the goal)")


def test_run_episode_stops_on_truncation(student):
    # Up from the start bumps into the top wall forever: only the time limit can end it.
    truncating = lake("4x4", max_episode_steps=3)
    out = student.probe("lake.run_episode_scripted", truncating, [UP], max_steps=10, seed=0)
    observations, actions, rewards = out["result"]
    check_equal(len(actions), 3, "run_episode with max_episode_steps=3 and max_steps=10: number of steps (an "
                "episode stops when a step returns terminated or truncated)",
                hint=HINTS["no_truncation"] if len(actions) == 10 and out["steps_after_truncation"] else None)
    check_equal(list(observations), [START_4X4] * 3, "observations")
    check_equal(len(rewards), 3, "len(rewards)")
    # Left from the start falls into hole 1 at once.
    out = student.probe("lake.run_episode_scripted", lake("4x4"), [LEFT], max_steps=10, seed=0)
    check_equal(len(out["result"][1]), 1, "run_episode walking into a hole: number of steps")
    # max_steps bounds the episode too.
    out = student.probe("lake.run_episode_scripted", lake("4x4"), [UP], max_steps=4, seed=0)
    check_equal(len(out["result"][1]), 4, "run_episode with max_steps=4: number of steps")
    check_equal(out["seen"], [START_4X4] * 4, "observations shown to the agent")


def _simulate(spec, policy, n_episodes, seed):
    """Oracle: Gymnasium itself, reset with seed + i, following the policy."""
    env = spec.make()
    goal = int(np.flatnonzero(env.unwrapped.desc.ravel() == b"G")[0])
    returns, successes = [], 0
    for i in range(n_episodes):
        state, _ = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            state, reward, terminated, truncated, _ = env.step(int(policy[state]))
            total += reward
            done = terminated or truncated
        returns.append(total)
        successes += int(terminated and state == goal)
    return float(np.mean(returns)), successes / n_episodes


def test_evaluate_policy_mc_seeded(student):
    spec = lake("4x4", is_slippery=True)
    policy = np.array([0, 0, 1, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 3, 3, 0], dtype=np.int64)
    out = student.probe("lake.evaluate_policy_mc_twice", spec, policy, 200, 123)
    mean_return, success_rate = out["first"]
    check_type(mean_return, float, "mean_return (a Python float)")
    check_type(success_rate, float, "success_rate (a Python float)")
    check_equal(out["second"], out["first"], "a second call with the same seed (episode i reset with seed + i)")
    check_close(np.asarray(out["policy_after"]), policy, "the policy after the call (must not be mutated)")
    want_return, want_success = _simulate(spec, policy, 200, 123)
    check_close(mean_return, want_return, "mean_return over 200 seeded episodes")
    check_close(success_rate, want_success, "success_rate over 200 seeded episodes")
