"""Build a homework's Gradescope autograder zip: ``python -m grader.release.build --homework HWn``.

The zip holds ``setup.sh`` and ``run_autograder`` at its root, then the source tree the
supervisor needs and nothing else: the pinned requirements, the pytest configuration, the shared
harness, the homework's public tests and table (``tests/HWn``), its hidden tests, the part of the
grading package that runs for every submission (``grader/submission``), its reference solutions,
the given files of ``HWn/code`` (never the stubs), the manifest and the recorded PyTorch oracles
of the tests the table names (:func:`record_oracles`: the test process then never imports torch).
No other homework's files, and none of the staff tools (release, quality checks, course
operations, benches). Entries are sorted and carry fixed timestamps and modes, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

from grader.submission import manifest
from harness import oracle_cache
from harness.homework import Homework, add_homework_argument, chosen_homework

ROOT = Path(__file__).resolve().parents[3]
# The machinery every homework's zip carries: the runtime, the per-submission grading code.
MACHINERY_TREES = ("tests/harness", "autograder/grader/submission")
MACHINERY_FILES = ("requirements.txt", "pyproject.toml", "autograder/grader/__init__.py")
EPOCH = (1980, 1, 1, 0, 0, 0)
ORACLES = "autograder/oracles/torch.json"  # read by the supervisor's pytest (GRADER_ORACLE_CACHE)
EXECUTABLES = ("setup.sh", "run_autograder")


def files_under(root: Path, tree: str) -> list[Path]:
    base = root / tree
    return sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not p.name.endswith((".pyc", ".pyo")))


def contents(homework: Homework) -> dict[str, bytes]:
    """Zip path -> bytes, the whole autograder of ``homework``."""
    root = homework.root
    out: dict[str, bytes] = {
        "setup.sh": (root / "autograder/gradescope/setup.sh").read_bytes(),
        "run_autograder": (root / "autograder/gradescope/run_autograder").read_bytes(),
    }
    for name in MACHINERY_FILES:
        out[name] = (root / name).read_bytes()
    trees = [*MACHINERY_TREES, *(homework.rel(d) for d in (homework.tests, homework.hidden, homework.solutions))]
    for tree in trees:
        for path in files_under(root, tree):
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    for rel in homework.given_files:
        out[f"{homework.name}/code/{rel}"] = (homework.code / rel).read_bytes()
    oracles = record_oracles(homework)
    if oracles is not None:
        out[ORACLES] = oracles
    out["manifest.json"] = (json.dumps(manifest.build(homework), indent=1, sort_keys=True) + "\n").encode()
    return out


def record_oracles(homework: Homework) -> bytes | None:
    """Run the table's ``ORACLE_TESTS`` on the solutions, recording every torch oracle value (None: no such tests)."""
    tests = tuple(getattr(homework.table, "ORACLE_TESTS", ()))
    if not tests:
        return None
    root = homework.root
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "torch.json"
        env = {**os.environ, "PYTHONPATH": f"{root / 'tests'}:{root / 'autograder'}", "OMP_NUM_THREADS": "1",
               oracle_cache.RECORD: str(path)}
        env.pop(oracle_cache.CACHE, None)
        cmd = [sys.executable, "-m", "pytest", *tests, "--homework", homework.name, "--code", str(homework.solutions),
               "-q", "--no-score-table", "-p", "no:cacheprovider"]
        proc = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not path.is_file():
            raise RuntimeError(f"recording the torch oracles failed:\n{proc.stdout[-3000:]}")
        return path.read_bytes()


def zip_path(homework: Homework) -> Path:
    """Where ``make autograder`` writes the homework's zip: ``dist/HWn-autograder.zip``."""
    return homework.root / "dist" / f"{homework.name}-autograder.zip"


def build(homework: Homework, out: Path | None = None) -> Path:
    """Write the homework's autograder zip (default :func:`zip_path`) and return its path."""
    out = out or zip_path(homework)
    write_zip(contents(homework), out, executables=EXECUTABLES)
    return out


def write_zip(files: dict[str, bytes], out: Path, executables: tuple[str, ...] = ()) -> None:
    """Write ``files`` to ``out`` reproducibly (sorted, fixed times and modes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((0o755 if name in executables else 0o644) | 0o100000) << 16
            archive.writestr(info, files[name])
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")  # never half a zip
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.release.build", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="zip to write (default: dist/HWn-autograder.zip)")
    args = parser.parse_args(argv)
    homework = chosen_homework(parser, ROOT, args.homework)
    out = build(homework, args.out)
    with zipfile.ZipFile(out) as archive:
        count = len(archive.namelist())
    print(f"wrote {out} ({count} files, {out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
