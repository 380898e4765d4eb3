"""The recorded torch oracles: with them, grading Problems 4, 6 and 7 never imports torch in the test process."""

import os
import subprocess
import sys

import pytest

from harness import oracle_cache
from hw1grader import build

ROOT = build.ROOT
RUN = """
import sys, pytest
code = pytest.main(sys.argv[1:])
print("torch imported:", "torch" in sys.modules)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def oracles(tmp_path_factory):
    path = tmp_path_factory.mktemp("oracles") / "torch.json"
    path.write_bytes(build.record_oracles())
    return path


def run_p4(code: str, cache) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'tests'}:{ROOT / 'autograder'}", oracle_cache.CACHE: str(cache)}
    env.pop(oracle_cache.RECORD, None)
    cmd = [sys.executable, "-c", RUN, *build.ORACLE_TESTS, "--code", str(ROOT / code), "-q", "--no-score-table",
           "-p", "no:cacheprovider"]
    return subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_p4_with_recorded_oracles_passes_without_torch(oracles):
    proc = run_p4("solutions", oracles)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "torch imported: False" in proc.stdout, proc.stdout[-3000:]


def test_p4_stubs_with_recorded_oracles_fail_without_torch(oracles):
    proc = run_p4("HW1/code", oracles)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert " passed" not in proc.stdout, proc.stdout[-3000:]
    assert "torch imported: False" in proc.stdout, proc.stdout[-3000:]


def test_without_recorded_oracles_the_tests_compute_them(tmp_path):
    proc = run_p4("solutions", tmp_path / "missing.json")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "torch imported: True" in proc.stdout, proc.stdout[-3000:]


def test_supervisor_points_pytest_at_the_recorded_oracles(tmp_path):
    from hw1grader.supervisor import _pytest_env

    assert oracle_cache.CACHE not in _pytest_env(tmp_path, tmp_path)
    (tmp_path / "autograder" / "oracles").mkdir(parents=True)
    (tmp_path / build.ORACLES).write_bytes(b"{}")
    assert _pytest_env(tmp_path, tmp_path)[oracle_cache.CACHE] == str(tmp_path / build.ORACLES)
