"""Where things live in ``HW1/code`` and which problem each student file belongs to."""

from __future__ import annotations

import dataclasses

CODE_FOLDERS = ("frozen_lake", "bandits", "networks", "imitation")

# The files students write, relative to HW1/code, and the problem each belongs to.
STUDENT_FILES = {
    "frozen_lake/lake_model.py": 1,
    "frozen_lake/dynamic_programming.py": 2,
    "bandits/agents.py": 3,
    "networks/torch_networks.py": 4,
    "networks/tf_networks.py": 5,
    "imitation/bc_dagger.py": 6,
}
# Student functions whose stub points at another problem than their file's.
FUNCTION_PROBLEMS = {"imitation/bc_dagger.py:train_memory_agent": 7}

# Complete files given to students; grading always uses the staff copy of these.
GIVEN_FILES = (
    "frozen_lake/example.py",
    "frozen_lake/lake_info.py",
    "bandits/testbed.py",
    "imitation/expert.py",
    "imitation/partial_observation.py",
)


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


@dataclasses.dataclass(frozen=True)
class Test:
    """One graded test (a test function; its parametrized cases share its points).

    ``functions`` names the student functions, classes or ``Class.method``s the test calls
    directly (bare names, as in the student file). A test that loops over several of them
    is parametrized so that each case calls one, and the case id names it (``[value_iteration_sync]``,
    ``[value_iteration_sync-4x4]``): such a case exercises only the functions its id names.
    ``tests/rubric.py``'s ``CALLS`` adds the functions each one calls by the contract: a broken
    function costs points only in the cases that exercise it.
    """

    node: str
    points: float
    name: str
    visibility: str | None = None  # None: visible if public, the rubric's hidden default otherwise
    functions: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.node.split("::", 1)[0]

    @property
    def hidden(self) -> bool:
        return not self.path.startswith("tests/")
