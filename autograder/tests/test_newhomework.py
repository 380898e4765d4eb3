"""``make new-homework HW=n``: a small homework that works at once through the real autograder (the
reference scores full points, the stubs 0), passes every check ``make verify`` runs on a homework,
and never overwrites one that exists."""

import json
import subprocess

import pytest
from scratch import env_for, machinery

from grader.release import newhomework
from harness.homework import Homework

NAME = "HW5"


def _make(root, *args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(root), *args], capture_output=True, text=True,
                          env=env_for(root), timeout=timeout, stdin=subprocess.DEVNULL)


def _snapshot(root) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".venv" not in p.parts}


@pytest.fixture(scope="module")
def fresh(scratch_dir):
    """A project with the machinery only, then ``make new-homework HW=5``."""
    root = machinery(scratch_dir("fresh") / "course")
    made = _make(root, "new-homework", "HW=5")
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"{NAME} is ready" in made.stdout
    return root


def test_new_homework_writes_the_four_folders_of_a_homework(fresh):
    homework = Homework(fresh, NAME)
    assert sorted(p.name for p in fresh.iterdir() if p.name.startswith("HW")) == [NAME]
    for folder in (homework.code, homework.tests, homework.hidden, homework.solutions, homework.staff / "corpus"):
        assert folder.is_dir(), folder
    assert homework.student_files and homework.problems and homework.tests_table
    for rel in homework.student_files:
        assert (homework.code / rel).is_file() and (homework.solutions / rel).is_file()
        assert "raise NotImplementedError" in (homework.code / rel).read_text()
    written = [p for p in fresh.rglob("*") if NAME in p.relative_to(fresh).parts]
    assert not [p for p in written if "HWn" in p.name]  # the template's placeholders are all filled in
    assert not [p for p in written if p.is_file() and ("{{" in p.read_text() or "HWn" in p.read_text())]


def test_new_homework_grades_full_for_the_reference_and_zero_for_the_stubs(fresh):
    reference = _make(fresh, "grade", "HW=5", "RESULTS=results/reference.json")
    assert reference.returncode == 0, reference.stdout[-3000:] + reference.stderr[-3000:]
    doc = json.loads((fresh / "results" / "reference.json").read_text())
    assert doc["score"] == 100 and all(t["score"] == t["max_score"] for t in doc["tests"])
    stubs = _make(fresh, "grade", "HW=5", f"SUBMISSION={NAME}/code", "RESULTS=results/stubs.json")
    assert stubs.returncode == 0, stubs.stdout[-3000:] + stubs.stderr[-3000:]
    doc = json.loads((fresh / "results" / "stubs.json").read_text())
    assert doc["score"] == 0 and len(doc["tests"]) > 1
    assert all("not implemented yet" in t["output"] for t in doc["tests"] if t["max_score"]), doc["tests"]


def test_new_homework_passes_the_checks_of_make_verify(fresh):
    """Stubs, audits, the tests on the solutions and on the stubs, then its corpus."""
    checks = _make(fresh, "verify-homework", "HW=5")
    assert checks.returncode == 0, checks.stdout[-3000:] + checks.stderr[-3000:]
    assert f"audit handout {NAME}: clean" in checks.stdout and f"audit drift {NAME}: clean" in checks.stdout
    corpus = _make(fresh, "corpus", "HW=5")
    assert corpus.returncode == 0, corpus.stdout[-3000:] + corpus.stderr[-3000:]
    assert f"corpus {NAME}: 3/3 entries as expected" in corpus.stdout


def test_new_homework_never_overwrites(fresh):
    before = _snapshot(fresh)
    again = _make(fresh, "new-homework", "HW=5")
    assert again.returncode != 0
    assert f"{NAME} exists already" in again.stderr and "nothing was written" in again.stderr
    assert _snapshot(fresh) == before


def test_create_refuses_a_partly_present_homework_and_a_bad_name(tmp_path):
    (tmp_path / "solutions" / "HW6").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="HW6 exists already \\(solutions/HW6\\); nothing was written"):
        newhomework.create(tmp_path, "HW6")
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == ["solutions", "solutions/HW6"]
    with pytest.raises(ValueError, match="HW followed by its number"):
        newhomework.create(tmp_path, "homework6")
