"""A synthetic class in Gradescope's export layout, from a homework's corpus:
``python -m grader.operations.synthetic --homework HWn --help``.

Test data without real students for :mod:`grader.operations.batch`. :func:`gradescope_export`
writes ``assignment_<id>_export/`` with ``submission_metadata.yml`` (Ruby-symbol keys, as
Gradescope writes them) and one ``submission_<id>/`` folder per submission, built from corpus
entries with :func:`grader.quality.corpus.build_submission`. The class is the homework's own
(:func:`classes`): typically correct, buggy and hostile submissions, one with a missing file, a
group submission, one whose upload is a corrupt zip and a metadata entry without a folder; every
export also has a folder the metadata does not name.

Its recorded scores are made up, not graded: full marks on every test (0 for the stubs), with
deliberate differences for some submissions (a test recorded lower, a total with no per-test
results), so that a regrade against them has changes to show. :func:`plain_folder` writes the
other accepted input, one sub-folder per student.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shutil
import sys
import zipfile
from pathlib import Path

import yaml

from grader.quality import corpus
from grader.submission import manifest
from harness.homework import Homework, add_homework_argument, chosen_homework

ASSIGNMENT_ID = 4242
CORRUPT_ZIP = b"PK\x03\x04 this upload was cut short \x00\x01\x02"
CLASSES = "classes.json"  # in autograder/HWn/: the homework's synthetic classes (see :func:`classes`)


@dataclasses.dataclass(frozen=True)
class Student:
    """One submission of the synthetic class.

    ``entry``: a corpus entry, or ``"corrupt-zip"`` (the upload is a damaged zip) or ``""`` (no
    folder at all). ``recorded``: ``"full"``, ``"zero"``, ``"lower:<test>"`` (full but that test
    recorded at 0), ``"total:<points>"`` (a total without per-test results) or ``""`` (none).
    """

    id: int
    entry: str
    submitters: tuple[tuple[str, str], ...]  # (name, sid)
    recorded: str = "full"


def classes(homework: Homework) -> dict:
    """The homework's synthetic classes, ``autograder/HWn/classes.json``: ``"synthetic"`` (the students of
    :func:`gradescope_export`, each ``{"id", "entry", "submitters": [[name, sid], ...], "recorded"}``) and
    ``"bench"`` (student id -> entry, the plain folder ``make bench-batch`` grades). Without the file:
    one student per corpus entry, and the first eight entries for the bench."""
    path = homework.staff / CLASSES
    if path.is_file():
        return json.loads(path.read_text())
    names = [entry.name for entry in corpus.entries(homework)]
    return {"synthetic": [{"id": 501 + i, "entry": name, "submitters": [[f"Student {i + 1}", str(1001 + i)]],
                           "recorded": "zero" if name == "stubs-zero" else "full"} for i, name in enumerate(names)],
            "bench": {f"s{i + 1}-{name}": name for i, name in enumerate(names[:8])}}


def class_of(homework: Homework) -> tuple[Student, ...]:
    """The synthetic class of ``homework`` (:func:`classes`)."""
    return tuple(Student(int(s["id"]), s["entry"], tuple(tuple(x) for x in s["submitters"]), s.get("recorded", "full"))
                 for s in classes(homework)["synthetic"])


UNNAMED_FOLDER = "submission_999"  # a folder the metadata does not name


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.edu"


def _recorded_results(policy: str, tests: list[dict]) -> tuple[float | None, dict | None]:
    if not policy:
        return None, None
    if policy.startswith("total:"):
        return float(policy.split(":", 1)[1]), None
    lowered = policy.split(":", 1)[1] if policy.startswith("lower:") else None
    entries = []
    for test in tests:
        score = 0.0 if policy == "zero" or test["number"] == lowered else float(test["points"])
        entries.append({"number": test["number"], "name": test["name"], "score": score,
                        "max_score": float(test["points"])})
    total = round(sum(t["score"] for t in entries), 4)
    return total, {"score": total, "tests": entries}


def _fill(homework: Homework, student: Student, folder: Path) -> None:
    if student.entry == "corrupt-zip":
        folder.mkdir(parents=True)
        (folder / f"{homework.name}-submission.zip").write_bytes(CORRUPT_ZIP)
        return
    corpus.build_submission(corpus.folder(homework) / student.entry, folder)


def gradescope_export(target: Path, homework: Homework, students: tuple[Student, ...] | None = None,
                      zipped: bool = False, unnamed_folder: bool = True, tests: list[dict] | None = None) -> Path:
    """Write the export of ``students`` (default: the homework's class) under ``target``; return its folder
    (or the zip, with ``zipped``).

    ``tests`` (manifest entries) number the recorded results; default: the homework's manifest.
    """
    students = class_of(homework) if students is None else students
    if tests is None and any(s.recorded for s in students):
        tests = manifest.build(homework)["tests"]
    root = target / f"assignment_{ASSIGNMENT_ID}_export"
    root.mkdir(parents=True)
    meta = {}
    base = datetime.datetime(2026, 1, 30, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    for i, student in enumerate(students):
        created = base + datetime.timedelta(minutes=7 * i)
        score, recorded = _recorded_results(student.recorded, tests or [])
        info: dict = {":submitters": [{":name": n, ":sid": sid, ":email": _email(n)} for n, sid in student.submitters],
                      ":created_at": created, ":status": "processed"}
        if score is not None:
            info[":score"] = score
            info[":history"] = [{":created_at": created - datetime.timedelta(days=1), ":score": round(score / 2, 2)}]
        if recorded is not None:
            info[":results"] = recorded
        meta[f"submission_{student.id}"] = info
        if student.entry:
            _fill(homework, student, root / f"submission_{student.id}")
    if unnamed_folder:
        _fill(homework, Student(999, "solutions-full", ()), root / UNNAMED_FOLDER)
    (root / "submission_metadata.yml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))
    if not zipped:
        return root
    archive = target / f"assignment_{ASSIGNMENT_ID}_export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(target).as_posix())
    shutil.rmtree(root)
    return archive


def plain_folder(target: Path, entries: dict[str, str], homework: Homework) -> Path:
    """One sub-folder per student (``{student id: corpus entry}``) under ``target``; returns ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for sub_id, entry in entries.items():
        corpus.build_submission(corpus.folder(homework) / entry, target / sub_id)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.operations.synthetic", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the export into (must not exist)")
    parser.add_argument("--zip", action="store_true", help="write the export as one zip, as Gradescope downloads it")
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"--out {args.out} exists; choose a new folder")
    homework = chosen_homework(parser, corpus.ROOT, args.homework)
    args.out.mkdir(parents=True)
    path = gradescope_export(args.out, homework, zipped=args.zip)
    students = class_of(homework)
    print(f"wrote {path}: {len(students)} submissions in the metadata, folder {UNNAMED_FOLDER} not in it")
    print(json.dumps({s.id: s.entry or "(no folder)" for s in students}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

