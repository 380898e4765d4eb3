"""The autograder zip: Gradescope's shape, reproducible bytes, a complete manifest, and only what grading
one homework needs (its own files, the given files but no stubs, the per-submission part of the grading
package: no staff tools, no other homework)."""

import json
import zipfile

import pytest
from scratch import SECOND, TEMPLATE

from grader.release import build

# The machinery every homework's zip holds, beside the homework's own folders.
MACHINERY_FILES = {"setup.sh", "run_autograder", "requirements.txt", "pyproject.toml", "manifest.json",
                   "autograder/grader/__init__.py"}
MACHINERY_TREES = ("tests/harness/", "autograder/grader/submission/")


@pytest.fixture(scope="module")
def zips(project, tmp_path_factory):
    """Each scratch homework's zip, built twice: ``{name: (first, second)}``."""
    out = tmp_path_factory.mktemp("zips")
    built = {}
    for homework in (project.template, project.second):
        first = build.build(homework, out / f"{homework.name}-a.zip")
        second = build.build(homework, out / f"{homework.name}-b.zip")
        built[homework.name] = (first, second)
    return built


def _names(path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def test_build_writes_dist_homework_zip_by_default(project):
    assert build.zip_path(project.template) == project.root / "dist" / f"{TEMPLATE}-autograder.zip"


@pytest.mark.parametrize("name", [TEMPLATE, SECOND])
def test_build_zip_is_reproducible(zips, name):
    first, second = zips[name]
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("name", [TEMPLATE, SECOND])
def test_build_zip_has_gradescope_entry_points_at_its_root(zips, name):
    with zipfile.ZipFile(zips[name][0]) as archive:
        names = set(archive.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "manifest.json"} <= names
    assert set(build.EXECUTABLES) == {"setup.sh", "run_autograder"}
    assert all(modes[name] == 0o755 for name in build.EXECUTABLES)
    assert {mode for name, mode in modes.items() if name not in build.EXECUTABLES} == {0o644}


@pytest.mark.parametrize("name", [TEMPLATE, SECOND])
def test_build_zip_holds_only_its_homework_and_the_grading_of_submissions(project, zips, name):
    homework = project.template if name == TEMPLATE else project.second
    other = project.second if name == TEMPLATE else project.template
    names = _names(zips[name][0])
    own = (f"tests/{name}/", f"autograder/{name}/hidden/", f"solutions/{name}/", f"{name}/code/")
    strays = sorted(n for n in names if n not in MACHINERY_FILES and n != build.ORACLES
                    and not n.startswith(MACHINERY_TREES + own))
    assert strays == []
    grader = {n.split("/")[2] for n in names if n.startswith("autograder/grader/")}
    assert grader == {"__init__.py", "submission"}  # no release, quality, operations or bench code
    assert not [n for n in names if other.name in n.split("/")]
    other_files = {rel.rsplit("/", 1)[-1] for rel in [*other.student_files, *other.given_files]}
    assert not [n for n in names if n.rsplit("/", 1)[-1] in other_files]
    assert {f"tests/{name}/rubric.py", "tests/harness/worker.py",
            "autograder/grader/submission/supervisor.py"} <= names
    assert {n for n in names if n.startswith(f"autograder/{name}/")} == {
        homework.rel(p) for p in homework.hidden.rglob("*") if p.is_file()}


def test_build_zip_holds_given_files_but_no_stubs(project, zips):
    second = project.second
    names = _names(zips[SECOND][0])
    assert {f"{SECOND}/code/{rel}" for rel in second.given_files} <= names
    assert not {f"{SECOND}/code/{rel}" for rel in second.student_files} & names
    assert {f"solutions/{SECOND}/{rel}" for rel in second.student_files} <= names
    assert not [n for n in _names(zips[TEMPLATE][0]) if n.startswith(f"{TEMPLATE}/code/")]  # it has no given file


def test_build_records_the_oracles_of_the_tests_the_table_names(project, zips):
    """Only a homework whose table lists ``ORACLE_TESTS`` carries recorded oracles."""
    assert build.ORACLES not in _names(zips[TEMPLATE][0])
    with zipfile.ZipFile(zips[SECOND][0]) as archive:
        from harness import codec

        values = codec.loads(archive.read(build.ORACLES))
    assert sorted(values) and all(key.startswith("scale:") for key in values)


@pytest.mark.parametrize("name", [TEMPLATE, SECOND])
def test_build_manifest_lists_every_table_test_with_its_cases(project, zips, name):
    homework = project.template if name == TEMPLATE else project.second
    with zipfile.ZipFile(zips[name][0]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["homework"] == name
    assert manifest["student_files"] == list(homework.student_files)
    listed = [t.node for tests in homework.tests_table.values() for t in tests]
    assert [t["node"] for t in manifest["tests"]] == listed
    assert all(t["cases"] for t in manifest["tests"])
    numbers = [t["number"] for t in manifest["tests"]]
    assert len(set(numbers)) == len(numbers)
    for problem in homework.problems:
        points = sum(t["points"] for t in manifest["tests"] if t["problem"] == problem.number)
        assert points == pytest.approx(problem.points), f"Problem {problem.number} tests sum to {points}"
    hidden = [t for t in manifest["tests"] if t["path"].startswith("autograder/")]
    assert hidden and all(t["visibility"] == homework.hidden_visibility for t in hidden)
