"""The autograder zip: Gradescope's shape, no stubs, reproducible bytes, a complete manifest."""

import json
import zipfile

import pytest

from harness.layout import GIVEN_FILES, STUDENT_FILES
from hw1grader import build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("zip")
    files = build.contents()
    first, second = out / "a.zip", out / "b.zip"
    build.write_zip(files, first, executables=("setup.sh", "run_autograder"))
    build.write_zip(build.contents(), second, executables=("setup.sh", "run_autograder"))
    return first, second


def test_build_zip_is_reproducible(built):
    first, second = built
    assert first.read_bytes() == second.read_bytes()


def test_build_zip_has_gradescope_entry_points_at_its_root(built):
    with zipfile.ZipFile(built[0]) as archive:
        names = set(archive.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "manifest.json"} <= names
    assert modes["setup.sh"] == 0o755 and modes["run_autograder"] == 0o755


def test_build_zip_holds_given_files_but_no_stubs(built):
    with zipfile.ZipFile(built[0]) as archive:
        names = set(archive.namelist())
    assert {f"HW1/code/{rel}" for rel in GIVEN_FILES} <= names
    assert not {f"HW1/code/{rel}" for rel in STUDENT_FILES} & names
    assert {f"solutions/{rel}" for rel in STUDENT_FILES} <= names


def test_build_manifest_lists_every_rubric_test_with_its_cases(built):
    with zipfile.ZipFile(built[0]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    import rubric

    listed = [t.node for tests in rubric.TESTS.values() for t in tests]
    assert [t["node"] for t in manifest["tests"]] == listed
    assert all(t["cases"] for t in manifest["tests"])
    numbers = [t["number"] for t in manifest["tests"]]
    assert len(set(numbers)) == len(numbers)
    for problem in rubric.PROBLEMS:
        points = sum(t["points"] for t in manifest["tests"] if t["problem"] == problem.number)
        assert points == pytest.approx(problem.points), f"Problem {problem.number} tests sum to {points}"
