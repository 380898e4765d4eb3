"""One diagnosis per root cause: how a worker's error becomes the message a student reads.

A :class:`Diagnosis` lives as long as a problem's worker and remembers what it has already
reported: a file that did not import and a function that is missing are explained in full
once, in the first test that needs them; every later test says "not graded" and cites that
test's number. It also words the common API mistakes (a signature that differs from the
documented one, a tuple of the wrong length, an import of a package the grader does not install,
and the hints for exceptions the homework declares in ``ERROR_HINTS``: its table's, such as
``env.P`` on a wrapped environment, and a test module's own), names the failing dependency when
a function fails inside another student function it calls, notes input mutation once per
function, and hands out the seed of each call.

Dependency notes are claims, so each is checked: a note names a function only if this test's
calls ran it (the worker reports the tracked functions that ran, and the student frames of an
exception) and only cites a test of it that failed in this run (``failures``, shared with the
pytest plugin, which records each case's outcome as it finishes; a case that could not run,
for a spent time budget or a module that did not import, is no failure of its function).
"""

from __future__ import annotations

import re
from pathlib import Path

from harness import sandbox
from harness.contract import Contract
from harness.errors import NotGraded, NotImplementedYet, StudentCodeError, StudentException
from harness.seeding import seed_for

SIGNATURE_ERROR = re.compile(
    r"^(?P<name>[\w.]+)\(\) (got an unexpected keyword argument|got multiple values for argument|"
    r"missing \d+ required|takes \d+ positional|takes from \d+ to \d+ positional|takes no arguments)")


def _bare(name: str) -> str:
    """``Class.method`` -> ``Class`` when the method is ``__init__`` (how students know it)."""
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


class Diagnosis:
    """Per-worker memory of reported root causes; see the module docstring."""

    def __init__(self, contract: Contract | None = None, failures: dict | None = None) -> None:
        self.contract = contract or Contract([])
        self.nodeid = ""
        self.number = "?"
        self._calls = 0
        self.import_failures: dict[str, str] = {}  # file -> number of the test that explained it
        self.missing: dict[str, str] = {}  # module.function -> number of the test that explained it
        self.mutations: dict[str, str] = {}  # function -> number of the first test that saw it
        self._notes: list[str] = []
        # function -> its first own test case that failed in this run: {"number", "case", "name"}
        self.failures: dict[str, dict] = failures if failures is not None else {}
        self.ran: set[str] = set()  # tracked student functions this test's calls ran
        self.error_hints: tuple = ()  # (exception type, regex, hint) of the test's module

    def begin_test(self, nodeid: str, number: str, error_hints=()) -> None:
        self.nodeid, self.number, self._calls, self._notes = nodeid, number, 0, []
        self.ran = set()
        self.error_hints = tuple(error_hints)

    def saw_ran(self, names) -> None:
        """The tracked student functions that ran during one call of this test."""
        self.ran.update(str(name) for name in names)

    # -- dependencies ---------------------------------------------------------------------------
    def own_failure(self, function: str) -> dict | None:
        """The first case of ``function``'s own tests that failed in this run so far, if any."""
        return self.failures.get(function)

    def _fails_own(self, function: str) -> str:
        failed = self.own_failure(function)
        if not failed:
            return ""
        name = f" ({failed['name']})" if failed.get("name") else ""
        return f"test {failed['number']}{name}"

    def dependency_notes(self, functions, told: str = "") -> list[str]:
        """Notes for a failing case of ``functions``: each function they call by the contract that
        this test's calls ran and that fails its own test (one already named in ``told`` is skipped)."""
        notes = []
        for caller in functions:
            for dependency in self.contract.calls(caller):
                if dependency in functions or dependency not in self.ran:
                    continue
                if f"inside {dependency}," in told or f"it calls {dependency}," in told:
                    continue
                own = self._fails_own(dependency)
                if own:
                    notes.append(f"Note: this test ran your {dependency} (called by {caller}), which fails its own "
                                 f"{own}. Fix {dependency} first: this test may then pass.")
        return notes

    def next_seed(self) -> int:
        """The seed for the global generators before the next call of this test."""
        self._calls += 1
        return seed_for(self.nodeid, self._calls)

    # -- input mutation -------------------------------------------------------------------------
    def saw_mutation(self, message: dict, mutated: list) -> None:
        if not mutated or message.get("op") != "call":
            return
        function = str(message.get("function"))
        first = self.mutations.setdefault(function, self.number)
        names = ", ".join(str(m) for m in mutated)
        seen = "" if first == self.number else f" (first seen in test {first})"
        note = (f"Note: {function} changed its input {names} in place{seen}. Inputs are never mutated "
                f"({self.contract.name}/README.md conventions): work on a copy (np.array(x, dtype=float) or x.copy()).")
        if note not in self._notes:
            self._notes.append(note)

    def notes(self) -> str:
        """Notes to append to a failing test's message (input mutation seen during it)."""
        return "\n".join(self._notes)

    # -- returns ----------------------------------------------------------------------------------
    def check_returns(self, module: str, function: str, result, what: str) -> None:
        """A function documented to return a tuple of n values returned exactly that."""
        names = self.contract.returns(function)
        if names is None:
            return
        if isinstance(result, (tuple, list)) and len(result) == len(names):
            return
        got = (f"a {type(result).__name__} of {len(result)} values" if isinstance(result, (tuple, list))
               else f"a single {type(result).__name__}")
        raise StudentException(f"{what} returned {got}; the documented return is a tuple of {len(names)} "
                               f"values ({', '.join(names)}). Return them in that order: "
                               f"`return {', '.join(names)}`.")

    # -- errors -----------------------------------------------------------------------------------
    def error(self, error: dict, message: dict, what: str, output: str) -> StudentCodeError:
        """The student-facing exception for a worker's ``{"error": ...}`` answer."""
        kind = error.get("kind")
        text = str(error.get("message", ""))
        trace = str(error.get("traceback", ""))
        if kind == "sandbox":  # the grader's own verdict on what the call did (channel, writable space)
            return StudentException(f"{what}: {text}", output)
        limit = sandbox.limit_hint(error.get("errno"))
        if limit:
            text += f" ({limit})"
        broken = error.get("import_of")
        if broken:
            return self._import_failure(str(broken), error, what, output)
        missing = error.get("missing")
        if missing:
            return self._missing(str(missing), what, output)
        called = str(message.get("function", "")) if message.get("op") == "call" else None
        dependency = self._dependency(error.get("frames") or [], called)
        if kind == "not_implemented":
            if dependency:
                own = self._fails_own(dependency)
                return NotImplementedYet(f"{what} could not be graded: it calls {dependency}, which is not "
                                         f"implemented yet{f' (see {own})' if own else ''}.", output)
            return NotImplementedYet(f"{what}: not implemented yet ({text or 'NotImplementedError'}).", output)
        if kind == "exit":
            return StudentException(f"{what} called sys.exit({text}); graded code must return, not exit.", output)
        lines = [f"{what} raised {error.get('type')}: {text}"]
        if dependency:
            own = self._fails_own(dependency)
            lines.append(f"It was raised inside {dependency}, which this function calls"
                         + (f"; {dependency} also fails its own {own}." if own else "."))
        if trace:
            lines.append(f"Traceback (student files only):\n{trace.rstrip()}")
        hint = self._hint(str(error.get("type")), text)
        if hint:
            lines.append(f"Hint: {hint}")
        return StudentException("\n".join(lines), output)

    def _dependency(self, frames: list, called: str | None) -> str | None:
        """The student function, other than the one called, in which the error was raised."""
        names = [str(f[1]) for f in frames if isinstance(f, (list, tuple)) and len(f) == 2]
        names = [n for n in names if not n.startswith("_") and self.contract.is_student_function(n)]
        if not names:
            return None
        innermost, outermost = names[-1], called or names[0]
        return innermost if innermost != outermost and innermost != _bare(outermost) else None

    def _hint(self, error_type: str, text: str) -> str | None:
        for kind, pattern, hint in (*self.contract.error_hints, *self.error_hints):  # the table's, the module's
            if error_type == kind and re.search(pattern, text):
                return hint
        match = SIGNATURE_ERROR.match(text) if error_type == "TypeError" else None
        if match:
            name = match.group("name")
            signature = self.contract.signature(name) or self.contract.signature(f"{name}.__init__")
            if signature:
                return (f"keep the documented signature of {_bare(name)} (names, order and defaults): "
                        f"`{signature}`. The grader calls it exactly as documented.")
        if error_type == "ModuleNotFoundError":
            return f"the grader installs only the packages of requirements.txt ({self.contract.packages})."
        return None

    def _import_failure(self, rel: str, error: dict, what: str, output: str) -> StudentCodeError:
        name = Path(rel).name
        if rel in self.import_failures:
            return NotGraded(f"{what}: not graded: {name} did not import (see test {self.import_failures[rel]}).",
                             output)
        self.import_failures[rel] = self.number
        lines = [f"{name} could not be imported, so nothing in it can be graded: "
                 f"{error.get('type')}: {error.get('message', '')}"]
        trace = str(error.get("traceback", ""))
        if trace:
            lines.append(f"Traceback (student files only):\n{trace.rstrip()}")
        if error.get("type") == "ModuleNotFoundError":
            lines.append(f"Hint: the grader installs only the packages of requirements.txt ({self.contract.packages}). "
                         "Remove the import, or move it inside the function that needs it (plotting in main).")
        lines.append(f"Every other test that needs {name} says \"not graded\" and points here.")
        return StudentException("\n".join(lines), output)

    def _missing(self, qualified: str, what: str, output: str) -> StudentCodeError:
        module, _, function = qualified.partition(".")
        file = Path(self.contract.modules.get(module, module + ".py")).name
        if qualified in self.missing:
            return NotGraded(f"{what}: not graded: {function} is missing from {file} "
                             f"(see test {self.missing[qualified]}).", output)
        self.missing[qualified] = self.number
        signature = self.contract.signature(function)
        define = f" with the documented signature `{signature}`" if signature else ""
        return StudentException(f"{file} has no {function}: define it at the top level of {file}{define}. "
                                "Tests that need it say \"not graded\" and point here.", output)
