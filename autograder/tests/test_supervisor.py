"""The supervisor's reconciliation: every outcome mapped, partial credit clamped, fallback first."""

import json

import pytest

from grader.submission import results, supervisor

ENTRY = {"node": "tests/x/test_a.py::test_a", "problem": 2, "number": "2.1", "name": "a", "points": 4.0,
         "visibility": "visible", "path": "tests/x/test_a.py",
         "cases": ["tests/x/test_a.py::test_a[one]", "tests/x/test_a.py::test_a[two]"]}


def _cases(*outcomes, credit=None):
    return {case: {"outcome": o, "credit": credit, "feedback": f"feedback {o}"}
            for case, o in zip(ENTRY["cases"], outcomes)}


@pytest.mark.parametrize(
    ("outcomes", "credit", "score"),
    [(("passed", "passed"), None, 4.0), (("passed", "failed"), None, 2.0), (("failed", "error"), None, 0.0),
     (("skipped", "xpassed"), None, 0.0), (("xfailed", "passed"), None, 2.0), (("failed", "failed"), 0.5, 2.0),
     (("failed", "failed"), 7.0, 4.0), (("failed", "failed"), -3, 0.0), (("failed", "failed"), float("nan"), 0.0),
     (("bogus", "passed"), None, 2.0)],
    ids=["all-pass", "half", "fail-and-error", "skip-and-xpass", "xfail", "partial-half", "credit-clamped-high",
         "credit-clamped-low", "credit-nan", "unknown-outcome"],
)
def test_supervisor_grade_entry_maps_every_outcome(outcomes, credit, score):
    graded = supervisor.grade_entry(ENTRY, _cases(*outcomes, credit=credit), "not run")
    assert graded.score == pytest.approx(score)
    assert graded.max_score == 4.0


def test_supervisor_grade_entry_fails_cases_that_did_not_run_with_the_reason():
    graded = supervisor.grade_entry(ENTRY, {}, "the budget ran out")
    assert graded.score == 0
    assert "did not run: the budget ran out" in graded.output
    assert "0/2 cases passed" in graded.output


def test_supervisor_ignores_unknown_node_ids():
    cases = _cases("passed", "passed")
    cases["tests/x/test_a.py::test_injected"] = {"outcome": "passed"}
    assert supervisor.grade_entry(ENTRY, cases, "").score == 4.0


def test_supervisor_leaves_a_valid_fallback_when_grading_breaks(tmp_path):
    (tmp_path / "source").mkdir()  # no manifest: grading cannot go on
    with pytest.raises(FileNotFoundError):
        supervisor.supervise(tmp_path, set(), 60, None)
    doc = json.loads((tmp_path / "results" / "results.json").read_text())
    results.validate(doc)
    assert doc["score"] == 0 and "did not finish" in doc["output"]


def test_results_document_sets_score_and_rejects_nan(tmp_path):
    tests = [results.GradedTest("1.1", "t", 1.5, 2, "out\x00\x1b[31m", "visible"),
             results.GradedTest("1.2", "u", float("nan"), 1, "", "after_published")]
    doc = results.document(tests, "top", 1.0)
    assert doc["score"] == 1.5
    assert doc["tests"][0]["output"] == "out" and doc["tests"][0]["status"] == "failed"
    results.write(doc, tmp_path / "results.json")
    assert json.loads((tmp_path / "results.json").read_text()) == doc
