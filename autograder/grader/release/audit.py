"""Release audits: ``python -m grader.release.audit {handout,drift} --homework HWn --help``.

``handout``: the homework's student handout leaks nothing. It holds only the allowed top-level
entries (its own ``HWn/``, ``tests/harness`` and ``tests/HWn``: no other homework); no hidden
test, grading package or solution file; no student function whose body
equals the reference's (bodies compared as syntax trees, docstrings aside); no line of a
hidden test or of a solution body; no staff path; its rubric has no hidden entry; and no
shipped text names a file or document students do not receive (the name of any file of
``autograder/`` that the handout lacks, the staff design documents) or a staff-only tool
(:data:`STAFF_WORDS`).

``drift``: every stub and its solution agree on module names, public names, signatures,
defaults and docstrings (the stub must be exactly what :mod:`grader.release.stubs` generates),
the given files are the staff copy (the solutions hold none of their own), and the table of
documented tuple returns that feedback relies on matches the reference's ``return`` statements.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import zipfile
from pathlib import Path

from grader.release import build, handout
from grader.release.stubs import make_stub
from grader.submission.secrets import leaks, secret_lines
from harness.homework import TABLE, Homework, add_homework_argument, chosen_homework

ROOT = build.ROOT
ALLOWED_TOP = {"tests", "Makefile", "requirements.txt", "pyproject.toml"}  # and the homework's own HWn/
STAFF_MARKERS = ("/autograder/source", "autograder/grader", "# BEGIN SOLUTION", "# BEGIN HIDDEN")
# Words for things students never get: staff documents, the staff wheel cache, staff-only tools, the
# grading package's modules, and the staff's own quality machinery (the corpus of graded submissions,
# the grader's own tests, the knock-out check, the calibration runs and their scripts, the staff
# folders). Shipped text speaks to students: "measured by the course staff", not "calibration"; "the
# grader checks", not "the corpus".
STAFF_WORDS = {"HWn-SPEC": r"HW\d+-SPEC", "DESIGN.md": r"DESIGN\.md", "AUTHORING.md": r"AUTHORING\.md",
               "/opt/wheels": r"/opt/wheels", "ruff": r"\bruff\b", "CI": r"\bCI\b", ".ci/": r"\.ci/",
               "the grading package": r"\bgrader\.(submission|release|quality|operations|bench)\b",
               "corpus": r"(?i)\bcorpus\b", "the grader's own tests": r"(?i)\bgrader(?:'s)? own tests?\b",
               "grader test": r"(?i)\bgrader tests?\b", "knock-out": r"(?i)\bknock-?outs?\b",
               "calibration": r"(?i)\bcalibrat\w*", "autograder/": r"(?<![\w/])autograder/"}


# Not staff files' names: Python's and pytest's own (naming them reveals nothing), and the homework
# template's files (``make new-homework`` writes them into every new homework, whose audit checks its own).
GENERIC_NAMES = ("__init__.py", "conftest.py")
TEMPLATE = "autograder/grader/release/template"


def staff_names(root: Path, shipped: set[str]) -> set[str]:
    """Names of staff files (under ``autograder/``) that the handout does not hold under the same name."""
    shipped_names = {Path(name).name for name in shipped}
    return {path.name for path in build.files_under(root, "autograder") if path.name not in shipped_names
            and path.name not in GENERIC_NAMES and "corpus" not in path.relative_to(root).parts
            and not path.relative_to(root).as_posix().startswith(f"{TEMPLATE}/") and not path.name.startswith(".")}


def staff_mentions(text: str, names: set[str]) -> list[str]:
    """The staff file names and :data:`STAFF_WORDS` that ``text`` mentions."""
    found = [name for name in sorted(names) if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text)]
    return found + [word for word, pattern in STAFF_WORDS.items() if re.search(pattern, text)]


def _bodies(source: str) -> dict[str, str]:
    """Qualified function name -> dump of its body without the docstring."""
    out = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = child.body
                if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                    body = body[1:]
                out[prefix + child.name] = "\n".join(ast.dump(stmt) for stmt in body)
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")

    visit(ast.parse(source), "")
    return out


def _has_solution(source: str) -> set[str]:
    """Qualified names of the functions of a solution file that contain a solution block."""
    owners = set()
    lines = source.splitlines()

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                span = lines[child.lineno - 1: child.end_lineno]
                if not isinstance(child, ast.ClassDef) and any(ln.strip() == "# BEGIN SOLUTION" for ln in span):
                    owners.add(name)
                visit(child, name + ".")

    visit(ast.parse(source), "")
    return owners


def audit_handout(zip_path: Path, homework: Homework) -> list[str]:
    problems = []
    with zipfile.ZipFile(zip_path) as archive:
        files = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist() if "/" in name}
    tests = homework.rel(homework.tests)
    for name in files:
        top = name.split("/", 1)[0]
        if top not in ALLOWED_TOP | {homework.name}:
            problems.append(f"{name}: not allowed in the handout")
        if top == "tests" and not name.startswith(("tests/harness/", f"{tests}/")):
            problems.append(f"{name}: not this homework's tests")
        if name.startswith(("autograder/", "solutions/")) or "_hidden" in name:
            problems.append(f"{name}: staff file in the handout")
    secrets = secret_lines(homework.root)
    names = staff_names(homework.root, set(files))
    for name, data in files.items():
        if not name.endswith((".py", ".md", ".txt", ".toml", "Makefile")):
            continue
        text = data.decode("utf-8", errors="replace")
        for marker in STAFF_MARKERS:
            if marker in text:
                problems.append(f"{name}: contains staff marker {marker!r}")
        for mention in staff_mentions(text, names):
            problems.append(f"{name}: names {mention!r}, which students do not receive")
        leaked = leaks(text, secrets)
        if leaked:
            problems.append(f"{name}: contains a hidden or reference line: {leaked[0]!r}")
    code = homework.rel(homework.code)
    for rel in homework.student_files:
        stub = files.get(f"{code}/{rel}")
        if stub is None:
            problems.append(f"{code}/{rel}: missing from the handout")
            continue
        solution = (homework.solutions / rel).read_text()
        answered = _has_solution(solution)
        stub_bodies, solution_bodies = _bodies(stub.decode()), _bodies(solution)
        for name, body in stub_bodies.items():
            if name in answered and solution_bodies.get(name) == body:
                problems.append(f"{code}/{rel}: {name} has the reference implementation")
    table = files.get(f"{tests}/{TABLE}", b"")
    if b"_hidden.py" in table or b"autograder/" in table:
        problems.append(f"{tests}/{TABLE}: lists hidden tests")
    return problems


def audit_drift(homework: Homework) -> list[str]:
    problems = []
    code, solutions = homework.rel(homework.code), homework.rel(homework.solutions)
    for rel in homework.student_files:
        solution, stub = homework.solutions / rel, homework.code / rel
        if not solution.exists() or not stub.exists():
            problems.append(f"{rel}: {'solution' if not solution.exists() else 'stub'} missing")
            continue
        expected = make_stub(solution.read_text(), rel, homework)
        if expected != stub.read_text():
            problems.append(f"{code}/{rel} differs from what {solutions}/{rel} generates (run `make stubs`)")
        public = lambda src: sorted(n for n in _bodies(src) if "." not in n and not n.startswith("_"))  # noqa: E731
        if public(solution.read_text()) != public(stub.read_text()):
            problems.append(f"{rel}: public functions differ between stub and solution")
    problems += audit_returns(homework)
    for rel in homework.given_files:
        if not (homework.code / rel).exists():
            problems.append(f"given file {code}/{rel} missing")
        if (homework.solutions / rel).exists():
            problems.append(f"{solutions}/{rel}: given files live only in {code} (one copy)")
    return problems


def _tuple_returns(source: str) -> dict[str, set[int]]:
    """Module-level function -> the lengths of the tuples its ``return`` statements build (0: not a tuple)."""
    found: dict[str, set[int]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            lengths = found.setdefault(node.name, set())
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    lengths.add(len(inner.value.elts) if isinstance(inner.value, ast.Tuple) else 0)
    return found


def audit_returns(homework: Homework) -> list[str]:
    """The table's ``RETURNS`` (the arity feedback checks) matches every return of the reference.

    A function listed there returns tuples of exactly that length; a public function that
    returns a literal tuple is listed. Returns delegated to a helper are taken on trust.
    """
    problems = []
    lengths: dict[str, set[int]] = {}
    for rel in homework.student_files:
        for name, found in _tuple_returns((homework.solutions / rel).read_text()).items():
            lengths.setdefault(name, set()).update(found)
    for name, names in homework.returns.items():
        if name not in lengths:
            problems.append(f"RETURNS names {name}, which no solution defines")
        elif lengths[name] - {0} and lengths[name] - {0} != {len(names)}:
            problems.append(f"RETURNS says {name} returns {len(names)} values; the reference returns "
                            f"tuples of {sorted(lengths[name] - {0})}")
    for name, found in lengths.items():
        if not name.startswith("_") and name not in homework.returns and found - {0}:
            problems.append(f"{name} returns a tuple in the reference but is missing from RETURNS")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.release.audit", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="audit", required=True)
    check = sub.add_parser("handout", help="the handout zip leaks nothing")
    check.add_argument("--zip", type=Path, default=None, help="audit this zip (default: build one)")
    drift = sub.add_parser("drift", help="stubs and solutions agree; given files have one copy")
    for command in (check, drift):
        add_homework_argument(command)
    args = parser.parse_args(argv)
    homework = chosen_homework(parser, ROOT, args.homework)
    if args.audit == "handout":
        problems = audit_handout(args.zip or handout.build_handout(homework), homework)
    else:
        problems = audit_drift(homework)
    for line in problems:
        print(f"audit {args.audit} {homework.name}: {line}")
    print(f"audit {args.audit} {homework.name}: {'FAILED' if problems else 'clean'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
