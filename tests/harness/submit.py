"""Pack your HW1 submission: ``python -m harness.submit --help`` (``make submit`` runs it).

Checks first (a preflight): every graded file is present, and each imports in a fresh
Python process (a syntax error or an import-time crash would cost you that problem's
points). Then writes ``HW1-submission.zip`` holding exactly the six graded files, laid out
like ``HW1/code``, and prints what it packed. Upload that zip to Gradescope.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from harness.layout import CODE_FOLDERS, STUDENT_FILES

IMPORT_TIMEOUT_S = 120


def preflight(code: Path) -> list[str]:
    """Problems that would cost points, one line each (empty when all is well)."""
    problems = []
    path = os.pathsep.join(str(code / folder) for folder in CODE_FOLDERS)
    env = {**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg", "SDL_VIDEODRIVER": "dummy"}
    for rel, number in STUDENT_FILES.items():
        if not (code / rel).is_file():
            problems.append(f"missing {code / rel} (Problem {number})")
            continue
        module = Path(rel).stem
        try:
            proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=code / Path(rel).parent, env=env,
                                  capture_output=True, text=True, timeout=IMPORT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            problems.append(f"{rel}: importing it takes over {IMPORT_TIMEOUT_S} s (move work into functions)")
            continue
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or [f"exited with status {proc.returncode}"])[-1]
            problems.append(f"{rel}: does not import: {last}")
    return problems


def pack(code: Path, out: Path) -> list[str]:
    """Write the zip of the graded files that exist; return the packed names."""
    names = [rel for rel in STUDENT_FILES if (code / rel).is_file()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in names:
            archive.write(code / rel, rel)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.submit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=Path("HW1/code"), help="your code folder (default: HW1/code)")
    parser.add_argument("--out", type=Path, default=Path("HW1-submission.zip"), help="zip to write")
    parser.add_argument("--force", action="store_true", help="pack even if the preflight finds problems")
    args = parser.parse_args(argv)
    if not args.code.is_dir():
        parser.error(f"--code {args.code} is not a folder")
    problems = preflight(args.code)
    for line in problems:
        print(f"preflight: {line}")
    if problems and not args.force:
        print("Nothing packed. Fix the lines above (or pass --force to pack anyway).")
        return 1
    packed = pack(args.code, args.out)
    print(f"packed {args.out}:")
    for rel in packed:
        print(f"  {rel}  ({(args.code / rel).stat().st_size} bytes)")
    print("Upload this zip to Gradescope.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
