"""Hostile submission: sys.exit at import time."""

import sys

print("exiting with status 0 before the grader can check anything", flush=True)
sys.exit(0)


def extract_model(env):
    raise SystemExit(0)


def run_episode(agent, env, max_steps, seed=None):
    raise KeyboardInterrupt


def evaluate_policy_mc(env, policy, n_episodes, seed):
    raise SystemExit(0)
