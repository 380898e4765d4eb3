"""Submission discovery: only the graded files, found flat, nested or zipped, within bounds.

Discovery takes the graded files as an argument: these tests use files of their own.
"""

import io
import os
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from grader.submission import discovery
from grader.submission.discovery import discover

# The graded files (as in HWn/code) and their problems.
STUDENT_FILES = {"alpha/model.py": 1, "beta/agents.py": 2, "beta/nets.py": 3, "gamma/nets_tf.py": 3}

NAMES = {Path(rel).name: rel for rel in STUDENT_FILES}


def _write(folder: Path, rel: str, text: str = "") -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text or f"# {rel}\n")
    return path


def _zip(path: Path, members: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _run(tmp_path: Path, submission: Path | None = None):
    target = tmp_path / "target"
    found = discover(submission or tmp_path / "submission", target, STUDENT_FILES)
    return found, target


def test_discovery_flat_layout(tmp_path):
    for name in NAMES:
        _write(tmp_path / "submission", name, f"# flat {name}\n")
    found, target = _run(tmp_path)
    assert found.missing == [] and set(found.found) == set(STUDENT_FILES)
    for name, rel in NAMES.items():
        assert found.found[rel] == name
        assert (target / rel).read_text() == f"# flat {name}\n"


def test_discovery_nested_layout(tmp_path):
    for rel in STUDENT_FILES:
        _write(tmp_path / "submission", f"HW3/code/{rel}")
    found, target = _run(tmp_path)
    assert found.missing == []
    assert found.found["beta/agents.py"] == "HW3/code/beta/agents.py"
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*.py")) == sorted(STUDENT_FILES)


def test_discovery_reads_a_zip_submission(tmp_path):
    members = {f"HW3/code/{rel}": f"# zipped {rel}\n" for rel in STUDENT_FILES}
    archive = _zip(tmp_path / "submission" / "hw3.zip", members)
    found, target = _run(tmp_path)
    assert found.missing == []
    assert found.found["alpha/model.py"] == "hw3.zip/HW3/code/alpha/model.py"
    assert (target / "alpha/model.py").read_text() == "# zipped alpha/model.py\n"
    found, _ = _run(tmp_path, archive)  # the zip itself as the submission
    assert found.missing == []


def test_discovery_duplicates_prefer_the_homework_layout_then_the_shallowest(tmp_path):
    sub = tmp_path / "submission"
    _write(sub, "old/backup/model.py", "# backup\n")
    _write(sub, "model.py", "# flat\n")
    _write(sub, "HW3/code/alpha/model.py", "# nested\n")
    _write(sub, "x/alpha/model.py", "# shallower nested\n")
    found, target = _run(tmp_path)
    assert found.found["alpha/model.py"] == "x/alpha/model.py"
    assert (target / "alpha/model.py").read_text() == "# shallower nested\n"
    assert any("4 files named model.py" in note for note in found.notes)


def test_discovery_misnamed_file_is_missing_with_a_hint(tmp_path):
    _write(tmp_path / "submission", "alpha/model (1).py")
    _write(tmp_path / "submission", "beta/agents.py")
    found, target = _run(tmp_path)
    assert "alpha/model.py" in found.missing and "beta/agents.py" not in found.missing
    assert not (target / "alpha/model.py").exists()
    assert any("model (1).py" in note and "rename it to model.py" in note for note in found.notes)
    report = found.report()
    assert "MISSING  alpha/model.py" in report and "found    beta/agents.py" in report


def test_discovery_takes_the_graded_files_it_is_given_and_nothing_else(tmp_path):
    """The same upload graded for two homeworks: each takes its own files and ignores the other's."""
    for rel in [*STUDENT_FILES, "delta/other.py"]:
        _write(tmp_path / "submission", rel)
    first = discover(tmp_path / "submission", tmp_path / "first", STUDENT_FILES)
    second = discover(tmp_path / "submission", tmp_path / "second", {"delta/other.py": 1})
    assert first.expected == tuple(STUDENT_FILES) and set(first.found) == set(STUDENT_FILES)
    assert "delta/other.py" in first.ignored
    assert second.expected == ("delta/other.py",) and list(second.found) == ["delta/other.py"]
    assert set(second.ignored) == set(STUDENT_FILES)
    assert sorted(p.relative_to(tmp_path / "second").as_posix() for p in (tmp_path / "second").rglob("*.py")) == [
        "delta/other.py"]


def test_discovery_missing_submission_folder_misses_everything(tmp_path):
    found, _ = _run(tmp_path, tmp_path / "nothing-here")
    assert found.missing == list(STUDENT_FILES)


@pytest.mark.parametrize(
    "planted",
    ["conftest.py", "pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml", "sitecustomize.py", "usercustomize.py",
     "zz.pth", "numpy.py", "torch.py", "harness/checks.py", "rubric.py", "alpha/conftest.py"],
)
def test_discovery_ignores_planted_files(tmp_path, planted):
    _write(tmp_path / "submission", planted, "raise SystemExit('planted')\n")
    _write(tmp_path / "submission", "alpha/model.py")
    found, target = _run(tmp_path)
    assert planted in found.ignored
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == ["model.py"]
    if Path(planted).name in discovery.RISKY or planted.endswith(".pth"):
        assert any("ignored on purpose" in note and Path(planted).name in note for note in found.notes)


def test_discovery_skips_files_over_the_size_bound(tmp_path):
    big = _write(tmp_path / "submission", "alpha/model.py")
    with open(big, "ab") as handle:
        handle.truncate(discovery.MAX_FILE_BYTES + 1)
    found, _ = _run(tmp_path)
    assert "alpha/model.py" in found.missing
    assert any("over" in note and "skipped" in note for note in found.notes)


def test_discovery_skips_zip_members_over_the_size_bound(tmp_path):
    _zip(tmp_path / "submission" / "a.zip", {"model.py": b"#" * (discovery.MAX_FILE_BYTES + 1),
                                            "agents.py": b"# ok\n"})
    found, _ = _run(tmp_path)
    assert "alpha/model.py" in found.missing and "beta/agents.py" not in found.missing


def test_discovery_stops_at_the_total_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "MAX_TOTAL_BYTES", 1000)
    _zip(tmp_path / "submission" / "a.zip", {"filler.bin": b"\0" * 900, "model.py": b"#" * 200})
    found, _ = _run(tmp_path)
    assert "alpha/model.py" in found.missing
    assert any("too large" in note for note in found.notes)


def test_discovery_looks_at_a_bounded_number_of_files(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "MAX_FILES", 10)
    for i in range(20):
        _write(tmp_path / "submission", f"junk/{i:02}.txt")
    found, _ = _run(tmp_path)
    assert len(found.ignored) <= 10
    assert any("only the first 10 files" in note for note in found.notes)


def test_discovery_does_not_follow_symlinks(tmp_path):
    secret = _write(tmp_path / "outside", "alpha/model.py", "# someone else's file\n")
    sub = tmp_path / "submission"
    sub.mkdir()
    os.symlink(secret, sub / "model.py")
    os.symlink(secret.parent, sub / "alpha")
    found, target = _run(tmp_path)
    assert "alpha/model.py" in found.missing
    assert not (target / "alpha/model.py").exists()


def test_discovery_skips_symlink_members_of_a_zip(tmp_path):
    path = tmp_path / "submission" / "a.zip"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        link = zipfile.ZipInfo("alpha/model.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/autograder/source/solutions/alpha/model.py")
    found, _ = _run(tmp_path)
    assert "alpha/model.py" in found.missing


def _patch_member(data: bytearray, name: str, patch) -> None:
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name)
    central = data.index(b"PK\x01\x02")  # the first central directory entry
    while data[central + 46:central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    patch(data, info, info.header_offset, central)


def test_discovery_survives_damaged_and_hostile_zip_members(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("corrupt.bin", b"A" * 10000)
        archive.writestr("unsupported.bin", b"method 98")
        archive.writestr("liar.bin", b"\0" * 100000)
        archive.writestr("alpha/model.py", "# after the bad members\n")
    data = bytearray(buffer.getvalue())

    def trash(data, info, local, central):
        name_len, extra_len = struct.unpack("<HH", data[local + 26:local + 30])
        start = local + 30 + name_len + extra_len
        data[start:start + info.compress_size] = b"\xff" * info.compress_size

    def unsupported(data, info, local, central):
        struct.pack_into("<H", data, local + 8, 98)
        struct.pack_into("<H", data, central + 10, 98)

    def lie(data, info, local, central):
        struct.pack_into("<I", data, local + 22, 10)
        struct.pack_into("<I", data, central + 24, 10)

    for name, patch in (("corrupt.bin", trash), ("unsupported.bin", unsupported), ("liar.bin", lie)):
        _patch_member(data, name, patch)
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "hw.zip").write_bytes(bytes(data))
    found, target = _run(tmp_path)
    assert found.found["alpha/model.py"] == "hw.zip/alpha/model.py"
    assert (target / "alpha/model.py").read_text() == "# after the bad members\n"
    skipped = [note for note in found.notes if "could not be read" in note]
    assert len(skipped) == 3, found.notes


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x05\x06" + b"\xff" * 18, b"PK\x03\x04" * 100])
def test_discovery_reports_a_broken_zip_without_failing(tmp_path, content):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "broken.zip").write_bytes(content)
    _write(tmp_path / "submission", "model.py")
    found, _ = _run(tmp_path)
    assert found.found["alpha/model.py"] == "model.py"
    assert any("broken.zip could not be opened as a zip" in note for note in found.notes)


def test_discovery_refuses_a_zip_with_an_oversized_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "MAX_CENTRAL_DIRECTORY", 4096)
    _zip(tmp_path / "submission" / "many.zip", {f"m/{i:05}.txt": b"" for i in range(200)} | {"model.py": b"#"})
    found, _ = _run(tmp_path)
    assert "alpha/model.py" in found.missing
    assert any("too many members" in note for note in found.notes)


def test_discovery_bounds_the_members_of_a_zip(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "MAX_FILES", 50)
    _zip(tmp_path / "submission" / "many.zip", {f"m/{i:05}.txt": b"" for i in range(120)})
    found, _ = _run(tmp_path)
    assert len(found.ignored) <= 50
    assert any("only the first 50 members" in note for note in found.notes)


def test_discovery_ignores_macos_metadata(tmp_path):
    _write(tmp_path / "submission", "__MACOSX/alpha/model.py")
    _zip(tmp_path / "submission" / "a.zip", {"__MACOSX/._model.py": b"\0\5\26\7", "beta/agents.py": b"#"})
    found, _ = _run(tmp_path)
    assert "alpha/model.py" in found.missing and "beta/agents.py" not in found.missing


def test_discovery_handles_file_names_that_are_not_utf8(tmp_path):
    sub = tmp_path / "submission"
    sub.mkdir()
    (sub / os.fsdecode(b"\xff\xfe\x1b[31mevil.py")).write_text("x")
    _write(sub, "alpha/model.py")
    found, _ = _run(tmp_path)
    assert found.found["alpha/model.py"] == "alpha/model.py"
    assert len(found.ignored) == 1
    found.report()  # builds, whatever the names hold
