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
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_handout_holds_only_student_material(unpacked):
    tops = {p.name for p in unpacked.iterdir()} - {".venv"}
    assert tops == {"HW1", "tests", "Makefile", "requirements.txt", "pyproject.toml"}
    assert not list(unpacked.rglob("*_hidden.py"))
    assert not (unpacked / "solutions").exists() and not (unpacked / "autograder").exists()


def _table(stdout: str) -> list[str]:
    """The score table: everything from its title line to the end of pytest's output."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("Score table"))
    return lines[start:]


def test_handout_make_test_on_stubs_reports_zero_of_100(unpacked):
    result = _make(unpacked, "test")
    assert result.returncode != 0, result.stdout[-3000:] + result.stderr[-3000:]  # make: tests failed
    table = _table(result.stdout)
    assert "short test summary info" not in "\n".join(table)  # the table comes after pytest's -ra summary
    rows = [line for line in table if re.match(r"\d   \w", line)]
    assert [row[0] for row in rows] == list("123456"), table  # the extra credit only when asked
    assert all("not implemented yet" in row for row in rows), rows
    assert "0.0 / 7 public points of 10 (3 hidden)" in rows[0]
    assert any(line.startswith("Public tests run: 0.0 / ") and "HW1 is out of 100" in line for line in table), table
    assert any(line.startswith("Not run: EC") for line in table), table


def test_handout_make_test_one_problem_is_green(unpacked, tmp_path):
    """make test P=1 with Problem 1 done runs only its tests and exits 0, while the rest are stubs."""
    one = tmp_path / "one"
    shutil.copytree(unpacked, one, symlinks=True)
    shutil.copyfile(ROOT / "solutions/frozen_lake/lake_model.py", one / "HW1/code/frozen_lake/lake_model.py")
    result = _make(one, "test", "P=1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = [line for line in _table(result.stdout) if re.match(r"(\d|EC) ", line)]
    assert len(rows) == 1 and rows[0].startswith("1 ") and "all passed" in rows[0], rows
    assert "7.0 / 7 public points of 10 (3 hidden)" in rows[0]


def test_handout_submit_lists_unfinished_functions_and_asks(unpacked, tmp_path):
    stubs = tmp_path / "stubs"
    shutil.copytree(unpacked, stubs, symlinks=True)
    refused = _make(stubs, "submit")  # no terminal to answer: packs nothing
    assert refused.returncode != 0 and not (stubs / "HW1-submission.zip").exists()
    assert "frozen_lake/lake_model.py (Problem 1): extract_model, run_episode, evaluate_policy_mc" in refused.stdout
    assert "FORCE=1" in refused.stdout
    forced = _make(stubs, "submit", "FORCE=1")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    with zipfile.ZipFile(stubs / "HW1-submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(STUDENT_FILES)


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
    for variable in ("P=4", "EC=1", "DEBUG=1", "FORCE=1", "TORCH_INDEX="):
        assert variable in result.stdout, variable


@pytest.mark.parametrize("text, word", [
    ("# that each corpus bug gets its hint and no other", "corpus"),
    ("the grader's own tests check that", "the grader's own tests"),
    ("the knock-out grader test checks that a broken function", "knock-out"),
    ("Calibration with the shipped BC_EPOCHS = 200", "calibration"),
    ("BC_EPOCHS: 200 is the calibrated value", "calibration"),
    ("see autograder/calibration/imitation-calibration.md", "autograder/"),
])
def test_audit_flags_staff_only_words(text, word):
    assert word in audit.staff_mentions(text, set())


def test_audit_lets_student_wording_through():
    text = ("Measured by the course staff over 200 training seeds per design; the autograder drives "
            "CartPole itself. The grader checks every case.")
    assert audit.staff_mentions(text, set()) == []


def test_handout_audit_fails_on_a_staff_word_in_a_shipped_comment(tmp_path):
    files = {f"{handout.TOP}/{k}": v for k, v in handout.contents().items()}
    name = f"{handout.TOP}/tests/frozen_lake/test_dynamic_programming.py"
    files[name] += b"\n# the grader's own tests check that each corpus bug gets its hint\n"
    zip_path = tmp_path / "planted.zip"
    build.write_zip(files, zip_path)
    problems = audit.audit_handout(zip_path)
    assert "tests/frozen_lake/test_dynamic_programming.py: names 'corpus', which students do not receive" in problems
    assert any("names \"the grader's own tests\"" in p for p in problems), problems
