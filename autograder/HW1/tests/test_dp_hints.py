"""Problem 2's hints are proven on the corpus: each single-bug ``dp-*`` entry, graded through the
real autograder (Problem 2 only), gets the hint that names its bug (its ``expected.json``
``"hints"``) and no hint declared for another bug.

The hints come from :data:`HINTS` of the public tests, each shown only when the oracle, running
that one mistake, reproduces the student's result; this test checks that rule end to end. It
grades about a dozen entries, two at a time (a few minutes on two cores).
"""

import concurrent.futures
import json

import pytest
from hw1 import HW1

from grader.quality import corpus
from grader.release import build
from grader.submission.secrets import secret_lines
from harness.modules import load_public

PUBLIC = load_public(__file__, "frozen_lake/test_dynamic_programming.py")
# Hints that belong to no corpus bug of Problem 2 and must not appear for one (a misattribution seen before:
# mutating the input value array was reported as randomness outside the rng argument).
NO_ENTRY_CLAIMS = ("all randomness must come from the rng argument",)


def _single_bug_entries():
    found = []
    for entry in corpus.entries(HW1):
        spec = json.loads((entry / "expected.json").read_text())
        if entry.name.startswith("dp-") and spec.get("hints") and spec["expect"] == {"2": "lose"}:
            found.append(entry)
    return found


def test_every_diagnosed_mistake_has_a_corpus_entry():
    """Each hint the public tests can give by diagnosis is declared (in part) by some dp-* entry."""
    declared = [hint for entry in _single_bug_entries()
                for hint in json.loads((entry / "expected.json").read_text())["hints"]]
    for key, text in PUBLIC.HINTS.items():
        assert any(h in text for h in declared), f"HINTS[{key!r}] is proven by no corpus entry"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    zip_path = build.build(HW1, tmp_path_factory.mktemp("zip") / "autograder.zip")
    secrets = secret_lines(HW1.root)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # as `make corpus` does
        return list(pool.map(lambda entry: corpus.check_entry(entry, zip_path, secrets, budget=540.0,
                                                              check_processes=False), _single_bug_entries()))


def test_each_bug_gets_its_hint_and_no_other(graded):
    assert len(graded) >= 10
    failures = [f"{o.name}: {problem}" for o in graded for problem in o.problems]
    failures += corpus.cross_check_hints(graded)
    failures += [f"{o.name}: says {claim!r}" for o in graded for claim in NO_ENTRY_CLAIMS if claim in o.feedback]
    assert failures == []
