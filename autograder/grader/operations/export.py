"""Read a class's submissions: a Gradescope export (zipped or not) or a plain folder.

:func:`load` accepts

* a Gradescope "Download submissions" export: a folder ``assignment_<id>_export/`` (or a zip
  holding it, or the folder's own contents) with ``submission_metadata.yml`` and one folder
  ``submission_<id>/`` per submission. The YAML maps each folder name to Ruby-symbol keys
  (``:submitters:`` with ``:name:``/``:sid:``/``:email:``, ``:created_at:``, ``:score:``,
  ``:status:``, ``:results:``, ``:history:``); PyYAML reads them as strings starting with ``:``;
* a plain folder with one sub-folder or zip per student, whose name (without ``.zip``) is the id.

Every file is read into memory (:class:`Submission` ``files``), so grading needs no shared
filesystem; a submitted zip stays a zip (the autograder's discovery unpacks it, with its limits).
Bad input never stops the others: a folder the metadata does not name, an empty or corrupt zip,
a duplicate id, unreadable metadata each add a line to :attr:`Export.problems` and lose only
what they touch. Only an input with nothing to read at all raises :class:`InputError`.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
import tempfile
import zipfile
from pathlib import Path

import yaml

METADATA = "submission_metadata.yml"
MAX_SUBMISSION_BYTES = 64 * 1024 * 1024  # far above any homework's submission; a bigger one is a mistake
SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")


class InputError(Exception):
    """The input cannot be read at all (no such path, an unreadable export zip)."""


@dataclasses.dataclass(frozen=True)
class Submitter:
    name: str = ""
    sid: str = ""
    email: str = ""


@dataclasses.dataclass
class Submission:
    """One submission: its id, every submitted file (path -> bytes) and what Gradescope recorded.

    ``recorded_score``/``recorded_tests`` (test number -> score) come from the export's
    ``:score:``/``:results:``; None when the input recorded nothing. ``note`` says why a
    submission has no files.
    """

    id: str
    files: dict[str, bytes]
    submitters: list[Submitter] = dataclasses.field(default_factory=list)
    created_at: str = ""
    recorded_score: float | None = None
    recorded_tests: dict[str, float] | None = None
    recorded_status: str = ""
    history: list[dict] = dataclasses.field(default_factory=list)
    note: str = ""

    @property
    def digest(self) -> str:
        """SHA-256 of the submitted files (paths and bytes), independent of timestamps and order."""
        h = hashlib.sha256()
        for path in sorted(self.files):
            data = self.files[path]
            h.update(path.encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0")
            h.update(data)
        return h.hexdigest()

    def metadata(self, title: str = "Homework") -> dict:
        """A ``submission_metadata.json`` in Gradescope's shape for this submission (``title``: the assignment's)."""
        created = self.created_at or datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc).isoformat()
        number = int(self.id) if self.id.isdigit() else 0
        return {"id": number, "created_at": created, "submission_method": "upload", "assignment_id": 1,
                "assignment": {"id": 1, "course_id": 1, "title": title, "release_date": created,
                               "due_date": created, "late_due_date": None, "group_submission": len(self.submitters) > 1,
                               "group_size": None, "total_points": "100.0"},
                "users": [{"email": s.email, "id": i, "name": s.name} for i, s in enumerate(self.submitters, 1)],
                "previous_submissions": []}


@dataclasses.dataclass
class Export:
    """What :func:`load` read: the submissions (sorted by id) and every input problem found."""

    source: str
    kind: str  # "gradescope" or "folder"
    submissions: list[Submission]
    problems: list[str]


def load(path: Path) -> Export:
    """Read ``path`` (export folder, export zip or plain folder); see the module docstring."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise InputError(f"{path} is neither a folder nor a zip file")
        with tempfile.TemporaryDirectory(prefix="grader-export-") as tmp:
            try:
                with zipfile.ZipFile(path) as archive:
                    archive.extractall(tmp)  # member names are sanitised: nothing lands outside tmp
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise InputError(f"{path}: cannot unpack the export zip ({exc})") from exc
            base = Path(tmp)
            inside = list(base.iterdir())
            if len(inside) == 1 and inside[0].is_dir():  # a zip of one folder (the export, or a class folder)
                base = inside[0]
            export = _load_folder(base, str(path))
        return export
    return _load_folder(path, str(path))


def _load_folder(folder: Path, source: str) -> Export:
    problems: list[str] = []
    root = _export_root(folder, problems)
    if root is not None:
        submissions = _load_gradescope(root, problems)
        kind = "gradescope"
    else:
        exported = _single_export_folder(folder) or folder
        named = sorted(d for d in exported.iterdir() if d.is_dir() and d.name.startswith("submission_"))
        if named:
            problems.append(f"{_rel(exported, folder)}: submission_<id> folders but no {METADATA}: graded "
                            "without names, student ids or recorded scores")
            folder = exported
        submissions = _load_plain(folder, problems)
        kind = "folder"
    if not submissions and not problems:
        problems.append(f"{source}: no submissions found (expected {METADATA} with submission_<id> folders, "
                        "or one sub-folder or zip per student)")
    submissions.sort(key=lambda s: (not s.id.isdigit(), int(s.id) if s.id.isdigit() else 0, s.id))
    return Export(source, kind, submissions, problems)


def _rel(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix() if path != base else path.name


def _single_export_folder(folder: Path) -> Path | None:
    exports = [d for d in folder.iterdir() if d.is_dir() and re.fullmatch(r"assignment_.*_export", d.name)]
    return exports[0] if len(exports) == 1 else None


def _export_root(folder: Path, problems: list[str]) -> Path | None:
    """The folder holding ``submission_metadata.yml``: ``folder`` itself or its one export sub-folder."""
    if (folder / METADATA).is_file():
        return folder
    found = sorted(d for d in folder.iterdir() if d.is_dir() and (d / METADATA).is_file())
    if len(found) > 1:
        problems.append(f"several exports in one input ({', '.join(d.name for d in found)}): graded {found[0].name} "
                        "only; grade each export separately")
    return found[0] if found else None


def _strip(value):
    """Ruby-symbol keys (``:name:``) as plain keys (``name``), recursively."""
    if isinstance(value, dict):
        return {(k.strip(":") if isinstance(k, str) else k): _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _when(value) -> str:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return "" if value is None else str(value)


def _load_gradescope(root: Path, problems: list[str]) -> list[Submission]:
    try:
        meta = yaml.safe_load((root / METADATA).read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{METADATA}: cannot be parsed ({str(exc).splitlines()[0]}); graded the submission "
                        "folders without names, student ids or recorded scores")
        meta = {}
    if not isinstance(meta, dict):
        problems.append(f"{METADATA}: expected a mapping of submission_<id> to its details; ignored")
        meta = {}
    meta = _strip(meta)
    folders = {d.name: d for d in root.iterdir() if d.is_dir()}
    submissions: list[Submission] = []
    seen: dict[str, str] = {}
    for key in sorted(meta, key=str):
        name = str(key)
        info = meta[key] if isinstance(meta[key], dict) else {}
        if not re.fullmatch(r"submission_\d+", name):
            problems.append(f"{METADATA}: entry {name!r} is not named submission_<id>; skipped")
            continue
        sub_id = name.removeprefix("submission_")
        seen[sub_id] = name
        submitters = [Submitter(str(s.get("name") or ""), str(s.get("sid") or ""), str(s.get("email") or ""))
                      for s in info.get("submitters") or [] if isinstance(s, dict)]
        if not submitters:
            problems.append(f"{name}: no submitters in {METADATA}; its row has no name or student id")
        recorded = info.get("results") if isinstance(info.get("results"), dict) else None
        tests = None
        if recorded is not None and isinstance(recorded.get("tests"), list):
            tests = {str(t["number"]): score for t in recorded["tests"]
                     if isinstance(t, dict) and t.get("number") is not None
                     and (score := _number(t.get("score"))) is not None}
        score = _number(info.get("score"))
        if score is None and recorded is not None:
            score = _number(recorded.get("score"))
        history = [{"created_at": _when(h.get("created_at")), "score": _number(h.get("score"))}
                   for h in info.get("history") or [] if isinstance(h, dict)]
        sub = Submission(sub_id, {}, submitters, _when(info.get("created_at")), score, tests,
                         str(info.get("status") or ""), history)
        folder = folders.get(name)
        if folder is None:
            sub.note = f"no folder {name}/ in the export"
        else:
            sub.files, note = _read_folder(folder)
            sub.note = note or ("the submission folder is empty" if not sub.files else "")
        if sub.note and sub.files == {}:
            problems.append(f"{name}: {sub.note}; recorded as no files")
        submissions.append(sub)
    for name in sorted(folders):
        if name.startswith("submission_") and name.removeprefix("submission_") in seen:
            continue
        problems.append(f"{name}/: not named in {METADATA}; skipped (whose submission is it?)")
    owners: dict[str, list[str]] = {}
    for sub in submissions:
        for person in sub.submitters:
            if person.sid:
                owners.setdefault(person.sid, []).append(sub.id)
    for sid, ids in sorted(owners.items()):
        if len(ids) > 1:
            problems.append(f"student id {sid} is a submitter of several submissions ({', '.join(ids)}): "
                            "grades.csv has a row for each; keep one when importing")
    return submissions


def _read_folder(folder: Path) -> tuple[dict[str, bytes], str]:
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        total += len(data)
        if total > MAX_SUBMISSION_BYTES:
            return {}, f"more than {MAX_SUBMISSION_BYTES // 2**20} MB of files"
        files[path.relative_to(folder).as_posix()] = data
    return files, ""


def _read_zip(path: Path) -> tuple[dict[str, bytes], str]:
    """A student's zip, kept whole; checked that it opens and holds at least one file."""
    if path.stat().st_size > MAX_SUBMISSION_BYTES:
        return {}, f"more than {MAX_SUBMISSION_BYTES // 2**20} MB"
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            if not [i for i in archive.infolist() if not i.is_dir()]:
                return {}, "the zip is empty"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return {}, f"not a readable zip ({exc})"
    return {path.name: data}, ""


def _load_plain(folder: Path, problems: list[str]) -> list[Submission]:
    by_id: dict[str, Submission] = {}
    origin: dict[str, str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            raw_id = entry.name
        elif entry.is_file() and entry.suffix.lower() == ".zip":
            raw_id = entry.name[: -len(".zip")]
        else:
            problems.append(f"{entry.name}: neither a folder nor a zip; skipped")
            continue
        sub_id = SAFE_ID.sub("_", raw_id).strip(".") or "_"
        if sub_id in by_id:
            problems.append(f"{entry.name}: duplicate id {sub_id!r} (already given by {origin[sub_id]}); skipped")
            continue
        files, note = _read_folder(entry) if entry.is_dir() else _read_zip(entry)
        if not files and not note:
            note = "the folder is empty"
        if note:
            problems.append(f"{entry.name}: {note}; recorded as no files")
        by_id[sub_id] = Submission(sub_id, files, note=note)
        origin[sub_id] = entry.name
    return list(by_id.values())
