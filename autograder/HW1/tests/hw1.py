"""HW1 as its own grader tests see it: ``HW1``, the homework of this checkout (``from hw1 import HW1``)."""

from pathlib import Path

from harness.homework import Homework

ROOT = Path(__file__).resolve().parents[3]
HW1 = Homework(ROOT, "HW1")
