"""Knock out one student function of the reference at a time and check who loses points.

``python -m grader.quality.knockout --homework HWn [--problems 2,4] [--only NAME,...] [--jobs 2]`` (``--help``).

A wrong function must cost only its own points. For every function or method that holds a
solution block, the reference with that body alone raising ``NotImplementedError`` (what
``make stubs`` writes for it) is graded by the public and hidden tests of each problem
that exercises it. A test case may lose points only if it exercises the function:

- directly: the table entry's ``functions``, narrowed to those its case id names;
- by the contract: ``CALLS`` in the homework's table (policy iteration calls evaluation...);
- inside the reference: a function it calls by name, a method of its class or a base
  class, a class it uses (read from the solutions' source, :func:`reference_calls`).

Problems whose cases exercise none of a file's knocked functions are graded once with all
of those knocked out together: they must lose nothing. The run prints a table, function
-> points lost, and every case that lost points it should not have; it exits 1 if any did.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.release import stubs
from harness.homework import Homework, add_homework_argument, chosen_homework
from harness.homework import case_functions as homework_case_functions
from harness.scoring import case_fraction

ROOT = Path(__file__).resolve().parents[3]


# ------------------------------------------------------------------------------ call graph


def reference_calls(homework: Homework, solutions: Path) -> dict[str, set[str]]:
    """Edges of the reference's own call graph over every student file.

    Nodes are module-level functions and classes (``name``) and methods (``Class.method``).
    A function points to the names it uses (functions and classes of any student file) and,
    inside a class, to the methods it reaches through ``self.`` or ``super().``; a class
    points to its methods and to its base classes' (what using the class can run).
    """
    trees = {rel: ast.parse((solutions / rel).read_text()) for rel in homework.student_files}
    classes: dict[str, ast.ClassDef] = {}
    functions: set[str] = set()
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                classes[node.name] = node
            elif isinstance(node, ast.FunctionDef):
                functions.add(node.name)

    def methods(name: str) -> list[str]:
        cls = classes.get(name)
        if cls is None:
            return []
        own = [f"{name}.{item.name}" for item in cls.body if isinstance(item, ast.FunctionDef)]
        bases = [b.id for b in cls.bases if isinstance(b, ast.Name) and b.id in classes]
        return own + [m for base in bases for m in methods(base)]

    def resolve(cls: str, attr: str, bases_only: bool = False) -> str | None:
        names = [b.id for b in classes[cls].bases if isinstance(b, ast.Name)] if bases_only else [cls]
        for method in (m for name in names for m in methods(name)):
            if method.rsplit(".", 1)[1] == attr:
                return method
        return None

    def uses(body: ast.AST, owner_class: str | None) -> set[str]:
        found = set()
        for node in ast.walk(body):
            if isinstance(node, ast.Name) and (node.id in functions or node.id in classes):
                found.add(node.id)
            elif isinstance(node, ast.Attribute) and owner_class is not None:
                base = node.value
                is_self = isinstance(base, ast.Name) and base.id == "self"
                is_super = isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "super"
                if is_self or is_super:
                    target = resolve(owner_class, node.attr, bases_only=is_super)
                    if target:
                        found.add(target)
        return found

    graph: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                graph[node.name] = uses(node, None)
            elif isinstance(node, ast.ClassDef):
                graph[node.name] = set(methods(node.name))
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        graph[f"{node.name}.{item.name}"] = uses(item, node.name)
    return graph


def closure(names, graph: dict[str, set[str]], calls: dict[str, tuple[str, ...]]) -> set[str]:
    """Everything ``names`` can run: the reference's calls plus the contract's ``CALLS``."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(graph.get(name, ()))
        stack.extend(calls.get(name, ()))
        stack.extend(calls.get(name.split(".", 1)[0], ()) if "." in name else ())
    return seen


case_functions = homework_case_functions  # the functions a case exercises: those its id names, else its test's


# ---------------------------------------------------------------------------------- grading


@dataclasses.dataclass(frozen=True)
class Knockout:
    """Functions (qualified names) knocked out together in their files, graded on ``problems``."""

    label: str
    targets: tuple[tuple[str, str], ...]  # (file relative to HWn/code, qualified function)
    problems: tuple[int, ...]


def knocked_code(homework: Homework, targets, solutions: Path, given: Path, into: Path) -> Path:
    """A code folder: the solutions with the ``targets`` stubbed, given files beside them."""
    for rel in homework.given_files:
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(given / rel, into / rel)
    by_file: dict[str, set[str]] = {}
    for rel, owner in targets:
        by_file.setdefault(rel, set()).add(owner)
    for rel in homework.student_files:
        source = (solutions / rel).read_text()
        if rel in by_file:
            source = stubs.make_stub(source, rel, homework, only=by_file[rel])
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        (into / rel).write_text(source)
    return into


def grade_cases(homework: Homework, code: Path, problems, timeout: float = 900) -> dict[str, float]:
    """Run the public and hidden tests of ``problems`` on ``code``: ``{nodeid: fraction earned}``."""
    root = homework.root
    with tempfile.TemporaryDirectory(prefix="grader-knockout-log-") as scratch:
        log = Path(scratch) / "cases.jsonl"
        env = {**os.environ, "PYTHONPATH": f"{root / 'tests'}:{root / 'autograder'}",
               "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
        dirs = [homework.rel(d) for d in (homework.tests, homework.hidden) if d.is_dir()]
        cmd = [sys.executable, "-m", "pytest", *dirs, "--homework", homework.name, "--code", str(code),
               "--reference", str(homework.solutions),
               "--problems", ",".join(str(p) for p in problems), "--results-log", str(log),
               "--no-score-table", "-q", "-p", "no:cacheprovider"]
        subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        cases = {}
        for line in log.read_text().splitlines() if log.exists() else []:
            record = json.loads(line)
            cases[record["nodeid"]] = case_fraction(record["outcome"], record.get("credit"))
        return cases


def plan(homework: Homework, solutions: Path, problems: set[int] | None = None, only: set[str] | None = None):
    """The knock-outs to run, the table's tests by node, the reference's call graph and ``CALLS``."""
    graph = reference_calls(homework, solutions)
    calls = homework.calls
    problem_files = {p.number: p.files for p in homework.problems}
    tests = {t.node: (number, t) for number, entries in homework.tests_table.items() for t in entries}
    exercised_in: dict[int, set[str]] = {}
    for number, test in tests.values():
        exercised_in.setdefault(number, set()).update(closure(test.functions, graph, calls))
    runs: list[Knockout] = []
    unrelated: dict[int, list[tuple[str, str]]] = {}
    for rel in homework.student_files:
        for owner in stubs.solution_owners((solutions / rel).read_text()):
            if owner.split(".")[0].startswith("_") or (only and owner not in only and owner.split(".")[0] not in only):
                continue
            homes = tuple(n for n, files in problem_files.items() if rel in files and owner in exercised_in.get(n, ()))
            for number, files in problem_files.items():
                if rel in files and number not in homes:
                    unrelated.setdefault(number, []).append((rel, owner))
            homes = tuple(n for n in homes if problems is None or n in problems)
            if homes:
                runs.append(Knockout(owner, ((rel, owner),), homes))
    for number, targets in sorted(unrelated.items()):
        if problems is None or number in problems:
            names = ", ".join(o for _, o in targets)
            runs.append(Knockout(f"[problem {number} without: {names}]", tuple(targets), (number,)))
    return runs, tests, graph, calls


def allowed(nodeid: str, tests: dict, graph, calls) -> set[str]:
    _, test = tests[nodeid.split("[", 1)[0]]
    return closure(case_functions(nodeid, test.functions), graph, calls)


def _print(line: str) -> None:
    print(line, flush=True)


def run(homework: Homework, problems: set[int] | None = None, only: set[str] | None = None, jobs: int = 2,
        solutions: Path | None = None, given: Path | None = None, log=_print) -> dict:
    """Run the knock-outs; return ``{"rows": [...], "unexpected": [...]}`` (see the module docstring)."""
    solutions, given = solutions or homework.solutions, given or homework.code
    runs, tests, graph, calls = plan(homework, solutions, problems, only)
    wanted = sorted({p for r in runs for p in r.problems})
    baseline = grade_cases(homework, solutions, wanted)
    points = {}
    for node, (_, test) in tests.items():
        cases = [n for n in baseline if n.split("[", 1)[0] == node]
        for case in cases:
            points[case] = test.points / len(cases)
    with tempfile.TemporaryDirectory(prefix="grader-knockout-") as scratch:

        def grade(index_run):
            index, knockout = index_run
            started = time.monotonic()
            code = knocked_code(homework, knockout.targets, solutions, given, Path(scratch) / f"k{index}")
            return knockout, grade_cases(homework, code, knockout.problems), time.monotonic() - started

        rows, unexpected = [], []
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            for knockout, cases, seconds in pool.map(grade, enumerate(runs)):
                lost_by_case = {}
                for case, before in baseline.items():
                    if int(case_problem(case, tests)) not in knockout.problems:
                        continue
                    after = cases.get(case, 0.0)
                    if after < before - 1e-9:
                        lost_by_case[case] = points.get(case, 0.0) * (before - after)
                bad = [case for case in lost_by_case
                       if not any(owner in allowed(case, tests, graph, calls) for _, owner in knockout.targets)]
                lost = round(sum(lost_by_case.values()), 3)
                rows.append({"knocked": knockout.label, "problems": list(knockout.problems), "points_lost": lost,
                             "cases_lost": len(lost_by_case), "unexpected": bad, "seconds": round(seconds, 1)})
                unexpected += [(knockout.label, case) for case in bad]
                log(f"{knockout.label:<48} problems {','.join(map(str, knockout.problems)):<5} "
                    f"lost {lost:6.2f} pts in {len(lost_by_case):3d} cases; unexpected {len(bad)} ({seconds:.0f} s)")
    return {"rows": rows, "unexpected": unexpected}


def case_problem(nodeid: str, tests: dict) -> int:
    return tests[nodeid.split("[", 1)[0]][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.quality.knockout", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--problems", default="", help="comma-separated problems (default: all)")
    parser.add_argument("--only", default="", help="comma-separated functions or classes to knock out (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="knock-outs graded at once (default: 2)")
    parser.add_argument("--json", type=Path, default=None, help="also write the table as JSON here")
    args = parser.parse_args(argv)
    problems = {int(p) for p in args.problems.split(",") if p.strip()} or None
    only = {o.strip() for o in args.only.split(",") if o.strip()} or None
    homework = chosen_homework(parser, ROOT, args.homework)
    result = run(homework, problems, only, args.jobs)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    for label, case in result["unexpected"]:
        print(f"UNEXPECTED: knocking out {label} cost {case}")
    print(f"{len(result['rows'])} knock-outs, {len(result['unexpected'])} unexpected losses")
    return 1 if result["unexpected"] else 0


if __name__ == "__main__":
    sys.exit(main())
