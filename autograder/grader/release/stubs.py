"""Derive student stubs from the solutions: the solution is the master.

In a solution file, code between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` is the
answer. Inside a function the block becomes ``raise NotImplementedError(...)`` pointing
at the problem; at module level (solution-only helpers and imports) it disappears.
Everything else (signatures, docstrings, ``# TODO`` hints, given helpers) is copied
verbatim, so a stub cannot drift from its solution: ``--check`` fails if a committed
stub differs from what this module generates.

The same marker style, ``# BEGIN HIDDEN`` / ``# END HIDDEN``, strips hidden entries
from the rubric for the handout (:func:`strip_blocks`).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import sys
from pathlib import Path

from harness.homework import Homework, add_homework_argument, chosen_homework

ROOT = Path(__file__).resolve().parents[3]
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


def _enclosing_functions(source: str) -> dict[int, str]:
    """Map each line number to the qualified name of the innermost function containing it."""
    owners: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    for line in range(child.lineno, child.end_lineno + 1):
                        owners[line] = name
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return owners


def solution_owners(source: str) -> list[str]:
    """The functions and methods (qualified names) that hold a solution block, in file order."""
    owners = _enclosing_functions(source)
    found = [owners.get(n) for n, line in enumerate(source.splitlines(), start=1) if line.strip() == BEGIN]
    return list(dict.fromkeys(o for o in found if o is not None))


def make_stub(source: str, rel_path: str, homework: Homework, only: set[str] | None = None) -> str:
    """The stub for the solution ``source`` of ``homework``'s student file ``rel_path``.

    ``only`` (qualified function names) stubs those functions' blocks alone and keeps every
    other block as it is: the reference with functions knocked out (:mod:`grader.quality.knockout`).
    """
    owners = _enclosing_functions(source)
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    block_start = None
    keep_block = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN and only is not None and owners.get(number) not in only:
            keep_block = True
        if keep_block:
            out.append(line)
            keep_block = stripped != END
            continue
        if stripped == BEGIN:
            if block_start is not None:
                raise ValueError(f"{rel_path}:{number}: nested {BEGIN}")
            block_start = number
            indent = line[: len(line) - len(line.lstrip())]
            owner = owners.get(number)
            if owner is not None:
                problem = homework.problem_of(rel_path, owner.split(".")[0])
                message = f"{problem.stub_label}: implement {owner} in {Path(rel_path).name} (see its docstring)"
                out.append(f'{indent}raise NotImplementedError(\n{indent}    "{message}"\n{indent})\n')
        elif stripped == END:
            if block_start is None:
                raise ValueError(f"{rel_path}:{number}: {END} without {BEGIN}")
            block_start = None
        elif block_start is None:
            out.append(line)
    if block_start is not None:
        raise ValueError(f"{rel_path}:{block_start}: {BEGIN} never closed")
    return _squeeze_blank_lines("".join(out))


def _squeeze_blank_lines(text: str) -> str:
    """Removing module-level blocks can leave runs of blank lines; keep at most two."""
    out, blanks = [], 0
    for line in text.splitlines(keepends=True):
        blanks = blanks + 1 if not line.strip() else 0
        if blanks <= 2:
            out.append(line)
    return "".join(out)


def strip_blocks(text: str, begin: str, end: str) -> str:
    """Remove every line from a ``begin`` marker line to its ``end`` marker line inclusive."""
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif not inside:
            out.append(line)
    return "".join(out)


def stub_pairs(homework: Homework, solutions: Path, code: Path):
    """Yield ``(rel_path, generated_stub, committed_stub_or_None)`` for every student file."""
    for rel in homework.student_files:
        committed = (code / rel).read_text() if (code / rel).exists() else None
        if not (solutions / rel).exists():
            yield rel, None, committed
            continue
        yield rel, make_stub((solutions / rel).read_text(), rel, homework), committed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.release.stubs", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--solutions", type=Path, default=None,
                        help="solution folder, the master (default: solutions/HWn)")
    parser.add_argument("--code", type=Path, default=None, help="stub folder to write or check (default: HWn/code)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the stubs")
    mode.add_argument("--check", action="store_true", help="fail if a committed stub differs from its solution")
    args = parser.parse_args(argv)
    homework = chosen_homework(parser, ROOT, args.homework)
    args.solutions = args.solutions or homework.solutions
    args.code = args.code or homework.code
    drift = 0
    for rel, stub, committed in stub_pairs(homework, args.solutions, args.code):
        if stub is None:
            drift += 1
            print(f"{homework.rel(homework.solutions)}/{rel} is missing")
        elif args.write:
            (args.code / rel).parent.mkdir(parents=True, exist_ok=True)
            (args.code / rel).write_text(stub)
            print(f"wrote {args.code / rel}")
        elif stub != committed:
            drift += 1
            diff = difflib.unified_diff((committed or "").splitlines(), stub.splitlines(),
                                        f"{homework.name}/code/{rel} (committed)",
                                        f"{homework.name}/code/{rel} (from {homework.rel(homework.solutions)}/{rel})",
                                        lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
    if drift:
        print(f"{drift} stub(s) drifted from their solutions: run `make stubs` and commit.")
        return 1
    if args.check:
        print(f"{homework.name}: stubs match their solutions ({len(homework.student_files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
