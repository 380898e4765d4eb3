"""The student-facing contract as data: signatures, documented returns, who calls whom, and
which test numbers exercise each function. Used to word feedback (the signature a student
should keep, the tuple a function should return, the test that shows a dependency failing).

Signatures are read from the source of the files students were given (the stubs in
``HW1/code``) or, when grading, from the reference: both carry the same ``def`` lines
(``make check-stubs``). ``RETURNS`` lists the functions that return tuples; a drift audit checks it
against every ``return`` of the reference.
"""

from __future__ import annotations

import ast
from functools import cached_property
from pathlib import Path

from harness import layout

# The functions that return a tuple, and the names of its items (docstrings say the same).
_EVALUATE = ("value_func", "n_sweeps")
_POLICY_ITERATION = ("policy", "value_func", "n_improvements", "n_eval_sweeps")
RETURNS: dict[str, tuple[str, ...]] = {
    "extract_model": ("T", "R", "terminal"),
    "run_episode": ("observations", "actions", "rewards"),
    "evaluate_policy_mc": ("mean_return", "success_rate"),
    "evaluate_policy_sync": _EVALUATE,
    "evaluate_policy_async_ordered": _EVALUATE,
    "evaluate_policy_async_randperm": _EVALUATE,
    "improve_policy": ("new_policy", "policy_changed"),
    "policy_iteration_sync": _POLICY_ITERATION,
    "policy_iteration_async_ordered": _POLICY_ITERATION,
    "policy_iteration_async_randperm": _POLICY_ITERATION,
    "value_iteration_sync": _EVALUATE,
    "value_iteration_async_ordered": _EVALUATE,
    "value_iteration_async_randperm": _EVALUATE,
    "value_iteration_async_custom": _EVALUATE,
    "scaled_dot_product_attention": ("output", "weights"),
    "evaluate": ("mean_loss", "accuracy"),
    "tf_scaled_dot_product_attention": ("output", "weights"),
    "collect_demonstrations": ("obs", "actions"),
}

MODULES = {Path(rel).stem: rel for rel in layout.STUDENT_FILES}


class Contract:
    """What the handout promises about each student function.

    ``sources``: folders laid out like ``HW1/code`` (searched in order for each file);
    ``rubric``: the ``tests/rubric.py`` module (``TESTS`` and ``CALLS``), or ``None``.
    """

    def __init__(self, sources: list[Path], rubric=None) -> None:
        self.sources = [Path(s) for s in sources]
        self.rubric = rubric

    @cached_property
    def _definitions(self) -> dict[str, tuple[str, str]]:
        """``name`` / ``Class.method`` -> (``def`` line, file relative to HW1/code)."""
        found: dict[str, tuple[str, str]] = {}
        for rel in layout.STUDENT_FILES:
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

    @staticmethod
    def returns(function: str) -> tuple[str, ...] | None:
        return RETURNS.get(function)

    @cached_property
    def _tests_by_function(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for problem, tests in getattr(self.rubric, "TESTS", {}).items():
            for index, test in enumerate(tests, start=1):
                for function in test.functions:
                    out.setdefault(function, []).append(f"{problem}.{index}")
        return out

    def tests_of(self, function: str) -> list[str]:
        """Numbers of the tests that exercise ``function`` directly (first is its own first test)."""
        return self._tests_by_function.get(function, [])

    def calls(self, function: str) -> tuple[str, ...]:
        """The student functions ``function`` calls by the contract (``CALLS`` in the rubric)."""
        return tuple(getattr(self.rubric, "CALLS", {}).get(function, ()))

    def file_of(self, name: str) -> str | None:
        """The student file (relative to HW1/code) defining a function or a class."""
        entry = self._definitions.get(name)
        if entry:
            return entry[1]
        return next((rel for key, (_, rel) in self._definitions.items() if key.startswith(f"{name}.")), None)

    def tracked(self, files) -> tuple[str, ...]:
        """``module.name`` of every function or class that another calls by the contract, among
        ``files``: the worker records when they run, so a dependency note names only what ran."""
        callees = sorted({d for deps in getattr(self.rubric, "CALLS", {}).values() for d in deps})
        return tuple(f"{Path(rel).stem}.{name}" for name in callees
                     for rel in [self.file_of(name)] if rel is not None and rel in files)

    def rank(self, function: str, _seen: frozenset = frozenset()) -> int:
        """0 for a function that calls no other by the contract, else 1 + the largest rank of those
        it calls: tests run callees first, so a caller's note can cite their outcome."""
        if function in _seen:
            return 0
        return max((1 + self.rank(d, _seen | {function}) for d in self.calls(function)), default=0)
