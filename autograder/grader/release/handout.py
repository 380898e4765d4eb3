"""Build a homework's student handout: ``python -m grader.release.handout --homework HWn``.

The handout holds ``HWn/`` (the README, the report template, the stubs and the given
code), the shared harness, the homework's public tests and support modules with its table
stripped of hidden entries (``tests/HWn``), a student ``Makefile`` (install, test, demo,
submit, help; the homework's own student targets come from ``tests/HWn/homework.mk``), the
pinned requirements (without the staff-only pins and comments: :func:`student_requirements`)
and the pytest configuration, all under one top folder ``HWn-handout/``. Nothing else: no
other homework, no solutions, no hidden tests, no grading package. :mod:`grader.release.audit`
checks that, and that no shipped text names a file or document students do not receive.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.release import build
from grader.release.stubs import strip_blocks
from harness.homework import TABLE, Homework, add_homework_argument, chosen_homework

ROOT = build.ROOT
# Pins only staff targets use (lint, the results schema check, the grader's tests on every core, course
# operations on Dask): students never install them.
STAFF_ONLY_PACKAGES = ("ruff", "jsonschema", "pytest-xdist", "execnet", "dask", "distributed", "pyyaml")
REQUIREMENTS_HEADER = """\
# The pinned packages of the homework (`make install` installs them into .venv).
# On Linux the Makefile takes PyTorch's CPU build from PyTorch's own index (TORCH_INDEX);
# PyPI's default torch is a multi-GB CUDA build. Do not unpin torch.
"""


def student_requirements(text: str) -> str:
    """The handout's requirements.txt: the staff file's pins without staff-only packages or comments."""
    pins = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name = line.split("==", 1)[0].split("[", 1)[0].strip().lower()
        if name not in STAFF_ONLY_PACKAGES:
            pins.append(line)
    return REQUIREMENTS_HEADER + "\n".join(pins) + "\n"


def contents(homework: Homework) -> dict[str, bytes]:
    """Handout path (without the top folder) -> bytes."""
    root = homework.root
    out: dict[str, bytes] = {
        "Makefile": (root / "autograder/handout/Makefile").read_bytes(),
        "requirements.txt": student_requirements((root / "requirements.txt").read_text()).encode(),
        "pyproject.toml": (root / "autograder/handout/pyproject.toml").read_bytes(),
    }
    for tree in (homework.name, "tests/harness", homework.rel(homework.tests)):
        for path in build.files_under(root, tree):
            if "outputs" in path.relative_to(root).parts:
                continue
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    table = f"{homework.rel(homework.tests)}/{TABLE}"
    out[table] = strip_blocks((root / table).read_text(), "# BEGIN HIDDEN", "# END HIDDEN").encode()
    return out


def top(homework: Homework) -> str:
    """The handout's one top folder, ``HWn-handout``."""
    return f"{homework.name}-handout"


def zip_path(homework: Homework) -> Path:
    return homework.root / "dist" / f"{homework.name}-handout.zip"


def build_handout(homework: Homework, out: Path | None = None) -> Path:
    out = out or zip_path(homework)
    build.write_zip({f"{top(homework)}/{name}": data for name, data in contents(homework).items()}, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.release.handout", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="zip to write (default: dist/HWn-handout.zip)")
    args = parser.parse_args(argv)
    homework = chosen_homework(parser, ROOT, args.homework)
    out = build_handout(homework, args.out)
    print(f"wrote {out} ({len(contents(homework))} files, {out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
