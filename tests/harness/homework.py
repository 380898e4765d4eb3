"""A homework as the machinery sees it: its folders and its one table.

A course's homeworks live side by side in one project; homework ``HWn`` is content in four
folders, and everything else reads them through this module:

- ``HWn/code/``: what students receive (stubs generated from the solutions, given files);
- ``solutions/HWn/``: the reference implementations (same relative paths as ``HWn/code``);
- ``tests/HWn/``: the public tests, the homework's support modules (``probes/`` run in the
  student worker; helpers the tests import) and its table, ``tests/HWn/rubric.py``;
- a staff-only folder that students never receive (its hidden tests are run by Gradescope).

The table (``rubric.py``) declares: ``STUDENT_FILES`` (file relative to ``HWn/code`` -> its
problem), ``GIVEN_FILES``, ``FUNCTION_PROBLEMS`` (a function whose stub points at another
problem than its file's), ``PROBLEMS`` and ``TESTS`` (points, names, visibility, the functions
each test calls), ``CALLS`` (who calls whom by the contract), ``RETURNS`` (functions that return
tuples, and the names of their items), ``ERROR_HINTS`` (hints keyed by an error's type and
message), ``PACKAGES`` (what students may import), ``ORACLE_TESTS`` (tests whose PyTorch oracles
are recorded when the autograder zip is built) and ``HIDDEN_VISIBILITY``. Only ``STUDENT_FILES``,
``PROBLEMS`` and ``TESTS`` are required.

This module is part of the runtime students receive, so it uses the standard library only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import re
import sys
from functools import cached_property
from pathlib import Path
from types import ModuleType

NAME = re.compile(r"^HW(\d+)$")
TABLE = "rubric.py"


@dataclasses.dataclass(frozen=True)
class Problem:
    """One graded problem: its number, title, points and the files it grades.

    ``budget_s`` bounds the whole problem's test run when grading; ``memory_mb`` caps
    the student worker's data segment (TensorFlow alone needs about 300 MB of it).
    """

    number: int
    title: str
    points: float
    files: tuple[str, ...]
    budget_s: float = 60.0
    memory_mb: int = 1024
    extra_credit: bool = False

    @property
    def label(self) -> str:
        """How handouts and tables name the problem: its number, or "EC" for the extra credit."""
        return "EC" if self.extra_credit else str(self.number)

    @property
    def stub_label(self) -> str:
        """How a stub's ``NotImplementedError`` names the problem."""
        return "Extra credit" if self.extra_credit else f"Problem {self.number}"


@dataclasses.dataclass(frozen=True)
class Test:
    """One graded test (a test function; its parametrized cases share its points).

    ``functions`` names the student functions, classes or ``Class.method``s the test calls
    directly (bare names, as in the student file). A test that loops over several of them
    is parametrized so that each case calls one, and the case id names it (``[value_iteration_sync]``,
    ``[value_iteration_sync-4x4]``): such a case exercises only the functions its id names.
    The table's ``CALLS`` adds the functions each one calls by the contract: a broken function
    may cost only the cases of the functions that call it.
    """

    node: str
    points: float
    name: str
    visibility: str | None = None  # None: visible if public, the table's hidden default otherwise
    functions: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.node.split("::", 1)[0]

    @property
    def hidden(self) -> bool:
        return not self.path.startswith("tests/")


class UnknownHomework(ValueError):
    """A homework name that the project does not hold (the message lists those it does)."""


HOMEWORK_HELP = "the homework (HWn, or n; default: the only one)"


def add_homework_argument(parser) -> None:
    """The ``--homework`` option every staff tool takes (an ``argparse`` parser or subparser)."""
    parser.add_argument("--homework", default=None, help=HOMEWORK_HELP)


def chosen_homework(parser, root: Path, name: str | None) -> Homework:
    """The homework ``name`` picks under ``root``; an unknown one ends the tool with a usage error that
    lists the homeworks there are (``parser.error``)."""
    try:
        return Homework(root, name)
    except UnknownHomework as exc:
        parser.error(str(exc))


def names(root: Path) -> list[str]:
    """The homeworks under ``root`` (those with a table ``tests/HWn/rubric.py``), in number order."""
    found = [p.parent.name for p in Path(root).glob(f"tests/HW*/{TABLE}") if NAME.match(p.parent.name)]
    return sorted(found, key=lambda name: int(NAME.match(name).group(1)))


def resolve(root: Path, wanted: str | int | None) -> str:
    """``"2"``, ``2`` or ``"HW2"`` as a homework name; ``None``: the only homework there is."""
    there = names(root)
    if wanted in (None, ""):
        if len(there) == 1:
            return there[0]
        raise UnknownHomework(f"choose a homework ({', '.join(there) or 'none found'}): HW=n")
    name = str(wanted) if str(wanted).upper().startswith("HW") else f"HW{wanted}"
    name = name.upper()
    if name not in there:
        raise UnknownHomework(f"no homework {wanted!r} here; the homeworks are {', '.join(there) or 'none'}")
    return name


def from_path(root: Path, path: str | Path) -> str | None:
    """The homework whose graded tests or code a path names (``tests/HWn/...``, ``HWn/code/...``, or the
    homework's hidden tests), if any."""
    try:
        parts = (Path(root).resolve() / path).resolve().relative_to(Path(root).resolve()).parts
    except ValueError:
        return None
    candidates = {parts[1] if len(parts) > 1 and parts[0] == "tests" else None,
                  parts[1] if len(parts) > 2 and parts[0] == "autograder" and parts[2] == "hidden" else None,
                  parts[0] if parts and len(parts) > 1 and parts[1] == "code" else None}
    found = [name for name in candidates
             if name and NAME.match(name) and (Path(root) / "tests" / name / TABLE).is_file()]
    return found[0] if found else None


class Homework:
    """Homework ``name`` of the project (or handout, or autograder source) at ``root``."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = Path(root)
        self.name = resolve(self.root, name)

    def __repr__(self) -> str:
        return f"Homework({self.name!r})"

    # -- folders ------------------------------------------------------------------------------------
    @property
    def code(self) -> Path:
        return self.root / self.name / "code"

    @property
    def tests(self) -> Path:
        """Public tests, support modules and the table."""
        return self.root / "tests" / self.name

    @property
    def staff(self) -> Path:
        return self.root / "autograder" / self.name

    @property
    def hidden(self) -> Path:
        return self.staff / "hidden"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions" / self.name

    def rel(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()

    @cached_property
    def _key(self) -> str:
        """Tells apart homeworks of the same name in different projects (module names of their tables)."""
        return hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:12]

    # -- the table ----------------------------------------------------------------------------------
    @cached_property
    def table(self) -> ModuleType:
        """``tests/HWn/rubric.py``, imported under a name of its own (several homeworks, of several
        projects, may be loaded in one process)."""
        return load_module(self.tests / TABLE, f"_table_{self.name}_{self._key}")

    def _get(self, name: str, default):
        return getattr(self.table, name, default)

    @property
    def student_files(self) -> dict[str, int]:
        return dict(self.table.STUDENT_FILES)

    @property
    def given_files(self) -> tuple[str, ...]:
        return tuple(self._get("GIVEN_FILES", ()))

    @property
    def code_folders(self) -> tuple[str, ...]:
        """The sub-folders of ``HWn/code`` that hold its files, in the table's order."""
        folders = [Path(rel).parent.as_posix() for rel in [*self.student_files, *self.given_files]]
        return tuple(dict.fromkeys(f for f in folders if f != "."))

    @property
    def modules(self) -> dict[str, str]:
        """Student module name -> its file (``returns`` -> ``warmup/returns.py``)."""
        return {Path(rel).stem: rel for rel in self.student_files}

    @property
    def problems(self) -> list[Problem]:
        return list(self.table.PROBLEMS)

    @property
    def tests_table(self) -> dict[int, list[Test]]:
        return dict(self.table.TESTS)

    @property
    def calls(self) -> dict[str, tuple[str, ...]]:
        return dict(self._get("CALLS", {}))

    @property
    def returns(self) -> dict[str, tuple[str, ...]]:
        return dict(self._get("RETURNS", {}))

    @property
    def hidden_visibility(self) -> str:
        return self._get("HIDDEN_VISIBILITY", "after_published")

    @cached_property
    def displays(self) -> dict:
        """How each of the homework's probes appears in feedback (``DISPLAY`` of ``tests/HWn/probes``)."""
        init = self.tests / "probes" / "__init__.py"
        return dict(getattr(load_module(init, f"_probes_{self.name}_{self._key}"), "DISPLAY", {})) \
            if init.is_file() else {}

    def problem_of(self, rel: str, function: str | None = None) -> Problem:
        """The problem a student file (or a top-level function of it) belongs to."""
        number = self._get("FUNCTION_PROBLEMS", {}).get(f"{rel}:{function}", self.student_files[rel])
        return next(p for p in self.problems if p.number == number)

    def entries(self) -> dict[str, tuple[int, Test, str]]:
        """Each test node -> (problem, Test, number such as "2.3"); numbers follow the table's order."""
        return {test.node: (problem, test, f"{problem}.{index}")
                for problem, tests in self.tests_table.items() for index, test in enumerate(tests, start=1)}


def load_module(path: Path, module_name: str) -> ModuleType:
    """Import a module of a homework (its table, its probes) by path, once per ``module_name``."""
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{path} cannot be imported")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]
            raise
    return sys.modules[module_name]


def support_files(tests: Path) -> list[Path]:
    """The homework's support modules (probes, helpers) that the student worker may import:
    everything of ``tests/HWn`` but its table, its tests and its make fragments."""
    out = []
    for path in sorted(Path(tests).rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".mk"):
            continue
        if path.name in (TABLE, "conftest.py") or path.name.startswith("test_"):
            continue
        out.append(path)
    return out


def case_functions(nodeid: str, functions: tuple[str, ...]) -> tuple[str, ...]:
    """The functions a test case exercises: those its id names, else all of its test's."""
    case_id = nodeid.partition("[")[2].rstrip("]")
    tokens = set(re.split(r"[-\[\]]", case_id))
    named = tuple(f for f in functions if f in tokens)
    return named or functions
