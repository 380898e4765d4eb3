"""Hostile submission: a hang that ignores SIGALRM (and every polite signal)."""

import signal

for _sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(_sig, signal.SIG_IGN)
signal.setitimer(signal.ITIMER_REAL, 0)


def _spin():
    while True:
        pass


def extract_model(env):
    _spin()


def run_episode(agent, env, max_steps, seed=None):
    _spin()


def evaluate_policy_mc(env, policy, n_episodes, seed):
    _spin()
