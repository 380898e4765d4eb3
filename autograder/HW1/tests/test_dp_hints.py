"""Problems 1 and 2's hints and notes are proven on the corpus: each single-bug ``p1-*`` and ``dp-*``
entry, graded through the real autograder (its problem only), gets the hints that name its bug
(its ``expected.json`` ``"hints"``) and no hint declared for another bug; the entries about
dependency notes get the note they declare (``"contains"``) and none that would be false for
them (``"absent"``: a custom sweep that never calls ``goal_distance_order``, cases not graded or
not run).

The hints come from the tests' ``HINTS`` and ``ERROR_HINTS``, each shown only when a diagnosis
reproduces the student's result; :mod:`grader.quality.hintcheck` (``test_hint_claims.py``) checks that
every one of them is declared by some entry, and this test checks the rule end to end. It grades
about 30 entries, two at a time (a few minutes on two cores; ``dp-delta-never-reset`` spends
Problem 2's whole time budget on purpose).
"""

import concurrent.futures
import json

import pytest
from hw1 import HW1

from grader.quality import corpus
from grader.release import build
from grader.submission.secrets import secret_lines

CLAIMS = ("hints", "contains", "absent")


def _single_bug_entries():
    found = []
    for entry in corpus.entries(HW1):
        spec = json.loads((entry / "expected.json").read_text())
        one_problem = spec["problems"] in ([1], [2]) and list(spec["expect"].values()) in (["lose"], ["zero"])
        if entry.name.startswith(("dp-", "p1-")) and one_problem and any(spec.get(key) for key in CLAIMS):
            found.append(entry)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    zip_path = build.build(HW1, tmp_path_factory.mktemp("zip") / "autograder.zip")
    secrets = secret_lines(HW1.root)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # as `make corpus` does
        return list(pool.map(lambda entry: corpus.check_entry(entry, zip_path, secrets, budget=540.0,
                                                              check_processes=False), _single_bug_entries()))


def test_each_bug_gets_its_hint_and_no_other(graded):
    assert len(graded) >= 25
    failures = [f"{o.name}: {problem}" for o in graded for problem in o.problems]
    failures += corpus.cross_check_hints(graded)
    assert failures == []


def test_no_hint_without_a_cause(graded):
    """Entries that declare no hint (an import failure, a change never reset) are shown none of the
    problem's hints: nothing names a cause that a diagnosis did not reproduce."""
    quiet = [o for o in graded if not o.hints and o.name.startswith("dp-") and "env" not in o.name]
    assert quiet
    assert [o.name for o in quiet if "Hint: " in o.feedback] == []
