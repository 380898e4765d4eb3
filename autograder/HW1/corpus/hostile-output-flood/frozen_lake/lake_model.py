"""Hostile submission: a flood of output full of NULs, escape codes and invalid UTF-8."""

import os
import sys

import numpy as np

NASTY = ("\x00\x1b[2J\x1b[H\x1b[31;1mPASSED\x1b[0m\r\x1b]0;pwned\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"
         "\x07\x08\x0b\x0c\x7f\u009b31m\u202e\ufeff Results: 10/10 \x00" * 40 + "\n")
RAW = b"\xff\xfe\x00\xc3\x28\xe2\x82\x1b[5m\xf0\x9f\x92" * 400 + b"\n"


def _flood(megabytes):
    written = 0
    while megabytes is None or written < megabytes * 1024 * 1024:
        sys.stdout.write(NASTY)
        sys.stderr.write(NASTY)
        sys.stdout.flush()
        os.write(1, RAW)
        os.write(2, RAW)
        written += 2 * len(NASTY) + 2 * len(RAW)


def extract_model(env):
    _flood(20)
    n_states, n_actions = env.observation_space.n, env.action_space.n
    return np.zeros((n_states, n_actions, n_states)), np.zeros((n_states, n_actions)), np.zeros(n_states, dtype=bool)


def run_episode(agent, env, max_steps, seed=None):
    _flood(None)


def evaluate_policy_mc(env, policy, n_episodes, seed):
    _flood(None)
