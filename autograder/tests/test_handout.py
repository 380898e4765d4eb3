"""The student handout works as a student would use it, holds only its own homework, and leaks nothing.

Checked on the scratch project's second homework (two student files in two folders, a given file,
probes, an extra credit problem) and, for what a handout holds, on both of its homeworks; last, every
homework of the course: its handout, on its own, fails every graded problem on its stubs and passes
with the reference files.
"""

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from scratch import ROOT, SECOND, TEMPLATE

from grader.release import audit, build, handout
from harness import homework as homeworks
from harness.homework import Homework

TOPS = {"tests", "Makefile", "requirements.txt", "pyproject.toml"}


@pytest.fixture(scope="module")
def zips(project, tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    return {h.name: handout.build_handout(h, out / f"{h.name}-handout.zip") for h in (project.template, project.second)}


@pytest.fixture(scope="module")
def unpacked(zips, project, tmp_path_factory) -> Path:
    """The second homework's handout unzipped, with this checkout's venv standing in for `make install`."""
    out = tmp_path_factory.mktemp("handout")
    with zipfile.ZipFile(zips[SECOND]) as archive:
        archive.extractall(out)
    folder = out / handout.top(project.second)
    (folder / ".venv").symlink_to(ROOT / ".venv")
    os.utime(folder / "requirements.txt", (0, 0))  # older than the venv: `make` installs nothing
    return folder


def _copy(unpacked: Path, target: Path) -> Path:
    shutil.copytree(unpacked, target, symlinks=True)
    os.utime(target / "requirements.txt", (0, 0))
    return target


def _make(folder: Path, *targets: str, timeout: int = 600) -> subprocess.CompletedProcess:
    # A student's shell: nothing of the make (MAKEFLAGS carries HW=n) or pytest that runs this test.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "GRADER_", "PYTHONPATH", "MAKE", "MFLAGS"))}
    return subprocess.run(["make", "--no-print-directory", "-C", str(folder), *targets], env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_handout_paths(project, zips):
    assert handout.zip_path(project.second) == project.root / "dist" / f"{SECOND}-handout.zip"
    with zipfile.ZipFile(zips[SECOND]) as archive:
        assert {name.split("/", 1)[0] for name in archive.namelist()} == {f"{SECOND}-handout"}


@pytest.mark.parametrize("name", [TEMPLATE, SECOND])
def test_handout_holds_only_its_homework(project, zips, name):
    homework = project.template if name == TEMPLATE else project.second
    other = project.second if name == TEMPLATE else project.template
    with zipfile.ZipFile(zips[name]) as archive:
        names = [n.split("/", 1)[1] for n in archive.namelist()]
    assert {n.split("/", 1)[0] for n in names} == TOPS | {name}
    assert {n.split("/")[1] for n in names if n.startswith("tests/")} == {"harness", name}
    assert not [n for n in names if other.name in n.split("/")]
    other_files = {rel.rsplit("/", 1)[-1] for rel in [*other.student_files, *other.given_files]}
    assert not [n for n in names if n.rsplit("/", 1)[-1] in other_files]
    assert {f"{name}/code/{rel}" for rel in [*homework.student_files, *homework.given_files]} <= set(names)
    assert audit.audit_handout(zips[name], homework) == []


def test_handout_audit_catches_another_homeworks_files(project, zips, tmp_path):
    """The audit itself: a handout that carried the other homework's files would fail it."""
    with zipfile.ZipFile(zips[TEMPLATE]) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    top = handout.top(project.template)
    files[f"{top}/tests/{SECOND}/rubric.py"] = (project.second.tests / "rubric.py").read_bytes()
    files[f"{top}/{SECOND}/code/shapes/base.py"] = b"x = 1\n"
    bad = tmp_path / "bad.zip"
    build.write_zip(files, bad)
    problems = audit.audit_handout(bad, project.template)
    assert f"tests/{SECOND}/rubric.py: not this homework's tests" in problems
    assert f"{SECOND}/code/shapes/base.py: not allowed in the handout" in problems


def test_handout_holds_only_student_material(unpacked):
    tops = {p.name for p in unpacked.iterdir()} - {".venv"}
    assert tops == TOPS | {SECOND}
    assert not list(unpacked.rglob("*_hidden.py"))
    assert not (unpacked / "solutions").exists() and not (unpacked / "autograder").exists()
    table = (unpacked / "tests" / SECOND / "rubric.py").read_text()
    assert "hidden" not in table.lower().replace("hidden_visibility", "") and "autograder/" not in table


def _table(stdout: str) -> list[str]:
    """The score table: everything from its title line to the end of pytest's output."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("Score table"))
    return lines[start:]


def _rows(table: list[str]) -> list[str]:
    return [line for line in table if re.match(r"(\d+|EC) +\w", line)]


def test_handout_make_test_on_stubs_reports_zero_of_100(unpacked):
    result = _make(unpacked, "test")
    assert result.returncode != 0, result.stdout[-3000:] + result.stderr[-3000:]  # make: tests failed
    table = _table(result.stdout)
    assert "short test summary info" not in "\n".join(table)  # the table comes after pytest's -ra summary
    rows = _rows(table)
    assert [row.split()[0] for row in rows] == ["1"], table  # the extra credit only when asked
    assert all("not implemented yet" in row for row in rows), rows
    assert "0.0 / 60 public points of 100 (40 hidden)" in rows[0]
    assert any(line.startswith("Public tests run: 0.0 / 60 ") and f"{SECOND} is out of 100" in line
               for line in table), table
    assert any(line.startswith("Not run: EC") for line in table), table


def test_handout_make_test_one_problem_is_green(project, unpacked, tmp_path):
    """make test P=1 with Problem 1 done runs only its tests and exits 0, while the rest are stubs."""
    one = _copy(unpacked, tmp_path / "one")
    shutil.copyfile(project.second.solutions / "shapes/figures.py", one / SECOND / "code/shapes/figures.py")
    result = _make(one, "test", "P=1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = _rows(_table(result.stdout))
    assert len(rows) == 1 and rows[0].startswith("1 ") and "all passed" in rows[0], rows
    assert "60.0 / 60 public points of 100 (40 hidden)" in rows[0]


def test_handout_submit_lists_unfinished_functions_and_asks(project, unpacked, tmp_path):
    stubs = _copy(unpacked, tmp_path / "stubs")
    refused = _make(stubs, "submit")  # no terminal to answer: packs nothing
    assert refused.returncode != 0 and not (stubs / f"{SECOND}-submission.zip").exists()
    assert "shapes/figures.py (Problem 1): scale, min_max, spread, Rectangle.area" in refused.stdout
    assert "bonus/extra.py (Extra credit, optional): normalised" in refused.stdout
    assert "Shape.area" not in refused.stdout  # the given file's abstract method is no stub
    assert "FORCE=1" in refused.stdout
    forced = _make(stubs, "submit", "FORCE=1")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    with zipfile.ZipFile(stubs / f"{SECOND}-submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(project.second.student_files)


def test_handout_make_test_passes_with_reference_files(project, unpacked, tmp_path):
    filled = _copy(unpacked, tmp_path / "filled")
    for rel in project.second.student_files:
        shutil.copyfile(project.second.solutions / rel, filled / SECOND / "code" / rel)
    result = _make(filled, "test", "EC=1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = _rows(_table(result.stdout))
    assert [row.split()[0] for row in rows] == ["1", "EC"] and all("all passed" in row for row in rows), rows
    assert "10.0 / 10 public points of +10 extra (0 hidden)" in rows[1]
    submit = _make(filled, "submit")
    assert submit.returncode == 0, submit.stdout + submit.stderr
    with zipfile.ZipFile(filled / f"{SECOND}-submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(project.second.student_files)


def test_handout_submit_preflight_refuses_a_broken_file(unpacked, tmp_path):
    broken = _copy(unpacked, tmp_path / "broken")
    (broken / SECOND / "code/bonus/extra.py").write_text("def oops(:\n")
    result = _make(broken, "submit")
    assert result.returncode != 0
    assert "bonus/extra.py: does not import" in result.stdout
    assert not (broken / f"{SECOND}-submission.zip").exists()


def test_handout_make_help_lists_student_targets(unpacked):
    result = _make(unpacked, "help")
    for target in ("install", "test", "demo", "submit", "help"):
        assert f"make {target}" in result.stdout
    for variable in ("P=4", "EC=1", "DEBUG=1", "FORCE=1", "TORCH_INDEX="):
        assert variable in result.stdout, variable


# ------------------------------------------------------------------------ every homework of the course

COURSE = homeworks.names(ROOT)


@pytest.fixture(scope="module", params=COURSE)
def course_handout(request, tmp_path_factory) -> tuple[Homework, Path]:
    """A course homework's handout, unzipped, with this checkout's venv."""
    homework = Homework(ROOT, request.param)
    out = tmp_path_factory.mktemp(f"course-{homework.name}")
    zip_path = handout.build_handout(homework, out / "handout.zip")
    assert audit.audit_handout(zip_path, homework) == []
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(out)
    folder = out / handout.top(homework)
    (folder / ".venv").symlink_to(ROOT / ".venv")
    os.utime(folder / "requirements.txt", (0, 0))
    return homework, folder


@pytest.mark.course
def test_course_handout_on_its_stubs_scores_zero_on_every_graded_problem(course_handout):
    """Each homework's handout runs on its own: `make test` on the stubs it ships gives every graded problem
    a row, 0 points, all "not implemented yet" (the extra credit only when asked)."""
    homework, folder = course_handout
    result = _make(folder, "test")
    assert result.returncode != 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = _table(result.stdout)
    rows = _rows(table)
    graded = [p for p in homework.problems if not p.extra_credit]
    assert [row.split()[0] for row in rows] == [p.label for p in graded], rows
    assert all("not implemented yet" in row and " 0.0 / " in row for row in rows), rows
    public = sum(t.points for p in graded for t in homework.tests_table.get(p.number, []) if not t.hidden)
    total = sum(p.points for p in graded)
    assert any(line.startswith(f"Public tests run: 0.0 / {public:g} ") and f"{homework.name} is out of {total:g}"
               in line for line in table), table
    if len(graded) < len(homework.problems):
        assert any(line.startswith("Not run: EC") for line in table), table


@pytest.mark.course
def test_course_handout_passes_its_public_tests_with_the_reference(course_handout, tmp_path):
    """`make test` in the handout with the reference files: every graded problem passes, and `make submit`
    packs exactly the graded files without asking (only the extra credit may be unfinished)."""
    homework, folder = course_handout
    filled = _copy(folder, tmp_path / "filled")
    for rel in homework.student_files:
        shutil.copyfile(homework.solutions / rel, filled / homework.name / "code" / rel)
    result = _make(filled, "test", timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = _rows(_table(result.stdout))
    assert [row.split()[0] for row in rows] == [p.label for p in homework.problems if not p.extra_credit], rows
    assert all(row.endswith("all passed") for row in rows), rows
    submit = _make(filled, "submit")
    assert submit.returncode == 0, submit.stdout + submit.stderr
    with zipfile.ZipFile(filled / f"{homework.name}-submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(homework.student_files)


@pytest.mark.parametrize("text, word", [
    ("# that each corpus bug gets its hint and no other", "corpus"),
    ("the grader's own tests check that", "the grader's own tests"),
    ("the knock-out grader test checks that a broken function", "knock-out"),
    ("Calibration with the shipped EPOCHS = 200", "calibration"),
    ("EPOCHS: 200 is the calibrated value", "calibration"),
    ("see autograder/HW9/calibration/notes.md", "autograder/"),
])
def test_audit_flags_staff_only_words(text, word):
    assert word in audit.staff_mentions(text, set())


def test_audit_lets_student_wording_through():
    text = ("Measured by the course staff over 200 training seeds per design; the autograder drives "
            "the environment itself. The grader checks every case.")
    assert audit.staff_mentions(text, set()) == []


def test_handout_audit_fails_on_a_staff_word_in_a_shipped_comment(project, tmp_path):
    homework = project.template
    top = handout.top(homework)
    files = {f"{top}/{k}": v for k, v in handout.contents(homework).items()}
    test_file = next(k for k in files if k.startswith(f"{top}/tests/{homework.name}/") and "/test_" in k)
    files[test_file] += b"\n# the grader's own tests check that each corpus bug gets its hint\n"
    zip_path = tmp_path / "planted.zip"
    build.write_zip(files, zip_path)
    problems = audit.audit_handout(zip_path, homework)
    shown = test_file.split("/", 1)[1]
    assert f"{shown}: names 'corpus', which students do not receive" in problems, problems
    assert any("names \"the grader's own tests\"" in p for p in problems), problems
