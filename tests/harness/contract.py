"""The student-facing contract as data: signatures, documented returns, who calls whom, and
which test numbers exercise each function. Used to word feedback (the signature a student
should keep, the tuple a function should return, the test that shows a dependency failing).

Signatures are read from the source of the files students were given (the stubs in
``HWn/code``) or, when grading, from the reference: both carry the same ``def`` lines
(``make check-stubs``). The homework's table lists the functions that return tuples
(``RETURNS``; a drift audit checks it against every ``return`` of the reference) and who calls
whom (``CALLS``).
"""

from __future__ import annotations

import ast
from functools import cached_property
from pathlib import Path

from harness.homework import Homework


class Contract:
    """What the handout promises about each student function.

    ``sources``: folders laid out like ``HWn/code`` (searched in order for each file);
    ``homework``: the :class:`harness.homework.Homework` whose table says the rest, or ``None``.
    """

    def __init__(self, sources: list[Path], homework: Homework | None = None) -> None:
        self.sources = [Path(s) for s in sources]
        self.homework = homework

    @cached_property
    def name(self) -> str:
        """The homework's name (how messages cite its README), "the homework" without one."""
        return self.homework.name if self.homework else "the homework"

    @cached_property
    def modules(self) -> dict[str, str]:
        return self.homework.modules if self.homework else {}

    @cached_property
    def error_hints(self) -> tuple:
        return tuple(getattr(self.homework.table, "ERROR_HINTS", ())) if self.homework else ()

    @cached_property
    def displays(self) -> dict:
        return self.homework.displays if self.homework else {}

    @cached_property
    def packages(self) -> str:
        default = "the packages of requirements.txt"
        return getattr(self.homework.table, "PACKAGES", default) if self.homework else default

    @cached_property
    def _definitions(self) -> dict[str, tuple[str, str]]:
        """``name`` / ``Class.method`` -> (``def`` line, file relative to ``HWn/code``)."""
        found: dict[str, tuple[str, str]] = {}
        for rel in self.homework.student_files if self.homework else ():
            path = next((s / rel for s in self.sources if (s / rel).is_file()), None)
            if path is None:
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, ValueError):
                continue
            for node in tree.body:
                if isinstance(node, ast.FunctionDef):
                    found.setdefault(node.name, (f"def {node.name}({ast.unparse(node.args)})", rel))
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef):
                            found.setdefault(f"{node.name}.{item.name}",
                                             (f"def {item.name}({ast.unparse(item.args)})", rel))
        return found

    def signature(self, name: str) -> str | None:
        """The documented ``def`` line of a student function or ``Class.method``."""
        entry = self._definitions.get(name)
        return entry[0] if entry else None

    def is_student_function(self, name: str) -> bool:
        return name in self._definitions

    def returns(self, function: str) -> tuple[str, ...] | None:
        return self.homework.returns.get(function) if self.homework else None

    @cached_property
    def _tests_by_function(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for problem, tests in (self.homework.tests_table if self.homework else {}).items():
            for index, test in enumerate(tests, start=1):
                for function in test.functions:
                    out.setdefault(function, []).append(f"{problem}.{index}")
        return out

    def tests_of(self, function: str) -> list[str]:
        """Numbers of the tests that exercise ``function`` directly (first is its own first test)."""
        return self._tests_by_function.get(function, [])

    def calls(self, function: str) -> tuple[str, ...]:
        """The student functions ``function`` calls by the contract (``CALLS`` in the table)."""
        return tuple(self.homework.calls.get(function, ())) if self.homework else ()

    def file_of(self, name: str) -> str | None:
        """The student file (relative to ``HWn/code``) defining a function or a class."""
        entry = self._definitions.get(name)
        if entry:
            return entry[1]
        return next((rel for key, (_, rel) in self._definitions.items() if key.startswith(f"{name}.")), None)

    def tracked(self, files) -> tuple[str, ...]:
        """``module.name`` of every function or class that another calls by the contract, among
        ``files``: the worker records when they run, so a dependency note names only what ran."""
        calls = self.homework.calls if self.homework else {}
        callees = sorted({d for deps in calls.values() for d in deps})
        return tuple(f"{Path(rel).stem}.{name}" for name in callees
                     for rel in [self.file_of(name)] if rel is not None and rel in files)

    def rank(self, function: str, _seen: frozenset = frozenset()) -> int:
        """0 for a function that calls no other by the contract, else 1 + the largest rank of those
        it calls: tests run callees first, so a caller's note can cite their outcome."""
        if function in _seen:
            return 0
        return max((1 + self.rank(d, _seen | {function}) for d in self.calls(function)), default=0)
