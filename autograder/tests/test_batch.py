"""The class batch's parts that need no grading: reading exports, the result cache, judging a run,
the CSV files and report.html (rendered in headless Chromium when the browser is installed)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from grader.operations import batch, classreport, export, grade

METADATA_YML = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2026-01-28 09:18:41.123456000 -08:00
  :score: 9.5
  :status: processed
  :results:
    score: 9.5
    tests:
    - number: '1.1'
      score: 1.5
    - number: '1.2'
      score: 0.0
  :history:
  - :created_at: 2026-01-27 10:00:00.000000000 -08:00
    :score: 4.0
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: '1002'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '1003'
    :email: grace@example.edu
  :created_at: 2026-01-29 11:00:00.000000000 -08:00
  :score: 7.0
  :status: processed
submission_103:
  :submitters:
  - :name: Nora Nofiles
    :sid: '1004'
    :email: nora@example.edu
  :created_at: 2026-01-29 12:00:00.000000000 -08:00
"""


def _export(tmp_path: Path) -> Path:
    root = tmp_path / "assignment_77_export"
    (root / "submission_101" / "part_a").mkdir(parents=True)
    (root / "submission_101" / "part_a" / "model.py").write_text("x = 1\n")
    (root / "submission_102").mkdir()
    (root / "submission_102" / "HW3-submission.zip").write_bytes(b"zip bytes as uploaded")
    (root / "submission_555").mkdir()  # not in the metadata
    (root / "submission_555" / "a.py").write_text("")
    (root / "submission_metadata.yml").write_text(METADATA_YML)
    return root


def test_export_reads_gradescope_metadata_with_ruby_symbol_keys(tmp_path):
    loaded = export.load(_export(tmp_path))
    assert loaded.kind == "gradescope"
    assert [s.id for s in loaded.submissions] == ["101", "102", "103"]
    ada, group, nora = loaded.submissions
    assert ada.submitters == [export.Submitter("Ada Lovelace", "1001", "ada@example.edu")]
    assert ada.files == {"part_a/model.py": b"x = 1\n"}
    assert ada.recorded_score == 9.5 and ada.recorded_tests == {"1.1": 1.5, "1.2": 0.0}
    assert ada.created_at == "2026-01-28T09:18:41.123456-08:00"
    assert ada.history == [{"created_at": "2026-01-27T10:00:00-08:00", "score": 4.0}]
    assert [p.sid for p in group.submitters] == ["1002", "1003"]
    assert group.recorded_score == 7.0 and group.recorded_tests is None
    assert group.files == {"HW3-submission.zip": b"zip bytes as uploaded"}
    assert nora.files == {} and "no folder submission_103/" in nora.note
    assert any("submission_555/: not named in submission_metadata.yml" in p for p in loaded.problems)
    assert any("submission_103" in p and "no files" in p for p in loaded.problems)


def test_submission_metadata_is_titled_with_the_homework(tmp_path):
    ada = export.load(_export(tmp_path)).submissions[0]
    meta = ada.metadata("HW3")
    assert meta["assignment"]["title"] == "HW3" and meta["id"] == 101
    assert [u["name"] for u in meta["users"]] == ["Ada Lovelace"]
    assert grade.metadata("HW3")["assignment"]["title"] == "HW3"


def test_export_zipped_reads_the_same_submissions(tmp_path):
    root = _export(tmp_path / "unpacked")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(root.parent).as_posix())
    unpacked, zipped = export.load(root), export.load(archive)
    assert [(s.id, s.digest, s.submitters) for s in zipped.submissions] == \
           [(s.id, s.digest, s.submitters) for s in unpacked.submissions]
    assert zipped.kind == "gradescope"


def test_export_plain_folder_reports_each_bad_input_and_keeps_the_rest(tmp_path):
    (tmp_path / "alice" / "part_b").mkdir(parents=True)
    (tmp_path / "alice" / "part_b" / "agents.py").write_text("pass\n")
    with zipfile.ZipFile(tmp_path / "bob.zip", "w") as out:
        out.writestr("part_a/model.py", "pass\n")
    (tmp_path / "carol.zip").write_bytes(b"PK\x03\x04 truncated")
    with zipfile.ZipFile(tmp_path / "dave.zip", "w"):
        pass
    with zipfile.ZipFile(tmp_path / "alice.zip", "w") as out:
        out.writestr("x.py", "")
    (tmp_path / "notes.txt").write_text("hello")
    loaded = export.load(tmp_path)
    assert loaded.kind == "folder"
    by_id = {s.id: s for s in loaded.submissions}
    assert set(by_id) == {"alice", "bob", "carol", "dave"}
    assert by_id["alice"].files == {"part_b/agents.py": b"pass\n"}
    assert set(by_id["bob"].files) == {"bob.zip"}
    assert by_id["carol"].files == {} and "not a readable zip" in by_id["carol"].note
    assert by_id["dave"].files == {} and "empty" in by_id["dave"].note
    text = "\n".join(loaded.problems)
    assert "alice.zip: duplicate id 'alice'" in text
    assert "notes.txt: neither a folder nor a zip" in text


def test_export_zip_of_a_class_folder_reads_its_students(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as student_zip:
        student_zip.writestr("part_b/agents.py", "pass\n")
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as out:
        out.writestr("class/alice/part_a/model.py", "x = 1\n")
        out.writestr("class/bob.zip", inner.getvalue())
    loaded = export.load(tmp_path / "class.zip")
    assert loaded.kind == "folder" and loaded.problems == []
    assert [(s.id, sorted(s.files)) for s in loaded.submissions] == [
        ("alice", ["part_a/model.py"]), ("bob", ["bob.zip"])]


def test_export_without_metadata_grades_the_folders_and_says_so(tmp_path):
    root = tmp_path / "assignment_9_export"
    (root / "submission_7").mkdir(parents=True)
    (root / "submission_7" / "a.py").write_text("")
    loaded = export.load(tmp_path)
    assert [s.id for s in loaded.submissions] == ["submission_7"]
    assert any("no submission_metadata.yml" in p for p in loaded.problems)


def test_export_unreadable_input_is_an_input_error(tmp_path):
    with pytest.raises(export.InputError, match="does not exist"):
        export.load(tmp_path / "nothing")
    (tmp_path / "x.zip").write_bytes(b"garbage")
    with pytest.raises(export.InputError, match="neither a folder nor a zip"):
        export.load(tmp_path / "x.zip")


def _sub(sub_id: str = "1", data: bytes = b"a") -> export.Submission:
    return export.Submission(sub_id, {"part_a/model.py": data})


def test_plan_reuses_a_record_only_for_the_same_files_autograder_and_options(tmp_path):
    options = batch.Options("zipdigest", "1", None)
    sub = _sub()
    batch.save_record(tmp_path, sub, options, {"status": batch.GRADED, "results": {}, "error": ""})
    done, todo = batch.plan(tmp_path, [sub], options)
    assert list(done) == ["1"] and todo == []
    for changed_sub, changed_options in [(_sub(data=b"b"), options), (sub, batch.Options("other", "1", None)),
                                         (sub, batch.Options("zipdigest", "", None)),
                                         (sub, batch.Options("zipdigest", "1", 30.0))]:
        done, todo = batch.plan(tmp_path, [changed_sub], changed_options)
        assert done == {} and todo == [changed_sub]
    assert batch.plan(tmp_path, [sub], options, force=True)[1] == [sub]


def test_plan_retries_grader_errors_only_when_asked_and_records_empty_submissions(tmp_path):
    options = batch.Options("zipdigest", "", None)
    sub = _sub()
    batch.save_record(tmp_path, sub, options, {"status": batch.GRADER_ERROR, "results": None, "error": "boom"})
    assert batch.plan(tmp_path, [sub], options)[1] == []
    assert batch.plan(tmp_path, [sub], options, retry_errors=True)[1] == [sub]
    empty = export.Submission("2", {}, note="the zip is empty")
    done, todo = batch.plan(tmp_path, [empty], options)
    assert todo == [] and done["2"]["status"] == batch.NO_FILES
    assert json.loads((tmp_path / "results" / "2.json").read_text())["error"] == "the zip is empty"


VALID = json.dumps({"score": 1.0, "tests": [{"number": "1.1", "score": 1.0, "max_score": 1.0}]})


@pytest.mark.parametrize(("run", "status", "message"), [
    (grade.Run(VALID, 0, "", "", 1.0), batch.GRADED, ""),
    (grade.Run(None, None, "", "", 99.0, timed_out=True), batch.GRADER_ERROR, "ran past its 90 s limit"),
    (grade.Run(None, 1, "", "", 1.0), batch.GRADER_ERROR, "no results.json"),
    (grade.Run("{not json", 0, "", "", 1.0), batch.GRADER_ERROR, "not valid JSON"),
    (grade.Run(json.dumps({"score": "high"}), 0, "", "", 1.0), batch.GRADER_ERROR, "schema"),
    (grade.Run(VALID, 1, "", "Traceback\nValueError: x", 1.0), batch.GRADER_ERROR, "exited with status 1"),
], ids=["graded", "hung", "no-results", "invalid-json", "invalid-schema", "crashed"])
def test_judge_turns_every_broken_run_into_a_grader_error(run, status, message):
    got, error, _ = batch.judge(run, 90.0)
    assert got == status
    assert message in error


MANIFEST = {
    "homework": "HW3",
    "problems": [{"number": 1, "title": "One", "points": 3, "extra_credit": False},
                 {"number": 2, "title": "Two", "points": 2, "extra_credit": False},
                 {"number": 7, "title": "Extra", "points": 1, "extra_credit": True}],
    "tests": [{"number": "1.1", "name": "a", "points": 1, "problem": 1},
              {"number": "1.2", "name": "b", "points": 2, "problem": 1},
              {"number": "2.1", "name": "c", "points": 2, "problem": 2},
              {"number": "7.1", "name": "d", "points": 1, "problem": 7}],
}


def _doc(scores: dict[str, float]) -> dict:
    tests = [{"number": n, "score": s, "max_score": 1} for n, s in scores.items()]
    return {"score": sum(scores.values()), "tests": [{"number": "0.1", "score": 0, "max_score": 0}, *tests]}


def _class() -> tuple[export.Export, dict[str, dict]]:
    group = [export.Submitter("Alan", "2", "a@x"), export.Submitter("Grace", "3", "g@x")]
    subs = [
        export.Submission("10", {"f": b"1"}, [export.Submitter("Ada", "1", "ada@x")], recorded_score=6.0,
                          recorded_tests={"1.1": 1, "1.2": 2, "2.1": 2, "7.1": 1}),
        export.Submission("11", {"f": b"2"}, group, recorded_score=3.0),
        export.Submission("12", {"f": b"3"}, [export.Submitter("Eve", "4", "e@x")], recorded_score=5.0),
        export.Submission("13", {}, [export.Submitter("Nora", "5", "n@x")], note="no folder"),
    ]
    records = {
        "10": {"status": "graded", "results": _doc({"1.1": 1, "1.2": 0, "2.1": 2, "7.1": 1}), "error": ""},
        "11": {"status": "graded", "results": _doc({"1.1": 1, "1.2": 2, "2.1": 0, "7.1": 0}), "error": ""},
        "12": {"status": "grader error", "results": None, "error": "the grading ran past its 90 s limit",
               "log": "<script>alert(1)</script>"},
        "13": {"status": "no files", "results": None, "error": "no folder"},
    }
    return export.Export("class", "gradescope", subs, ["submission_99/: not named"]), records


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_class_files_have_a_row_per_submitter_and_regrade_changes_by_size(tmp_path):
    loaded, records = _class()
    written = classreport.write_all(tmp_path, loaded, records, MANIFEST, "", "abc")
    assert [p.name for p in written] == ["grades.csv", "tests.csv", "changes.csv", "report.html"]
    grades = _read_csv(tmp_path / "grades.csv")
    assert [(r["submission_id"], r["sid"], r["total"], r["status"]) for r in grades] == [
        ("10", "1", "4", "graded"), ("11", "2", "3", "graded"), ("11", "3", "3", "graded"),
        ("12", "4", "", "grader error"), ("13", "5", "0", "no files")]
    assert (grades[0]["problem_1"], grades[0]["problem_2"], grades[0]["extra_credit"]) == ("1", "2", "1")
    assert grades[3]["problem_1"] == "" and grades[4]["problem_1"] == "0"
    assert "ran past" in grades[3]["note"]
    tests = _read_csv(tmp_path / "tests.csv")
    assert len(tests) == 2 * 4 and {r["submission_id"] for r in tests} == {"10", "11"}
    changes = _read_csv(tmp_path / "changes.csv")
    # 10: recorded 6, now 4 (test 1.2 lost 2); 11: recorded 3, now 3 (no per-test record): no change.
    assert [(r["submission_id"], r["old_total"], r["new_total"], r["delta"], r["changed_tests"]) for r in changes] \
        == [("10", "6", "4", "-2", "1.2")]
    page = (tmp_path / "report.html").read_text()
    assert "http://" not in page and "https://" not in page and "<script>" not in page
    assert "<h1>HW3 class report</h1>" in page  # the manifest's homework
    assert page.count("data:image/png;base64,") == 3


def test_changes_compare_only_the_graded_problems(tmp_path):
    loaded, records = _class()
    grades = classreport.ClassGrades(loaded, records, MANIFEST, "1")
    rows = grades.changes()
    assert [(r["sub"].id, r["old"], r["new"], r["tests"]) for r in rows] == [("10", 3, 1, ["1.2"])]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(tmp_path):
    """The page renders offline: its text is in the DOM and its embedded plots are drawn (the
    histogram's bar colour appears in the screenshot)."""
    import matplotlib.image

    loaded, records = _class()
    classreport.write_all(tmp_path, loaded, records, MANIFEST)
    url = (tmp_path / "report.html").as_uri()
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for text in ("HW3 class report", "Tests students struggle with", "Regrade changes", "Grader errors",
                 "ran past its 90 s limit", "submission_99/: not named"):
        assert text in dom.stdout
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,1600", url], capture_output=True,
                   timeout=120, check=True)
    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round()
    histogram_blue = ((abs(pixels[..., 0] - 0x3B) < 6) & (abs(pixels[..., 1] - 0x6E) < 6)
                      & (abs(pixels[..., 2] - 0xA8) < 6))
    assert histogram_blue.sum() > 500


def test_the_autograder_zip_lands_on_a_worker_once_and_only_with_its_digest():
    data = b"the autograder zip"
    digest = batch.sha256(data)
    path = batch._install_autograder(data, digest)
    assert path.read_bytes() == data
    assert batch._install_autograder(data, digest) == path  # the second task reuses it
    with pytest.raises(RuntimeError, match="damaged"):
        batch._install_autograder(b"the autograder zip, cut", batch.sha256(b"something else"))
    shutil.rmtree(path.parent)
