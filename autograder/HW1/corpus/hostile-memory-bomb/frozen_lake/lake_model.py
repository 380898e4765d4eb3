"""Hostile submission: a memory bomb (allocate and touch memory until something gives)."""

import numpy as np

HOARD = []


def _bomb():
    """Allocate and touch 64 MB at a time; on MemoryError keep everything and try again."""
    chunk = 64 * 1024 * 1024
    failures = 0
    while True:
        try:
            block = np.empty(chunk // 8)
            block.fill(1.0)  # touch every page
            HOARD.append(block)
            HOARD.append(bytearray(b"x" * chunk))
        except MemoryError:
            failures += 1
            if failures > 50:  # the cap holds: give up, still holding what was taken
                raise


def extract_model(env):
    _bomb()


def run_episode(agent, env, max_steps, seed=None):
    _bomb()


def evaluate_policy_mc(env, policy, n_episodes, seed):
    _bomb()
