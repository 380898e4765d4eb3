"""HW2 as its own grader tests see it: ``HW2``, the homework of this checkout (``from hw2 import HW2``)."""

from pathlib import Path

from harness.homework import Homework

ROOT = Path(__file__).resolve().parents[3]
HW2 = Homework(ROOT, "HW2")
