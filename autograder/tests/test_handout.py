"""The student handout works as a student would use it, and leaks nothing."""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from harness.layout import STUDENT_FILES
from hw1grader import audit, build, handout

ROOT = build.ROOT


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    """The handout unzipped, with this checkout's venv standing in for `make install`."""
    out = tmp_path_factory.mktemp("handout")
    zip_path = out / "HW1-handout.zip"
    build.write_zip({f"{handout.TOP}/{k}": v for k, v in handout.contents().items()}, zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(out)
    folder = out / handout.TOP
    (folder / ".venv").symlink_to(ROOT / ".venv")
    assert audit.audit_handout(zip_path) == []
    return folder


def _make(folder: Path, *targets: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(folder), *targets],
                          capture_output=True, text=True, timeout=timeout)


def test_handout_holds_only_student_material(unpacked):
    tops = {p.name for p in unpacked.iterdir()} - {".venv"}
    assert tops == {"HW1", "tests", "Makefile", "requirements.txt", "pyproject.toml"}
    assert not list(unpacked.rglob("*_hidden.py"))
    assert not (unpacked / "solutions").exists() and not (unpacked / "autograder").exists()


def test_handout_make_test_on_stubs_reports_zero_of_100(unpacked):
    result = _make(unpacked, "test")
    assert result.returncode != 0, result.stdout[-3000:] + result.stderr[-3000:]  # make: tests failed
    assert "Score from these tests: 0.0 / 100." in result.stdout
    rows = [line for line in result.stdout.splitlines() if re.match(r"\d  \w", line)]
    assert len(rows) >= 6 and all("not implemented yet" in row for row in rows), rows


def test_handout_make_test_passes_with_reference_files(unpacked, tmp_path):
    filled = tmp_path / "filled"
    shutil.copytree(unpacked, filled, symlinks=True)
    for rel in STUDENT_FILES:
        shutil.copyfile(ROOT / "solutions" / rel, filled / "HW1" / "code" / rel)
    result = _make(filled, "test")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    submit = _make(filled, "submit")
    assert submit.returncode == 0, submit.stdout + submit.stderr
    with zipfile.ZipFile(filled / "HW1-submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(STUDENT_FILES)


def test_handout_submit_preflight_refuses_a_broken_file(unpacked, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(unpacked, broken, symlinks=True)
    (broken / "HW1/code/bandits/agents.py").write_text("def oops(:\n")
    result = _make(broken, "submit")
    assert result.returncode != 0
    assert "bandits/agents.py: does not import" in result.stdout
    assert not (broken / "HW1-submission.zip").exists()


def test_handout_make_help_lists_student_targets(unpacked):
    result = _make(unpacked, "help")
    for target in ("install", "test", "demo", "submit", "help"):
        assert f"make {target}" in result.stdout
