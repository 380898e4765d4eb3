"""Pack your homework submission: ``python -m harness.submit --help`` (``make submit`` runs it).

Checks first (a preflight): every graded file is present, and each imports in a fresh
Python process (a syntax error or an import-time crash would cost you that problem's
points). Then it lists, file by file, every function that still raises the handout's
``NotImplementedError`` (they earn no points) and asks before packing (``--force``, i.e.
``make submit FORCE=1``, packs without asking; without a terminal to answer it refuses).
The extra credit is optional: its unfinished function is listed but asks nothing. Then it
writes ``HWn-submission.zip`` holding exactly the graded files, laid out like
``HWn/code``, and prints what it packed. Upload that zip to Gradescope.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from harness.homework import Homework, UnknownHomework, from_path
from harness.worker import code_folders

IMPORT_TIMEOUT_S = 120


def preflight(code: Path, student_files: dict[str, int]) -> list[str]:
    """Problems that would cost points, one line each (empty when all is well)."""
    problems = []
    path = os.pathsep.join(code_folders(Path(code).resolve()))  # absolute: each import runs in its own folder
    env = {**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg", "SDL_VIDEODRIVER": "dummy"}
    for rel, number in student_files.items():
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


# What a handout stub raises ("Problem 2: implement value_iteration_sync in ...", "Extra credit: implement ...").
STUB_MESSAGE = re.compile(r"^(Problem \d+|Extra credit): implement ")


def _raises_not_implemented(function: ast.AST) -> str | None:
    """The stub label ("Problem 2", "Extra credit", or "" for a bare raise) if ``function`` still raises it.

    Only the function's own body counts (nested functions are reported on their own). A bare
    ``raise NotImplementedError`` counts; one with another message (an abstract method of
    the given code) does not.
    """
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        todo.extend(ast.iter_child_nodes(node))
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc
        args = exc.args if isinstance(exc, ast.Call) else []
        name = exc.func if isinstance(exc, ast.Call) else exc
        if not (isinstance(name, ast.Name) and name.id == "NotImplementedError"):
            continue
        if not args:
            return ""
        if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            match = STUB_MESSAGE.match(args[0].value)
            if match:
                return match.group(1)
    return None


def _unfinished_in(tree: ast.AST, prefix: str = "") -> list[tuple[str, str]]:
    """``[(qualified name, label), ...]`` of the functions under ``tree`` that still raise NotImplementedError."""
    found = []
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            label = _raises_not_implemented(child)
            if label is not None:
                found.append((prefix + child.name, label))
            found += _unfinished_in(child, prefix + child.name + ".")
        elif isinstance(child, ast.ClassDef):
            found += _unfinished_in(child, prefix + child.name + ".")
    return found


def unfinished(code: Path, student_files) -> dict[str, list[tuple[str, str]]]:
    """Student file -> ``[(qualified function name, label), ...]`` still raising NotImplementedError.

    ``label`` is the stub's "Problem N" or "Extra credit" ("" for a bare raise). Files that
    are missing or do not parse are left to the preflight.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for rel in student_files:
        try:
            tree = ast.parse((code / rel).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        found = _unfinished_in(tree)
        if found:
            out[rel] = found
    return out


def describe_unfinished(todo: dict[str, list[tuple[str, str]]]) -> list[str]:
    """One line per file: ``warmup/returns.py (Problem 1): discounted_return, n_step_return``."""
    lines = []
    for rel, functions in todo.items():
        labels = sorted({label for _, label in functions if label}, key=lambda label: (label == "Extra credit", label))
        where = f" ({', '.join(labels)}{', optional' if labels == ['Extra credit'] else ''})" if labels else ""
        names = ", ".join(name + (" (extra credit, optional)" if label == "Extra credit" and len(labels) > 1 else "")
                          for name, label in functions)
        lines.extend(textwrap.wrap(f"{rel}{where}: {names}", width=100, initial_indent="  ",
                                   subsequent_indent="      ", break_on_hyphens=False))
    return lines


def confirm(question: str) -> bool | None:
    """Ask on the terminal; ``None`` when there is no terminal to answer."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return None
    return answer.strip().lower() in ("y", "yes")


def pack(code: Path, out: Path, student_files) -> list[str]:
    """Write the zip of the graded files that exist; return the packed names."""
    names = [rel for rel in student_files if (code / rel).is_file()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in names:
            archive.write(code / rel, rel)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.submit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--homework", default=None,
                        help="the homework (HWn; default: the one --code belongs to, or the only one here)")
    parser.add_argument("--code", type=Path, default=None, help="your code folder (default: HWn/code)")
    parser.add_argument("--out", type=Path, default=None, help="zip to write (default: HWn-submission.zip)")
    parser.add_argument("--force", action="store_true",
                        help="pack without asking, even if the preflight finds problems or functions are unfinished")
    args = parser.parse_args(argv)
    root = Path.cwd()
    try:
        homework = Homework(root, args.homework or (from_path(root, args.code) if args.code else None))
    except UnknownHomework as exc:
        parser.error(str(exc))
    args.code = args.code or homework.code
    args.out = args.out or Path(f"{homework.name}-submission.zip")
    student_files = homework.student_files
    if not args.code.is_dir():
        parser.error(f"--code {args.code} is not a folder")
    problems = preflight(args.code, student_files)
    for line in problems:
        print(f"preflight: {line}")
    if problems and not args.force:
        print("Nothing packed. Fix the lines above (or pass --force to pack anyway).")
        return 1
    todo = unfinished(args.code, student_files)
    if todo:
        count = sum(len(functions) for functions in todo.values())
        print(f"{count} function(s) still raise NotImplementedError and earn no points:")
        for line in describe_unfinished(todo):
            print(line)
        required = any(label != "Extra credit" for functions in todo.values() for _, label in functions)
        if required and not args.force:
            answer = confirm("Pack anyway?")
            if answer is None:
                print("Nothing packed: there is no terminal to confirm. Run `make submit FORCE=1` "
                      "(python -m harness.submit --force) to pack these files as they are.")
                return 1
            if not answer:
                print("Nothing packed.")
                return 1
    packed = pack(args.code, args.out, student_files)
    print(f"packed {args.out}:")
    for rel in packed:
        print(f"  {rel}  ({(args.code / rel).stat().st_size} bytes)")
    print("Upload this zip to the Gradescope assignment for your code (your report is a separate PDF assignment).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
