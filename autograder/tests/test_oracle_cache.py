"""The recorded torch oracles: with them, grading the tests a homework's table lists in ``ORACLE_TESTS``
never imports torch in the test process; without them, the tests compute their oracles."""

import os
import subprocess
import sys

import pytest
from scratch import ROOT

from grader.release import build
from grader.submission.supervisor import _pytest_env
from harness import codec, oracle_cache
from harness import homework as homeworks

RUN = """
import sys, pytest
code = pytest.main(sys.argv[1:])
print("torch imported:", "torch" in sys.modules)
sys.exit(code)
"""


def run_oracle_tests(homework, code, cache) -> subprocess.CompletedProcess:
    root = homework.root
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "PYTEST_"))}
    env.update({"PYTHONPATH": f"{root / 'tests'}:{root / 'autograder'}", oracle_cache.CACHE: str(cache)})
    cmd = [sys.executable, "-c", RUN, *homework.table.ORACLE_TESTS, "--homework", homework.name, "--code", str(code),
           "-q", "--no-score-table", "-p", "no:cacheprovider"]
    return subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def oracles(project, tmp_path_factory):
    path = tmp_path_factory.mktemp("oracles") / "torch.json"
    path.write_bytes(build.record_oracles(project.second))
    return path


def test_recorded_oracles_are_the_values_the_tests_asked_for(oracles):
    values = codec.loads(oracles.read_bytes())
    assert len(values) == 3 and all(key.startswith("scale:") for key in values)
    assert sorted(values.values(), key=len) == [[], [3.0], [0.5, 1.0, 2.0]]


def test_oracle_tests_with_recorded_oracles_pass_without_torch(project, oracles):
    proc = run_oracle_tests(project.second, project.second.solutions, oracles)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "3 passed" in proc.stdout and "torch imported: False" in proc.stdout, proc.stdout[-3000:]


def test_stubs_with_recorded_oracles_fail_without_torch(project, oracles):
    proc = run_oracle_tests(project.second, project.second.code, oracles)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert " passed" not in proc.stdout, proc.stdout[-3000:]
    assert "torch imported: False" in proc.stdout, proc.stdout[-3000:]


def test_without_recorded_oracles_the_tests_compute_them(project, tmp_path):
    proc = run_oracle_tests(project.second, project.second.solutions, tmp_path / "missing.json")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "torch imported: True" in proc.stdout, proc.stdout[-3000:]


def test_a_homework_without_oracle_tests_records_nothing(project):
    assert build.record_oracles(project.template) is None


def test_cached_reads_recorded_values_and_computes_the_rest(tmp_path, monkeypatch):
    path = tmp_path / "torch.json"
    key = oracle_cache.key("f", [1.0, 2.0], gamma=0.5)
    assert key == oracle_cache.key("f", [1.0, 2.0], gamma=0.5) != oracle_cache.key("f", [1.0, 2.0], gamma=0.25)
    path.write_bytes(codec.dumps({key: [4.0]}))
    monkeypatch.setenv(oracle_cache.CACHE, str(path))
    monkeypatch.delenv(oracle_cache.RECORD, raising=False)
    monkeypatch.setattr(oracle_cache, "_values", None)
    assert oracle_cache.cached(key, lambda: pytest.fail("a recorded value was computed")) == [4.0]
    assert oracle_cache.cached("g:other", lambda: 7) == 7


def test_supervisor_points_pytest_at_the_recorded_oracles(tmp_path):
    assert oracle_cache.CACHE not in _pytest_env(tmp_path, tmp_path)
    (tmp_path / "autograder" / "oracles").mkdir(parents=True)
    (tmp_path / build.ORACLES).write_bytes(b"{}")
    assert _pytest_env(tmp_path, tmp_path)[oracle_cache.CACHE] == str(tmp_path / build.ORACLES)


COURSE_WITH_ORACLES = [name for name in homeworks.names(ROOT)
                       if getattr(homeworks.Homework(ROOT, name).table, "ORACLE_TESTS", ())]


@pytest.mark.course
@pytest.mark.parametrize("name", COURSE_WITH_ORACLES)
def test_each_course_homeworks_oracle_tests_pass_without_torch_once_recorded(name, tmp_path):
    """The oracles a course homework's table lists are all recorded: graded with them, its oracle tests
    pass on the reference and the test process never imports torch."""
    homework = homeworks.Homework(ROOT, name)
    cache = tmp_path / "torch.json"
    cache.write_bytes(build.record_oracles(homework))
    proc = run_oracle_tests(homework, homework.solutions, cache)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "torch imported: False" in proc.stdout, proc.stdout[-3000:]
