"""Hostile submission: import the reference solution and re-export its functions.

Looks for ``solutions/HW1/frozen_lake/lake_model.py`` (the staff copy in the autograder
source, a checkout of the course repository, anywhere readable), loads it by path and
uses its functions. If no copy can be read, every function raises.
"""

import importlib.util
import os
import time

HERE = os.path.realpath(__file__)
SKIP = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/boot", "/run", "/snap", "/etc"}


def _candidates(deadline):
    yield "/autograder/source/solutions/HW1/frozen_lake/lake_model.py"
    for top in ("/autograder", "/tmp", "/work", "/home", "/root", "/opt", "/srv", "/"):
        for dirpath, dirnames, filenames in os.walk(top):
            if time.monotonic() > deadline:
                return
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in SKIP
                           and d not in ("site-packages", "dist-packages", ".git", "__pycache__", "node_modules")]
            if "lake_model.py" in filenames and dirpath.endswith("frozen_lake") and "solution" in dirpath:
                yield os.path.join(dirpath, "lake_model.py")


def _load():
    for path in _candidates(time.monotonic() + 8):
        if os.path.realpath(path) == HERE:
            continue
        try:
            spec = importlib.util.spec_from_file_location("_reference_lake_model", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except (OSError, ImportError, SyntaxError) as exc:
            print(f"could not load {path}: {exc}", flush=True)
            continue
        print(f"LEAK: imported the reference from {path}", flush=True)
        return module
    print("no readable reference solution found", flush=True)
    return None


_REFERENCE = _load()


def extract_model(env):
    if _REFERENCE is None:
        raise RuntimeError("no reference solution to copy")
    return _REFERENCE.extract_model(env)


def run_episode(agent, env, max_steps, seed=None):
    if _REFERENCE is None:
        raise RuntimeError("no reference solution to copy")
    return _REFERENCE.run_episode(agent, env, max_steps, seed=seed)


def evaluate_policy_mc(env, policy, n_episodes, seed):
    if _REFERENCE is None:
        raise RuntimeError("no reference solution to copy")
    return _REFERENCE.evaluate_policy_mc(env, policy, n_episodes, seed)
