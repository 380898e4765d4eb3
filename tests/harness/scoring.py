"""How test outcomes become points: shared by ``make test``'s table and the autograder."""

from __future__ import annotations

import math


def case_fraction(outcome: str, credit: float | None) -> float:
    """Fraction earned by one test case (one parametrization) given its pytest outcome.

    A passed case earns 1 unless it recorded less; a failed or errored case earns the
    partial credit it recorded (0 if none). Skips earn 0: a graded test must run.
    Recorded credit is clamped to [0, 1]; NaN counts as 0.
    """
    if credit is not None:
        try:
            credit = float(credit)
        except (TypeError, ValueError):
            credit = None
    if credit is not None and not math.isfinite(credit):
        credit = 0.0
    if outcome == "passed":
        return 1.0 if credit is None else min(max(credit, 0.0), 1.0)
    if outcome in ("failed", "error"):
        return 0.0 if credit is None else min(max(credit, 0.0), 1.0)
    return 0.0


def entry_score(points: float, fractions: list[float]) -> float:
    """Points earned by a rubric entry whose cases earned ``fractions`` (none ran: 0)."""
    if not fractions:
        return 0.0
    return round(points * sum(fractions) / len(fractions), 4)
