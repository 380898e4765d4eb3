"""Build the student handout: ``python -m hw1grader.handout --out dist/HW1-handout.zip``.

The handout holds ``HW1/`` (the README, the report template, the stubs and the given
code), the public tests with their harness and a rubric stripped of hidden entries, a
student ``Makefile`` (install, test, demo, submit, help), the pinned requirements (without
the staff-only pins and comments: :func:`student_requirements`) and the pytest
configuration, all under one top folder ``HW1-handout/``. Nothing else: no solutions, no
hidden tests, no grading package. :mod:`hw1grader.audit` checks that, and that no shipped
text names a file or document students do not receive.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hw1grader import build
from hw1grader.stubs import strip_blocks

ROOT = build.ROOT
TOP = "HW1-handout"
# Pins only staff targets use (lint, the results schema check): students never install them.
STAFF_ONLY_PACKAGES = ("ruff", "jsonschema")
REQUIREMENTS_HEADER = """\
# The pinned packages of HW1 (`make install` installs them into .venv).
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


def contents(root: Path = ROOT) -> dict[str, bytes]:
    """Handout path (without the top folder) -> bytes."""
    out: dict[str, bytes] = {
        "Makefile": (root / "autograder/handout/Makefile").read_bytes(),
        "requirements.txt": student_requirements((root / "requirements.txt").read_text()).encode(),
        "pyproject.toml": (root / "autograder/handout/pyproject.toml").read_bytes(),
    }
    for tree in ("HW1", "tests"):
        for path in build.files_under(root, tree):
            if "outputs" in path.relative_to(root).parts:
                continue
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    rubric = (root / "tests/rubric.py").read_text()
    out["tests/rubric.py"] = strip_blocks(rubric, "# BEGIN HIDDEN", "# END HIDDEN").encode()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hw1grader.handout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "HW1-handout.zip", help="zip to write")
    args = parser.parse_args(argv)
    files = {f"{TOP}/{name}": data for name, data in contents().items()}
    build.write_zip(files, args.out)
    print(f"wrote {args.out} ({len(files)} files, {args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
