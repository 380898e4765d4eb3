"""A homework as the machinery sees it (``harness.homework``), and how a run picks its homework: the
pytest plugin's ``--homework`` (or the one its test paths belong to) and the Makefile's ``HW=n``."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from scratch import ROOT, SECOND, TEMPLATE

from harness import homework as homeworks
from harness.homework import Homework, UnknownHomework


def _table(root: Path, name: str, text: str = 'STUDENT_FILES = {"a/one.py": 1}\nPROBLEMS = []\nTESTS = {}\n') -> None:
    path = root / "tests" / name / "rubric.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_names_are_the_folders_with_a_table_in_number_order(tmp_path):
    for name in ("HW10", "HW9", "HW2"):
        _table(tmp_path, name)
    (tmp_path / "tests" / "HW4").mkdir()  # no table: not a homework
    _table(tmp_path, "HWx")  # not a homework's name
    (tmp_path / "tests" / "harness").mkdir()
    assert homeworks.names(tmp_path) == ["HW2", "HW9", "HW10"]
    assert homeworks.names(tmp_path / "nothing") == []


def test_resolve_takes_a_number_or_a_name_and_lists_the_homeworks_otherwise(project):
    root = project.root
    number = SECOND.removeprefix("HW")
    for wanted in (number, int(number), SECOND, SECOND.lower()):
        assert homeworks.resolve(root, wanted) == SECOND
    with pytest.raises(UnknownHomework, match=rf"no homework '7' here; the homeworks are {TEMPLATE}, {SECOND}$"):
        homeworks.resolve(root, "7")
    with pytest.raises(UnknownHomework, match=rf"choose a homework \({TEMPLATE}, {SECOND}\)"):
        homeworks.resolve(root, None)
    with pytest.raises(UnknownHomework, match="the homeworks are HW90, HW100"):
        Homework(root, "HW3")


def test_resolve_without_a_name_takes_the_only_homework(tmp_path):
    _table(tmp_path, "HW5")
    assert homeworks.resolve(tmp_path, None) == homeworks.resolve(tmp_path, "") == "HW5"
    with pytest.raises(UnknownHomework, match="the homeworks are none"):
        homeworks.resolve(tmp_path / "empty", "1")


@pytest.mark.parametrize(("path", "expected"), [
    (f"tests/{TEMPLATE}/warmup/test_returns.py", TEMPLATE),
    (f"tests/{TEMPLATE}", TEMPLATE),
    (f"autograder/{SECOND}/hidden/shapes/test_figures_hidden.py", SECOND),
    (f"{SECOND}/code/shapes", SECOND),
    (f"autograder/{SECOND}/corpus/stubs-zero", None),  # staff files, not graded tests
    (f"autograder/{SECOND}/tests", None),
    ("tests/harness/worker.py", None),
    ("tests/HW5/test_x.py", None),  # no such homework
    ("../elsewhere/tests/HW90/x.py", None),
], ids=lambda v: str(v))
def test_from_path_names_the_homework_of_graded_tests_and_code(project, path, expected):
    assert homeworks.from_path(project.root, path) == expected
    assert homeworks.from_path(project.root, project.root / path) == expected


def test_homework_reads_its_folders_and_its_table(project):
    second = project.second
    root = project.root
    assert repr(second) == f"Homework('{SECOND}')"
    assert (second.code, second.tests, second.staff, second.hidden, second.solutions) == (
        root / SECOND / "code", root / "tests" / SECOND, root / "autograder" / SECOND,
        root / "autograder" / SECOND / "hidden", root / "solutions" / SECOND)
    assert second.rel(second.hidden) == f"autograder/{SECOND}/hidden"
    assert second.student_files == {"shapes/figures.py": 1, "bonus/extra.py": 2}
    assert second.given_files == ("shapes/base.py",)
    assert second.code_folders == ("shapes", "bonus")
    assert second.modules == {"figures": "shapes/figures.py", "extra": "bonus/extra.py"}
    assert [(p.number, p.label, p.stub_label) for p in second.problems] == [
        (1, "1", "Problem 1"), (2, "EC", "Extra credit")]
    assert second.calls == {"normalised": ("scale", "spread")} and second.returns == {"min_max": ("low", "high")}
    assert second.hidden_visibility == "after_published"
    assert second.problem_of("bonus/extra.py").number == 2
    assert set(second.displays) == {"shapes.area_of"}
    entries = second.entries()
    numbers = {node: number for node, (_, _, number) in entries.items()}
    assert numbers[f"tests/{SECOND}/shapes/test_figures.py::test_scale"] == "1.1"
    assert numbers[f"autograder/{SECOND}/hidden/shapes/test_figures_hidden.py::test_spread_matches_reference"] == "1.5"
    assert numbers[f"tests/{SECOND}/bonus/test_extra.py::test_normalised"] == "2.1"
    hidden = [test for _, test, _ in entries.values() if test.hidden]
    assert [t.path for t in hidden] == [f"autograder/{SECOND}/hidden/shapes/test_figures_hidden.py"]
    template = project.template
    assert template.given_files == () and template.calls == {} and template.returns == {}


def test_tables_of_same_named_homeworks_of_two_projects_stay_apart(tmp_path):
    """Homework HWn of one project and HWn of another, in one process: each reads its own table."""
    _table(tmp_path / "a", "HW3", 'STUDENT_FILES = {"a/one.py": 1}\nPROBLEMS = []\nTESTS = {}\n')
    _table(tmp_path / "b", "HW3", 'STUDENT_FILES = {"b/two.py": 1}\nPROBLEMS = []\nTESTS = {}\n')
    assert Homework(tmp_path / "a", "HW3").student_files == {"a/one.py": 1}
    assert Homework(tmp_path / "b", "HW3").student_files == {"b/two.py": 1}


def test_support_files_are_what_the_worker_may_import(project):
    tests = project.second.tests
    (tests / "conftest.py").write_text("")
    try:
        found = [p.relative_to(tests).as_posix() for p in homeworks.support_files(tests)]
    finally:
        (tests / "conftest.py").unlink()
    assert found == ["probes/__init__.py", "probes/shapes.py"]
    template = project.template.tests
    assert [p.relative_to(template).as_posix() for p in homeworks.support_files(template)] == ["probes/__init__.py"]


# ------------------------------------------------------------------------------ choosing the homework


def _pytest(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider", "--no-score-table"],
                          cwd=project.root, env=project.env(), capture_output=True, text=True, timeout=300)


def test_plugin_infers_the_homework_of_the_test_paths(project):
    """Two homeworks in the project: each run without ``--homework`` grades the one its paths name."""
    public = _pytest(project, f"tests/{TEMPLATE}", "--code", f"solutions/{TEMPLATE}", "-q")
    assert public.returncode == 0 and "4 passed" in public.stdout, public.stdout[-2000:] + public.stderr[-2000:]
    hidden = _pytest(project, f"autograder/{SECOND}/hidden", "--code", f"solutions/{SECOND}", "-q")
    assert hidden.returncode == 0 and "2 passed" in hidden.stdout, hidden.stdout[-2000:] + hidden.stderr[-2000:]
    code = _pytest(project, f"tests/{SECOND}/shapes", "--code", f"{SECOND}/code", "-q")  # the stubs
    assert code.returncode == 1 and "7 failed" in code.stdout, code.stdout[-2000:]


def test_plugin_refuses_tests_of_two_homeworks_in_one_run(project):
    both = _pytest(project, f"tests/{TEMPLATE}", f"tests/{SECOND}", "-q")
    assert both.returncode == 4, both.stdout[-2000:] + both.stderr[-2000:]
    assert f"tests of several homeworks ({SECOND}, {TEMPLATE}) in one run" in both.stdout + both.stderr


def test_plugin_names_the_homeworks_when_asked_for_another(project):
    wrong = _pytest(project, f"tests/{TEMPLATE}", "--homework", "HW7", "-q")
    assert wrong.returncode == 4
    assert f"--homework: no homework 'HW7' here; the homeworks are {TEMPLATE}, {SECOND}" in wrong.stdout + wrong.stderr


def test_plugin_problems_graded_leaves_out_the_extra_credit(project):
    graded = _pytest(project, f"tests/{SECOND}", "--code", f"solutions/{SECOND}", "--problems", "graded", "-q")
    assert graded.returncode == 0 and "7 passed, 1 deselected" in graded.stdout, graded.stdout[-2000:]
    extra = _pytest(project, f"tests/{SECOND}", "--code", f"solutions/{SECOND}", "--problems", "EC", "-q")
    assert extra.returncode == 0 and "1 passed, 7 deselected" in extra.stdout, extra.stdout[-2000:]


def test_makefile_names_the_homeworks_when_hw_is_not_one(project):
    made = subprocess.run(["make", "--no-print-directory", "-C", str(project.root), "test", "HW=7"],
                          capture_output=True, text=True, env=project.env(), timeout=120)
    assert made.returncode != 0
    assert "HW=7: there is no homework HW7; the homeworks are" in made.stderr
    assert TEMPLATE in made.stderr and SECOND in made.stderr


# ------------------------------------------------------------------ every homework of the course

MACHINERY_FOLDERS = {"grader", "gradescope", "handout", "tests", "docs"}
PROSE = ("README.md", "autograder/docs/")  # the guides name the course's homeworks as worked examples


def _tracked_files(root: Path) -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return listed.stdout.splitlines()


@pytest.mark.course
@pytest.mark.parametrize("name", homeworks.names(ROOT))
def test_course_homework_content_lives_only_in_its_folders(name):
    """A course homework's files and packages are named only inside its four folders (``HWn/``,
    ``solutions/HWn/``, ``tests/HWn/``, ``autograder/HWn/``): no machinery file names them, and
    ``autograder/`` holds nothing but the machinery and the homeworks' staff folders (a corpus entry
    left in ``autograder/corpus/`` would never be graded)."""
    homework = Homework(ROOT, name)
    course = set(homeworks.names(ROOT))
    assert {p.name for p in (ROOT / "autograder").iterdir() if p.is_dir()} <= MACHINERY_FOLDERS | course
    mine = (f"{name}/", f"solutions/{name}/", f"tests/{name}/", f"autograder/{name}/")
    others = tuple(f"{top}{other}/" for other in course for top in ("", "solutions/", "tests/", "autograder/"))
    files = [*homework.student_files, *homework.given_files]
    needles = {*files, *{f"{rel.split('/')[0]}/" for rel in files if "/" in rel}}
    found = []
    for rel in _tracked_files(ROOT):
        if rel.startswith(mine + others + PROSE) or not (ROOT / rel).is_file():
            continue
        text = (ROOT / rel).read_text(errors="replace")
        found += [f"{rel}: {needle}" for needle in sorted(needles) if needle in text]
    assert found == []
