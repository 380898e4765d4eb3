"""results.json documents: schema-valid, bounded, clean, and written atomically."""

import json
import math
import os
from pathlib import Path

import jsonschema
import pytest

from grader.submission import results
from grader.submission.results import GradedTest
from harness.homework import Problem


def _test(**overrides) -> GradedTest:
    fields = {"number": "1.1", "name": "model: known rows", "score": 1.5, "max_score": 1.5,
              "output": "Passed.", "visibility": "visible"}
    return GradedTest(**{**fields, **overrides})


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_results_document_is_valid_and_sets_the_total_itself():
    doc = results.document([_test(), _test(number="1.2", score=0.25, max_score=1.0, tags=("problem 1",))],
                           "table", 12.3456789, extra={"missing": []})
    results.validate(doc)
    assert doc["score"] == 1.75
    assert doc["execution_time"] == 12.3457
    assert doc["stdout_visibility"] == "hidden" and doc["output_format"] == "text"
    assert [t["status"] for t in doc["tests"]] == ["passed", "failed"]
    assert all(t["output_format"] == "text" for t in doc["tests"])


def test_results_fallback_is_valid_and_scores_zero():
    doc = results.fallback("The autograder started but did not finish.")
    results.validate(doc)
    assert doc["score"] == 0 and doc["tests"] == [] and "did not finish" in doc["output"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_results_non_finite_numbers_become_zero(bad):
    doc = results.document([_test(score=bad, max_score=bad)], "", bad)
    results.validate(doc)
    json.dumps(doc, allow_nan=False)
    assert doc["score"] == 0 and doc["execution_time"] == 0


def test_results_unknown_visibility_falls_back_to_hidden():
    doc = results.document([_test(visibility="everyone")], "", 0)
    assert doc["tests"][0]["visibility"] == "hidden"


def test_results_strings_are_cleaned_and_bounded():
    nasty = "\x00\x1b[31mPASSED\x1b[0m \u202eevil\u202c \ud800" * 10000
    doc = results.document([_test(name=nasty, output=nasty, tags=(nasty,))], nasty, 1,
                           extra={"ignored": [nasty, "bad\udcffname.py"], nasty: nasty})
    results.validate(doc)
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")  # no lone surrogates anywhere, extra_data included
    for bad in ("\x00", "\x1b", "\u202e"):
        assert bad not in text
    entry = doc["tests"][0]
    assert len(entry["name"]) <= 200 and len(entry["tags"][0]) <= 50
    assert len(entry["output"]) <= results.TEST_OUTPUT_LIMIT + 100
    assert len(doc["output"]) <= results.TOP_OUTPUT_LIMIT + 100


@pytest.mark.parametrize(
    "broken",
    [{"score": "10"}, {"tests": [{"score": 1, "bogus": True}]}, {"visibility": "public"},
     {"tests": [{"score": 1, "max_score": -1}]}, {"output_format": "pdf"}, {"unknown_key": 1}],
    ids=lambda d: json.dumps(d),
)
def test_results_validate_rejects_documents_gradescope_would_not_take(broken):
    doc = {**results.document([_test()], "", 0), **broken}
    with pytest.raises(jsonschema.ValidationError):
        results.validate(doc)


def test_results_write_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "results" / "results.json"
    results.write(results.fallback("first"), path)
    doc = results.document([_test()], "second", 1)
    results.write(doc, path)
    assert json.loads(path.read_text(encoding="utf-8")) == doc
    assert _files(path.parent) == ["results.json"]  # no temporary file left behind
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_results_write_refuses_an_invalid_document_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "results.json"
    results.write(results.fallback("kept"), path)
    before = path.read_bytes()
    with pytest.raises(jsonschema.ValidationError):
        results.write({"score": "all of them"}, path)
    with pytest.raises(ValueError):
        results.write({"score": math.nan, "tests": []}, path)
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["results.json"]


def test_results_write_interrupted_before_the_rename_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    results.write(results.fallback("kept"), path)
    before = path.read_bytes()

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        results.write(results.document([_test()], "new", 1), path)
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["results.json"]


def test_results_write_never_leaves_a_partial_file_visible(tmp_path, monkeypatch):
    """Every state a reader can see is a complete document: the write goes to a temporary file."""
    path = tmp_path / "results.json"
    results.write(results.fallback("kept"), path)
    seen = []
    real_replace = os.replace

    def watching_replace(src, dst):
        seen.append(json.loads(Path(dst).read_text()))  # the old document, still complete
        assert json.loads(Path(src).read_text())["output"] == "new"  # the new one, fully written already
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching_replace)
    results.write(results.document([_test()], "new", 1), path)
    assert seen and seen[0]["output"].startswith("kept")


def test_results_score_table_sums_per_problem():
    def P(number, title, points, extra_credit=False):  # the table's Problem
        return Problem(number, title, points, (), extra_credit=extra_credit)

    doc = results.document([_test(number="1.1", score=1, max_score=2), _test(number="1.2", score=2, max_score=2),
                            _test(number="7.1", score=3, max_score=10)], "", 0)
    table = results.score_table(doc, [P(1, "First", 4), P(2, "Second", 25), P(7, "Extra", 10, True)])
    assert "3.00/4.00" in table and "Second" not in table and "(extra credit)" in table
    assert any(line.startswith("1  First") for line in table.splitlines())
    assert any(line.startswith("EC  Extra") for line in table.splitlines())
    assert table.splitlines()[-1].split()[-1] == "6.00/29.00"
