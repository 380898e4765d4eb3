"""Start a new homework from the template: ``python -m grader.release.newhomework --homework HWn``.

``make new-homework HW=n`` writes a small working homework ``HWn`` into the four folders a
homework owns (``HWn/``, ``solutions/HWn/``, ``tests/HWn/``, ``autograder/HWn/``): one problem
(a solution with a ``BEGIN/END SOLUTION`` block and its generated stub), a public and a hidden
test, its table, and a corpus (the solutions, the stubs, one bug). ``make grade HW=n`` then gives
the reference full points, ``make grade HW=n SUBMISSION=HWn/code`` gives the stubs 0, and
``make verify`` checks it with every other homework. The README's authoring guide goes on from
there. Nothing is overwritten: a homework that exists already is an error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.release.stubs import make_stub
from harness.homework import NAME, Homework

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = Path(__file__).with_name("template")
PLACEHOLDER = "HWn"  # the template's folder name for the homework


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def create(root: Path, name: str) -> list[Path]:
    """Write homework ``name`` (``HWn``) from the template under ``root``; return the files written."""
    match = NAME.match(name)
    if not match:
        raise ValueError(f"a homework is named HW followed by its number, not {name!r}")
    taken = [f"{top}{name}" for top in ("", "solutions/", "tests/", "autograder/") if (root / f"{top}{name}").exists()]
    if taken:
        raise FileExistsError(f"{name} exists already ({', '.join(taken)}); nothing was written")
    written = []
    for path in template_files():
        rel = Path(*(name if part == PLACEHOLDER else part for part in path.relative_to(TEMPLATE).parts))
        text = path.read_text(encoding="utf-8").replace("{{HW}}", name).replace("{{N}}", match.group(1))
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        written.append(root / rel)
    homework = Homework(root, name)
    for rel in homework.student_files:  # the stubs come from the solutions, as `make stubs` writes them
        stub = homework.code / rel
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(make_stub((homework.solutions / rel).read_text(), rel, homework), encoding="utf-8")
        written.append(stub)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.release.newhomework", description=__doc__.split("\n\n")[0])
    parser.add_argument("--homework", required=True, help="the new homework: HWn (or n)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project root (default: this project)")
    args = parser.parse_args(argv)
    name = args.homework.upper() if args.homework.upper().startswith("HW") else f"HW{args.homework}"
    try:
        written = create(args.root, name)
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    for path in written:
        print(f"wrote {path.relative_to(args.root)}")
    number = NAME.match(name).group(1)
    print(f"\n{name} is ready: `make grade HW={number}` gives the reference full points, "
          f"`make grade HW={number} SUBMISSION={name}/code` gives the stubs 0.\n"
          "Next: the README's authoring guide (the table, probes, hidden tests, corpus, calibration, audits).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
