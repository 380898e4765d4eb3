"""The one module that knows Gradescope's ``results.json`` format.

Builds the document from graded entries, validates it against the schema kept beside
this file (a copy of Gradescope's documented format, strict on unknown keys), and writes
it atomically (temporary file in the same folder, then ``os.replace``) with
``allow_nan=False``. Every string is cleaned of control characters and bounded well
under Gradescope's 100,000-character cut.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path

from harness.text import clean, head_tail

SCHEMA_PATH = Path(__file__).with_name("gradescope-results.schema.json")
TEST_OUTPUT_LIMIT = 8000
TOP_OUTPUT_LIMIT = 20000
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


@dataclasses.dataclass
class GradedTest:
    """One line of the Gradescope table: a rubric entry after grading."""

    number: str
    name: str
    score: float
    max_score: float
    output: str
    visibility: str
    tags: tuple[str, ...] = ()
    status: str | None = None  # None: passed iff score == max_score


def _number(value: float) -> float:
    value = float(value)
    return round(value, 4) if math.isfinite(value) else 0.0


def test_entry(test: GradedTest) -> dict:
    score, max_score = _number(test.score), _number(test.max_score)
    status = test.status or ("passed" if score >= max_score else "failed")
    entry = {
        "number": test.number,
        "name": clean(test.name)[:200],
        "score": score,
        "max_score": max_score,
        "status": status,
        "output": head_tail(clean(test.output), TEST_OUTPUT_LIMIT),
        "output_format": "text",
        "visibility": test.visibility if test.visibility in VISIBILITIES else "hidden",
    }
    if test.tags:
        entry["tags"] = [clean(t)[:50] for t in test.tags]
    return entry


def document(tests: list[GradedTest], output: str, execution_time: float, extra: dict | None = None) -> dict:
    """The whole results.json: the top-level score is set here, as the sum of test scores."""
    entries = [test_entry(t) for t in tests]
    doc = {
        "score": _number(sum(e["score"] for e in entries)),
        "execution_time": _number(max(execution_time, 0.0)),
        "output": head_tail(clean(output), TOP_OUTPUT_LIMIT),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": entries,
    }
    if extra:
        doc["extra_data"] = _cleaned(extra)
    return doc


def _cleaned(value):
    """``value`` with every string cleaned (submitted file names may hold any bytes)."""
    if isinstance(value, str):
        return clean(value)[:TEST_OUTPUT_LIMIT]
    if isinstance(value, dict):
        return {clean(str(k)): _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    return value


def fallback(message: str) -> dict:
    """What stays on disk if grading dies before it finishes: 0 points and a visible reason."""
    return document([], message, 0.0)


def validate(doc: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``doc`` is a valid results.json.

    jsonschema is imported here, not at the top: the supervisor writes its fallback before any
    test runs (:func:`write` with ``check=False``) and validates only the final document, once
    every worker is gone, so the 10 MB of the validator never add to the grading's peak memory.
    """
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)


def write(doc: dict, path: Path, check: bool = True) -> None:
    """Validate (unless ``check`` is False: a :func:`fallback`, valid by construction and by
    ``autograder/tests/test_results.py``) and write ``doc`` to ``path`` atomically."""
    if check:
        validate(doc)
    text = json.dumps(doc, allow_nan=False, indent=1, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def score_table(doc: dict, problems: list) -> str:
    """A per-problem table of a results document (for terminals and the top-level output)."""
    rows = [f"{'Problem':<44} {'points':>15}"]
    for problem in problems:
        prefix = f"{problem.number}."
        mine = [t for t in doc["tests"] if t.get("number", "").startswith(prefix)]
        if not mine:
            continue
        earned = sum(t["score"] for t in mine)
        possible = sum(t["max_score"] for t in mine)
        label = f"{problem.label}  {problem.title}"[:44]  # as the homework's README
        rows.append(f"{label:<44} {earned:>7.2f}/{possible:<7.2f}{'  (extra credit)' if problem.extra_credit else ''}")
    total = sum(p.points for p in problems if not p.extra_credit)
    rows.append(f"{'Total':<44} {doc['score']:>7.2f}/{total:<7.2f}")
    return "\n".join(rows)
