"""HW2's own grader tests: ``tests/HW2`` goes first on ``sys.path``, so that its support modules
(``pgdata``, ``pgchecks``, ``pgoutcomes``, ``torch_oracles``), its table (``rubric``) and its probes import
by bare name, as in its public tests."""

import sys

from hw2 import HW2

if str(HW2.tests) not in sys.path:
    sys.path.insert(0, str(HW2.tests))
