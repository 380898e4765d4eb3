"""Staff checks on the imitation-learning reference (not graded): why the extra credit needs memory.

A behaviour-cloning policy of the reference network trained on single (x, theta) frames of
5 expert episodes fails on the hidden seeds of the extra credit (mean return under 100; the
calibration script measures 8.6 to 41.8 over 200 training seeds). The graded test
``test_memory_agent_acts_on_history`` checks that the student's agent uses the history;
this is the reason it must. Runs in this process, on the reference solutions.
"""

import importlib
import importlib.util
import sys

import numpy as np
from cartpole import OBSERVED, expert_rule
from hw1 import HW1

from harness.modules import load_by_path

HIDDEN = HW1.hidden / "imitation" / "test_memory_agent_hidden.py"
SINGLE_FRAME_TRAIN_SEED = 5150
# The epochs behind the 8.6 to 41.8 above (the grader's BC_EPOCHS then); fixed here so that a
# change of BC_EPOCHS does not silently change what this check measures.
SINGLE_FRAME_EPOCHS = 30


def _hidden_module():
    return load_by_path(HIDDEN, "_hw1_hidden_memory_agent")


def _reference(name: str):
    """A solution module, imported in this process as the hidden tests' ``reference`` fixture does."""
    for folder in HW1.code_folders:
        for base in (HW1.code, HW1.solutions):
            path = str(base / folder)
            if path not in sys.path:
                sys.path.insert(0, path)
    return importlib.import_module(name)


def test_single_frame_reference_fails_on_hidden_seeds():
    import gymnasium
    import torch

    hidden = _hidden_module()
    bc = _reference("bc_dagger")
    env = gymnasium.make("CartPole-v1")
    frames, labels = [], []
    for i in range(5):
        obs, _ = env.reset(seed=SINGLE_FRAME_TRAIN_SEED + i)
        done = False
        while not done:
            action = int(expert_rule(obs))
            frames.append(np.asarray(obs, dtype=np.float32)[OBSERVED])
            labels.append(action)
            obs, _, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny network: extra threads only contend on a loaded box
    try:
        torch.manual_seed(SINGLE_FRAME_TRAIN_SEED)
        policy = bc.make_policy(obs_dim=2, n_actions=2)
        bc.train_bc(policy, np.asarray(frames), np.asarray(labels, dtype=np.int64), SINGLE_FRAME_EPOCHS,
                    seed=SINGLE_FRAME_TRAIN_SEED)
        returns = []
        for seed in hidden.HIDDEN_EVAL_SEEDS:
            obs, _ = env.reset(seed=seed)
            total, done = 0.0, False
            while not done:
                action = bc.act(policy, np.asarray(obs, np.float32)[OBSERVED])
                obs, reward, terminated, truncated, _ = env.step(action)
                total += reward
                done = terminated or truncated
            returns.append(total)
    finally:
        torch.set_num_threads(previous)
    single = float(np.mean(returns))
    assert single < 100.0, f"the single-frame reference reached {single:.1f} on the hidden seeds"


def test_train_seeds_check_reports_every_run(monkeypatch, capsys):
    """``python bc_dagger.py --train-seeds N --memory``: one line per learner and seed, exit 1 on a miss.

    Settings shrunk so that the learners fall short: every run is reported as losing points.
    """
    bc = _reference("bc_dagger")
    for name, value in (("BC_EPOCHS", 1), ("DAGGER_ITERATIONS", 1), ("DAGGER_EPOCHS", 1),
                        ("MEMORY_ITERATIONS", 1), ("MEMORY_UPDATES_PER_ITERATION", 2)):
        monkeypatch.setattr(bc, name, value)
    assert bc.main(["--train-seeds", "2", "--memory", "--eval-episodes", "2"]) == 1
    out = capsys.readouterr().out
    runs = [line for line in out.splitlines() if line.startswith("  training seed ")]
    assert len(runs) == 6, out  # BC, DAgger and the memory agent, on seeds 0 and 1
    assert all("would lose points" in line and "bar 475" in line for line in runs), out
    assert "0/6 runs at full credit" in out
