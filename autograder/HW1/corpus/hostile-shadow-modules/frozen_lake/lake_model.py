"""Hostile submission: relies on the planted numpy.py / gymnasium.py beside it to pass."""

import numpy as np


def extract_model(env):
    # With the planted numpy every comparison would be true; with the real one this is wrong.
    return np.zeros((1, 1, 1)), np.zeros((1, 1)), np.zeros(1, dtype=bool)


def run_episode(agent, env, max_steps, seed=None):
    return [0], [0], [99.0]


def evaluate_policy_mc(env, policy, n_episodes, seed):
    return 99.0, 99.0
