"""Find the student files in a submission: flat, nested in folders, or inside a zip.

Only the homework's graded files (its table's ``STUDENT_FILES``) are ever taken; everything
else is ignored and reported (a planted ``conftest.py``, ``sitecustomize.py``, ``*.pth``
or a module shadowing ``numpy`` never reaches the tests). Reading is bounded: file
count, file size and total unzipped size, so a zip bomb or a huge tree costs nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
import shutil
import stat
import struct
import zipfile
from pathlib import Path, PurePosixPath

MAX_FILES = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_CENTRAL_DIRECTORY = 2 * 1024 * 1024  # bytes of zip directory: about 20,000 members
RISKY = ("conftest.py", "pytest.ini", "sitecustomize.py", "usercustomize.py", "setup.cfg", "tox.ini",
         "pyproject.toml")


@dataclasses.dataclass
class Discovery:
    """What a submission holds: ``found`` maps the graded files (paths as in ``HWn/code``) to where they
    came from; ``expected`` lists the graded files looked for."""

    expected: tuple[str, ...] = ()
    found: dict[str, str] = dataclasses.field(default_factory=dict)
    missing: list[str] = dataclasses.field(default_factory=list)
    ignored: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def report(self) -> str:
        lines = []
        for rel in self.expected:
            if rel in self.found:
                lines.append(f"  found    {rel}  (from {self.found[rel]})")
            else:
                lines.append(f"  MISSING  {rel}")
        lines += [f"  note: {n}" for n in self.notes]
        if self.ignored:
            more = len(self.ignored) - 12
            shown = ", ".join(self.ignored[:12]) + (f" and {more} more" if more > 0 else "")
            lines.append(f"  ignored (only the graded files above are used): {shown}")
        return "\n".join(lines)


def _candidates(submission: Path, notes: list[str]) -> list[tuple[str, bytes | Path]]:
    """(relative path, file path or bytes) for every regular file, zips expanded one level."""
    out: list[tuple[str, bytes | Path]] = []
    total = 0
    paths = sorted(p for p in submission.rglob("*") if not p.is_symlink()) if submission.is_dir() else [submission]
    base = submission if submission.is_dir() else submission.parent
    for path in paths[:MAX_FILES]:
        if not path.is_file() or "__MACOSX" in path.parts:
            continue
        rel = path.relative_to(base).as_posix()
        if path.suffix.lower() == ".zip":
            total += _read_zip(path, rel, out, notes, MAX_TOTAL_BYTES - total)
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            notes.append(f"{rel} is over {MAX_FILE_BYTES // 2**20} MB and was skipped")
            continue
        out.append((rel, path))
    if len(paths) > MAX_FILES:
        notes.append(f"only the first {MAX_FILES} files were looked at")
    return out


def _central_directory_size(path: Path) -> int | None:
    """The central directory size a zip's end record declares (None: no end record, or zip64)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - (22 + 65535)))
        tail = handle.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) - end < 22:
        return None
    size = struct.unpack("<I", tail[end + 12:end + 16])[0]
    return None if size == 0xFFFFFFFF else size


def _read_zip(path: Path, rel: str, out: list, notes: list[str], budget: int) -> int:
    """Append the members of the zip at ``path`` to ``out``; return the bytes read.

    ``zipfile`` parses the whole central directory up front, so its size is bounded first
    (a zip of a million empty members would otherwise exhaust the supervisor's memory). A
    damaged or hostile member (bad CRC, lying sizes, corrupt deflate data, an unknown
    method, a symlink) is skipped on its own; the rest of the archive is still read.
    """
    taken = 0
    try:
        size = _central_directory_size(path)
        if size is None or size > MAX_CENTRAL_DIRECTORY:
            notes.append(f"{rel} could not be opened as a zip (no readable directory, or too many members)")
            return 0
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos[:MAX_FILES]:
                name = info.filename
                if info.is_dir() or "__MACOSX" in name or info.file_size > MAX_FILE_BYTES \
                        or stat.S_ISLNK(info.external_attr >> 16):
                    continue
                if taken + info.file_size > budget:
                    notes.append(f"{rel}: stopped reading, the archive is too large")
                    break
                taken += info.file_size
                try:
                    out.append((f"{rel}/{name}", archive.read(info)[:MAX_FILE_BYTES]))
                except Exception as exc:  # noqa: BLE001 - zlib.error, BadZipFile, NotImplementedError, ...
                    notes.append(f"{rel}/{name} could not be read from the zip and was skipped "
                                 f"({type(exc).__name__}: {str(exc)[:120]})")
            if len(infos) > MAX_FILES:
                notes.append(f"{rel}: only the first {MAX_FILES} members were looked at")
    except Exception as exc:  # noqa: BLE001 - any malformed archive is the submission's problem, not ours
        notes.append(f"{rel} could not be opened as a zip ({type(exc).__name__}: {str(exc)[:200]})")
    return taken


def _choose(rel: str, matches: list[str]) -> str:
    """Prefer a path ending with the homework's layout (``folder/file.py``), then the shallowest."""
    return sorted(matches, key=lambda m: (not m.endswith(rel), m.count("/"), m))[0]


def discover(submission: Path, target: Path, student_files) -> Discovery:
    """Copy the graded files (``student_files``, paths as in ``HWn/code``) of ``submission`` into
    ``target``, laid out like ``HWn/code``."""
    result = Discovery(expected=tuple(student_files))
    files = _candidates(submission, result.notes) if submission.exists() else []
    by_name: dict[str, list[str]] = {}
    content = {}
    for rel, source in files:
        by_name.setdefault(PurePosixPath(rel).name, []).append(rel)
        content[rel] = source
    used = set()
    for rel in result.expected:
        name = PurePosixPath(rel).name
        matches = by_name.get(name, [])
        if not matches:
            result.missing.append(rel)
            near = difflib.get_close_matches(name, [n for n in by_name if n.endswith(".py") or "." not in n],
                                             n=1, cutoff=0.75)
            if near:
                result.notes.append(f"{near[0]!r} looks like {name!r}: rename it to {name} so it is graded")
            continue
        chosen = _choose(rel, matches)
        if len(matches) > 1:
            result.notes.append(f"{len(matches)} files named {name}; graded {chosen}")
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = content[chosen]
        if isinstance(source, Path):
            shutil.copyfile(source, destination)
        else:
            destination.write_bytes(source)
        result.found[rel] = chosen
        used.update(matches)
    result.ignored = sorted(r for r, _ in files if r not in used and PurePosixPath(r).name not in
                            {"submission_metadata.json"})
    risky = sorted({PurePosixPath(r).name for r in result.ignored
                    if PurePosixPath(r).name in RISKY or r.endswith(".pth")})
    if risky:
        result.notes.append(f"ignored on purpose (never loaded by the grader): {', '.join(risky)}")
    return result
