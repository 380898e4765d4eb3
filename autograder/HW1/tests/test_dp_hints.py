"""Problems 1 and 2's hints and notes are proven on the corpus, and this test keeps the corpus able to prove them.

``make corpus`` grades every entry through the real autograder and checks each one's claims: the
hints that name its bug (``expected.json`` ``"hints"``) appear and no hint declared for another
bug does (:func:`grader.quality.corpus.cross_check_hints`); the dependency notes it declares
(``"contains"``) appear and none that would be false for it (``"absent"``: a custom sweep that
never calls ``goal_distance_order``, cases not graded or not run). Grading those entries again
here would double the cost of ``make verify`` and prove nothing more, so this test checks what
the corpus run relies on: every single-bug entry of Problems 1 and 2 makes a claim, and the
entries whose bug has no hint (an import failure, a change never reset) forbid every hint, so a
hint shown to them fails the corpus. :mod:`grader.quality.hintcheck` (``test_hint_claims.py``)
checks the other direction: every hint of the tests is declared by some entry.
"""

import json

from hw1 import HW1

from grader.quality import corpus

CLAIMS = ("hints", "contains", "absent")


def _single_bug_specs() -> dict[str, dict]:
    found = {}
    for entry in corpus.entries(HW1):
        spec = json.loads((entry / "expected.json").read_text())
        one_problem = spec["problems"] in ([1], [2]) and list(spec["expect"].values()) in (["lose"], ["zero"])
        if entry.name.startswith(("dp-", "p1-")) and one_problem:
            found[entry.name] = spec
    return found


def test_every_single_bug_entry_makes_a_claim_the_corpus_checks():
    specs = _single_bug_specs()
    assert len(specs) >= 25
    assert [name for name, spec in specs.items() if not any(spec.get(key) for key in CLAIMS)] == []


def test_entries_without_a_hint_forbid_every_hint():
    """An entry whose bug no diagnosis reproduces declares no hint and lists ``Hint:`` as absent: nothing may
    name a cause for it."""
    quiet = {name: spec for name, spec in _single_bug_specs().items() if not spec.get("hints")}
    assert {"dp-delta-never-reset", "dp-syntax-error"} <= set(quiet)
    assert [name for name, spec in quiet.items() if "Hint:" not in spec.get("absent", ())] == []

