"""Scratch projects for the grader's own tests: the machinery, and homeworks that no course holds.

The machinery is tested on homeworks written here, never on a course homework's content (a course
homework's own grader tests live in ``autograder/HWn/tests``). :func:`machinery` copies the
machinery of this checkout (the Makefile, the pinned requirements, the pytest configuration, the
shared runtime ``tests/harness``, the grading package, the Gradescope scripts and the handout's
Makefile) into a folder and links this checkout's virtual environment there; homeworks are then
added the way staff add them.

A project of :func:`build_project` holds two homeworks:

- :data:`TEMPLATE` (``HW90``): exactly what ``make new-homework`` writes, plus hostile corpus
  entries written here (:data:`HOSTILE`) for the batch and corpus tests;
- :data:`SECOND` (``HW100``): a small homework written here (:data:`SECOND_FILES`) with what the
  template lacks: two student files in two folders, a given file with an abstract method,
  classes with a base class, a function that returns a tuple, a private helper, calls between
  student functions, a probe and its display, error hints, recorded torch oracles, and an extra
  credit problem; its corpus replays a hostile entry of the template homework.

The session's project is the ``project`` fixture of ``conftest.py``: tests must not change it
(one that needs to builds its own with :func:`build_project`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import textwrap
from pathlib import Path

from grader.release import newhomework
from grader.release.stubs import make_stub
from harness.homework import Homework

ROOT = Path(__file__).resolve().parents[2]
MACHINERY = ("Makefile", "pyproject.toml", "requirements.txt", "tests/harness", "autograder/grader",
             "autograder/gradescope", "autograder/handout")
TEMPLATE = "HW90"
SECOND = "HW100"
REPLAY_MARKER = "REPLAYED-ATTACK-7f3a"


def machinery(target: Path) -> Path:
    """A project at ``target`` with the machinery of this checkout and no homework; returns ``target``.

    Its ``requirements.txt`` is dated 1970, so that ``make`` finds the linked virtual environment up
    to date (it never reinstalls into this checkout's ``.venv``).
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for rel in MACHINERY:
        source, dest = ROOT / rel, target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, ignore=ignore)
        else:
            shutil.copy2(source, dest)
    os.utime(target / "requirements.txt", (0, 0))
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


def env_for(root: Path) -> dict:
    """The environment a command of the project at ``root`` runs in (as its Makefile sets it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "PYTEST_"))}
    return {**env, "PYTHONPATH": f"{root / 'autograder'}:{root / 'tests'}", "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg"}


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def write_stubs(homework: Homework) -> None:
    """The stubs of ``homework``'s student files, generated from its solutions (as ``make stubs`` does)."""
    for rel in homework.student_files:
        stub = homework.code / rel
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(make_stub((homework.solutions / rel).read_text(), rel, homework), encoding="utf-8")


# ------------------------------------------------------------------ the template homework's hostile entries

_DAEMONS = '''
import os as _os
import signal as _signal
import time as _time


def _daemon(body):
    """Double fork + setsid: the grandchild leaves the worker's session and process group."""
    if _os.fork():
        _os.wait()
        return
    _os.setsid()
    if _os.fork():
        _os._exit(0)
    for sig in (_signal.SIGTERM, _signal.SIGHUP, _signal.SIGINT, _signal.SIGALRM):
        _signal.signal(sig, _signal.SIG_IGN)
    _os.closerange(0, 256)
    try:
        body()
    finally:
        _os._exit(0)


def _sleep_forever():
    while True:
        _time.sleep(3600)


def _burn():
    while True:
        pass


def _moving_target():
    """Re-fork every few milliseconds, so that a kill by pid finds a pid that is gone."""
    while True:
        if _os.fork():
            _os._exit(0)
        _time.sleep(0.005)


for _body in (_sleep_forever, _burn, _moving_target):
    _daemon(_body)
'''


def hostile_entries(homework: Homework) -> dict[str, str]:
    """Corpus entries (path under the corpus -> text) that attack the grading of ``homework``'s one
    student file; each names its function after the file's first function."""
    (rel, _), = homework.student_files.items()
    function = first_function(homework, rel)
    solution = (homework.solutions / rel).read_text()
    return {
        "attack-exit/expected.json": json.dumps({
            "problems": [1], "description": "every call prints a marker and exits", "expect": {"1": "zero"},
            "contains": ["sys.exit(3)"]}),
        f"attack-exit/{rel}": f'''
            """Hostile: every call prints a marker, then exits the process."""
            import sys


            def attack(*args):
                print("{REPLAY_MARKER}", flush=True)
                sys.exit(3)


            def {function}(*args):
                return attack(*args)
            ''',
        "attack-memory/expected.json": json.dumps({
            "problems": [1], "description": "every call allocates and touches memory until the cap stops it",
            "expect": {"1": "zero"}}),
        f"attack-memory/{rel}": f'''
            """Hostile: a memory bomb (allocate and touch 64 MB at a time, swallowing MemoryError)."""
            import numpy as np

            HOARD = []


            def {function}(*args):
                failures = 0
                while True:
                    try:
                        block = np.empty(8 * 1024 * 1024)
                        block.fill(1.0)
                        HOARD.append(block)
                        HOARD.append(bytearray(b"x" * 64 * 1024 * 1024))
                    except MemoryError:
                        failures += 1
                        if failures > 50:
                            raise
            ''',
        "attack-hang/expected.json": json.dumps({
            "problems": [1], "description": "ignores SIGALRM and every polite signal, then spins",
            "expect": {"1": "zero"}}),
        f"attack-hang/{rel}": f'''
            """Hostile: a hang that ignores SIGALRM (and every polite signal)."""
            import signal

            for _sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
                signal.signal(_sig, signal.SIG_IGN)
            signal.setitimer(signal.ITIMER_REAL, 0)


            def {function}(*args):
                while True:
                    pass
            ''',
        "attack-daemons/expected.json": json.dumps({
            "problems": [1], "description": "the reference plus daemons that escape the worker at import: "
                                            "full marks, and nothing outlives the run", "expect": {"1": "full"}}),
        f"attack-daemons/{rel}": solution + _DAEMONS,
    }


def first_function(homework: Homework, rel: str) -> str:
    """The first public function of ``homework``'s solution file ``rel``."""
    import ast

    tree = ast.parse((homework.solutions / rel).read_text())
    return next(n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_"))


HOSTILE = ("attack-exit", "attack-memory", "attack-hang", "attack-daemons")

# ---------------------------------------------------------------------------------- the second homework

SECOND_FILES = {
    f"{SECOND}/README.md": f"""
        # {SECOND}

        A scratch homework of the machinery's tests. Problem 1: `shapes/figures.py`; extra credit:
        `bonus/extra.py`. Run `make test`, then `make submit`.
        """,
    f"{SECOND}/code/shapes/base.py": '''
        """Given code: the base class of every figure."""


        class Shape:
            def area(self):
                raise NotImplementedError("a subclass defines area")

            def describe(self):
                return f"{type(self).__name__} of area {self.area():.2f}"
        ''',
    f"solutions/{SECOND}/shapes/figures.py": '''
        """Problem 1: small figures and statistics."""

        from base import Shape


        def _checked(values):
            values = [float(v) for v in values]
            if not values:
                raise ValueError("no values")
            return values


        def scale(values, factor):
            """Each value times ``factor``: a new list of floats (``values`` is not changed)."""
            # BEGIN SOLUTION
            return [float(v) * factor for v in values]
            # END SOLUTION


        def min_max(values):
            """The smallest and the largest of ``values``: the tuple ``(low, high)``."""
            # BEGIN SOLUTION
            values = _checked(values)
            return min(values), max(values)
            # END SOLUTION


        def spread(values):
            """``high - low`` of :func:`min_max`."""
            # BEGIN SOLUTION
            low, high = min_max(values)
            return high - low
            # END SOLUTION


        class Rectangle(Shape):
            def __init__(self, width, height):
                self.width, self.height = float(width), float(height)

            def area(self):
                """Width times height."""
                # BEGIN SOLUTION
                return self.width * self.height
                # END SOLUTION


        class Square(Rectangle):
            def __init__(self, side):
                super().__init__(side, side)
        ''',
    f"solutions/{SECOND}/bonus/extra.py": '''
        """Extra credit: normalised values."""

        from figures import scale, spread


        def normalised(values):
            """``values`` divided by their :func:`figures.spread`."""
            # BEGIN SOLUTION
            return scale(values, 1.0 / spread(values))
            # END SOLUTION
        ''',
    f"tests/{SECOND}/rubric.py": f'''
        """{SECOND}'s table (a scratch homework of the machinery's tests)."""

        import re

        from harness.homework import Problem, Test

        STUDENT_FILES = {{"shapes/figures.py": 1, "bonus/extra.py": 2}}
        GIVEN_FILES = ("shapes/base.py",)
        PACKAGES = "numpy and torch"
        HIDDEN_VISIBILITY = "after_published"

        PROBLEMS = [
            Problem(1, "Figures", 100, ("shapes/figures.py",), budget_s=60),
            Problem(2, "Normalised values", 10, ("bonus/extra.py",), budget_s=60, extra_credit=True),
        ]

        TESTS = {{
            1: [
                Test("tests/{SECOND}/shapes/test_figures.py::test_scale", 20, "scale: known values",
                     functions=("scale",)),
                Test("tests/{SECOND}/shapes/test_figures.py::test_min_max", 10, "min_max: known values",
                     functions=("min_max",)),
                Test("tests/{SECOND}/shapes/test_figures.py::test_spread", 10, "spread: known values",
                     functions=("spread",)),
                Test("tests/{SECOND}/shapes/test_figures.py::test_area", 20, "area of each figure",
                     functions=("Rectangle", "Square")),
                # BEGIN HIDDEN
                Test("autograder/{SECOND}/hidden/shapes/test_figures_hidden.py::test_spread_matches_reference", 40,
                     "spread: random values, the reference's", functions=("spread",)),
                # END HIDDEN
            ],
            2: [
                Test("tests/{SECOND}/bonus/test_extra.py::test_normalised", 10, "normalised: known values",
                     functions=("normalised",)),
            ],
        }}

        CALLS = {{"normalised": ("scale", "spread")}}
        RETURNS = {{"min_max": ("low", "high")}}
        ERROR_HINTS = (
            ("AttributeError", re.compile(r"object has no attribute 'side'"),
             "a Square keeps its side as its width and its height"),
        )
        ORACLE_TESTS = ("tests/{SECOND}/shapes/test_figures.py::test_scale",)
        ''',
    f"tests/{SECOND}/probes/__init__.py": '''
        """Probes of the scratch homework: staff code run in the student worker."""

        DISPLAY = {
            "shapes.area_of": lambda args, kwargs: f"figures.{args[0]}{tuple(args[1:])!r}.area()",
        }
        ''',
    f"tests/{SECOND}/probes/shapes.py": '''
        """Figures built in the worker from plain arguments."""


        def area_of(class_name, *args):
            import figures

            return float(getattr(figures, class_name)(*args).area())
        ''',
    f"tests/{SECOND}/shapes/test_figures.py": '''
        """Public tests of Problem 1; the scale oracle is computed with torch (recorded for grading)."""

        import pytest

        from harness import oracle_cache
        from harness.checks import check_close, check_type

        SCALE_CASES = [([1.0, 2.0, 4.0], 0.5), ([], 3.0), ([-1.5], -2.0)]


        def _torch_scale(values, factor):
            import torch

            return [float(x) for x in torch.tensor(values, dtype=torch.float64) * factor]


        @pytest.mark.parametrize(("values", "factor"), SCALE_CASES, ids=["three", "empty", "negative"])
        def test_scale(student, values, factor):
            got = student.call("figures", "scale", values, factor)
            check_type(got, list, f"scale({values}, {factor})")
            expected = oracle_cache.cached(oracle_cache.key("scale", values, factor),
                                           lambda: _torch_scale(values, factor))
            check_close(got, expected, f"scale({values}, {factor})")


        def test_min_max(student):
            got = student.call("figures", "min_max", [3.0, -1.0, 2.0])
            check_close(list(got), [-1.0, 3.0], "min_max([3.0, -1.0, 2.0])")


        def test_spread(student):
            check_close(student.call("figures", "spread", [3.0, -1.0, 2.0]), 4.0, "spread([3.0, -1.0, 2.0])")


        @pytest.mark.parametrize(("class_name", "args", "area"),
                                 [("Rectangle", (2.0, 3.0), 6.0), ("Square", (3.0,), 9.0)], ids=["Rectangle", "Square"])
        def test_area(student, class_name, args, area):
            check_close(student.probe("shapes.area_of", class_name, *args), area, f"{class_name}{args}.area()")
        ''',
    f"tests/{SECOND}/bonus/test_extra.py": '''
        """Public test of the extra credit."""

        from harness.checks import check_close


        def test_normalised(student):
            check_close(student.call("extra", "normalised", [1.0, 3.0]), [0.5, 1.5], "normalised([1.0, 3.0])")
        ''',
    f"autograder/{SECOND}/hidden/shapes/test_figures_hidden.py": '''
        """Hidden test of Problem 1: the reference is the oracle."""

        import numpy as np
        import pytest

        from harness.checks import check_close


        @pytest.mark.parametrize("seed", [1, 2])
        def test_spread_matches_reference(student, reference, seed):
            values = [float(v) for v in np.random.default_rng(seed).normal(size=6)]
            check_close(student.call("figures", "spread", values), reference("figures").spread(values),
                        "spread of six random values", reveal=False)
        ''',
    f"autograder/{SECOND}/corpus/solutions-full/expected.json": """
        {"problems": [1, 2], "description": "the reference", "expect": {"1": "full", "2": "full"}}
        """,
    f"autograder/{SECOND}/corpus/stubs-zero/expected.json": """
        {"problems": [1, 2], "base": "stubs", "description": "the stubs", "expect": {"1": "zero", "2": "zero"}}
        """,
    f"autograder/{SECOND}/corpus/replay-exit/expected.json": f"""
        {{"replay": "{TEMPLATE}/attack-exit", "problems": [1], "description": "the template's exit, replayed",
          "expect": {{"1": "zero"}}, "contains": ["sys.exit(3)"]}}
        """,
}


@dataclasses.dataclass(frozen=True)
class Project:
    """A scratch project: its root, its template homework and its second homework."""

    root: Path
    template: Homework
    second: Homework

    def env(self) -> dict:
        return env_for(self.root)


def build_project(root: Path) -> Project:
    """The machinery at ``root``, :data:`TEMPLATE` from the template (with :data:`HOSTILE`) and :data:`SECOND`."""
    machinery(root)
    newhomework.create(root, TEMPLATE)
    template = Homework(root, TEMPLATE)
    write_files(template.staff / "corpus", hostile_entries(template))
    write_files(root, SECOND_FILES)
    second = Homework(root, SECOND)
    write_stubs(second)
    return Project(root, template, second)
