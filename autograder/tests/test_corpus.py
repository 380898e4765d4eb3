"""The corpus: how an entry becomes a submission (its files over a base, patches, copies, another
homework's entry replayed) and how its grading is judged (expectations, hints, what hostile entries
leave behind).

Replaying is checked with the scratch project's two homeworks: the second homework's ``replay-exit``
replays the template homework's ``attack-exit``, whose one function prints a marker and exits; replayed,
it must run for every function of the second homework that the grader looks up.
"""

import difflib
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from scratch import REPLAY_MARKER, SECOND, TEMPLATE, build_project, write_files

from grader.quality import corpus
from grader.release import build
from grader.submission.secrets import secret_lines


@pytest.fixture(scope="module")
def own(scratch_dir):
    """A project of this module's own, whose corpora get entries written by these tests."""
    project = build_project(scratch_dir("corpus") / "course")
    template = project.template
    (rel, _), = template.student_files.items()
    solution = (template.solutions / rel).read_text()
    changed = solution.replace("gamma ** np.arange(len(rewards))", "gamma ** np.arange(1, len(rewards) + 1)")
    assert changed != solution
    patch = "".join(difflib.unified_diff(solution.splitlines(True), changed.splitlines(True), f"a/{rel}", f"b/{rel}"))
    write_files(template.staff / "corpus", {
        "patched/expected.json": '{"problems": [1], "expect": {"1": "lose"}}',
        f"patched/{rel}.patch": patch,
        "stale-patch/expected.json": '{"problems": [1], "expect": {"1": "lose"}}',
        f"stale-patch/{rel}.patch": patch.replace("np.arange(len(rewards))", "np.arange(len(rewards) - 0)"),
        "copied/expected.json": json.dumps({"problems": [1], "base": "none", "expect": {"1": "full"},
                                            "copies": {f"flat/{Path(rel).name}": f"solutions/{TEMPLATE}/{rel}"}}),
        "wrong-expectation/expected.json": '{"problems": [1], "base": "stubs", "expect": {"1": "full"}}',
        "planted/expected.json": '{"problems": [1], "expect": {"1": "zero"}}',
        f"planted/{rel}": 'import sys\n\n\ndef attack(*args):\n    sys.exit(5)\n',
        "planted/conftest.py": "raise SystemExit('planted')\n",
        f"planted/{Path(rel).parent}/sitecustomize.py": "raise SystemExit('planted')\n",
        "two-functions/expected.json": '{"problems": [1], "expect": {"1": "zero"}}',
        f"two-functions/{rel}": 'import sys\n\n\ndef harmless(*args):\n    return 1\n\n\ndef attack(*args):\n'
                                '    sys.exit(7)\n',
    })
    write_files(project.second.staff / "corpus", {
        "replay-planted/expected.json": json.dumps({"replay": f"{TEMPLATE}/planted", "problems": [1, 2],
                                                    "expect": {"1": "zero", "2": "zero"}}),
        "replay-named/expected.json": json.dumps({"replay": f"{TEMPLATE}/two-functions", "function": "attack",
                                                  "problems": [1], "expect": {"1": "zero"}}),
    })
    return project


def test_corpus_folder_and_entries(project):
    template = project.template
    assert corpus.folder(template) == template.staff / "corpus"
    names = [entry.name for entry in corpus.entries(template)]
    assert names == sorted(names) and {"solutions-full", "stubs-zero", "attack-exit"} <= set(names)
    assert [e.name for e in corpus.entries(template, {"stubs-zero", "nothing"})] == ["stubs-zero"]
    assert corpus.homework_of(corpus.folder(project.second) / "replay-exit").name == SECOND


def test_entries_are_built_over_their_base(own, tmp_path):
    template = own.template
    (rel, _), = template.student_files.items()
    stubs = corpus.build_submission(corpus.folder(template) / "stubs-zero", tmp_path / "stubs")
    assert (stubs / rel).read_text() == (template.code / rel).read_text()
    patched = corpus.build_submission(corpus.folder(template) / "patched", tmp_path / "patched")
    assert "np.arange(1, len(rewards) + 1)" in (patched / rel).read_text()
    copied = corpus.build_submission(corpus.folder(template) / "copied", tmp_path / "copied")
    assert sorted(p.relative_to(copied).as_posix() for p in copied.rglob("*") if p.is_file()) == [
        f"flat/{Path(rel).name}"]
    with pytest.raises(RuntimeError, match=re.escape(f"stale-patch/{rel}.patch no longer applies")):
        corpus.build_submission(corpus.folder(template) / "stale-patch", tmp_path / "stale")


def test_replay_builds_the_other_homeworks_attack_against_this_homeworks_files(project, tmp_path):
    second = project.second
    built = corpus.build_submission(corpus.folder(second) / "replay-exit", tmp_path / "replayed")
    (rel, _), = project.template.student_files.items()
    attack = (corpus.folder(project.template) / "attack-exit" / rel).read_text()
    figures = (built / "shapes/figures.py").read_text()
    assert figures.startswith(attack) and "def __getattr__(name):" in figures
    assert (built / "bonus/extra.py").read_text() == (second.solutions / "bonus/extra.py").read_text()  # problem 2
    assert not (built / Path(rel).parent).exists()  # the other homework's file names stay out
    for lookup in ("figures.scale([1.0], 2.0)", "figures.Rectangle(2.0, 3.0).area()", "figures.min_max()"):
        run = subprocess.run([sys.executable, "-c", f"import figures; {lookup}"], cwd=built / "shapes",
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 3 and REPLAY_MARKER in run.stdout, (lookup, run.stdout, run.stderr)
    dunder = subprocess.run([sys.executable, "-c", "import figures; figures.__missing__"], cwd=built / "shapes",
                            capture_output=True, text=True, timeout=60)
    assert "AttributeError" in dunder.stderr and REPLAY_MARKER not in dunder.stdout


def test_replay_places_the_entrys_other_files_beside_or_at_the_top(own, tmp_path):
    built = corpus.build_submission(corpus.folder(own.second) / "replay-planted", tmp_path / "planted")
    files = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    assert files == ["bonus/extra.py", "conftest.py", "shapes/figures.py", "shapes/sitecustomize.py"]
    assert "sys.exit(5)" in (built / "bonus/extra.py").read_text()  # both problems named: both files replayed


def test_replay_sends_every_lookup_to_the_named_function(own, tmp_path):
    """``"function"`` picks the entry's function that stands for every one the grader looks up (default: the first)."""
    built = corpus.build_submission(corpus.folder(own.second) / "replay-named", tmp_path / "named")
    replayed = [p for p in built.rglob("*.py") if "def harmless" in p.read_text()]
    assert replayed and all("globals()['attack']" in p.read_text() for p in replayed)


def test_replayed_entry_runs_its_attack_through_the_autograder(project, tmp_path):
    """Graded through the real autograder, the replayed exit fails every test of the second homework's
    Problem 1 as a call of that homework's own functions that exited."""
    second = project.second
    zip_path = build.build(second, tmp_path / "autograder.zip")
    outcome = corpus.check_entry(corpus.folder(second) / "replay-exit", zip_path, secret_lines(project.root),
                                 budget=120, check_processes=False)
    assert outcome.ok, outcome.problems
    assert outcome.scores == {"1": "0/100"}
    assert "figures.scale([1.0, 2.0, 4.0], 0.5) called sys.exit(3)" in outcome.feedback
    assert "figures.spread(" in outcome.feedback and "has no scale" not in outcome.feedback


def test_check_entry_reports_an_expectation_that_does_not_hold(own, tmp_path):
    zip_path = build.build(own.template, tmp_path / "autograder.zip")
    outcome = corpus.check_entry(corpus.folder(own.template) / "wrong-expectation", zip_path,
                                 secret_lines(own.root), budget=120, check_processes=False)
    assert not outcome.ok
    assert outcome.problems == ["problem 1: expected full, got 0/100"]


def test_hints_are_claims_about_one_cause():
    outcomes = [corpus.Outcome("a", True, 1.0, {}, [], "Hint: gamma is ignored", ("gamma is ignored",)),
                corpus.Outcome("b", True, 1.0, {}, [], "Hint: gamma is ignored, and more", ()),
                corpus.Outcome("c", True, 1.0, {}, [], "nothing to see", ())]
    assert corpus.cross_check_hints(outcomes) == ["b: says 'gamma is ignored', a hint declared for another bug"]
    spec = {"hints": ["gamma is ignored"], "contains": ["sys.exit"], "once": ["root cause"]}
    doc = {"tests": [{"number": "1.2", "visibility": "after_published", "output": "expected 0.5, got 0.4"}]}
    found = corpus._feedback_problems(spec, doc, ["root cause, root cause"])
    assert found == ["feedback never says 'gamma is ignored'", "feedback never says 'sys.exit'",
                     "feedback says 'root cause' 2 times, expected once (one root cause, one message)",
                     "hidden test 1.2 reveals an expected value: 'expected 0'"]


def test_leftovers_finds_and_removes_what_hostile_entries_name(tmp_path):
    name = f"grader-corpus-test-{uuid.uuid4().hex}"
    left = corpus.SHARED_WRITABLE[0] / f"{name}.bin"
    left.write_bytes(b"x")
    specs = [{"leftovers": {"files": [f"{name}*"]}}, {"leftovers": {"sysv_shm_keys": []}}, {}]
    assert corpus.leftovers(specs) == [str(left)]
    assert not left.exists() and corpus.leftovers(specs) == []


def test_a_submissions_own_lines_are_no_leak(tmp_path):
    """A secret line that the submission's own files hold (a file copied from another homework's reference, replayed)
    is quoted back to its author, not leaked; every other secret line is still looked for."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "copied.py").write_text("def f(env):\n    n_states = env.observation_space.n\n")
    secrets = frozenset({"n_states = env.observation_space.n", "assert hidden_value == 42, 'a hidden test line'"})
    assert corpus._not_submitted(secrets, tmp_path) == {"assert hidden_value == 42, 'a hidden test line'"}
    assert corpus._not_submitted(secrets, tmp_path / "folder" / "missing") == secrets


def test_processes_still_dying_have_not_outlived_the_run():
    """A child that goes within the settling time (killed ones take a moment) is no leftover; one that stays is."""
    going = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    assert going.pid not in corpus.outlived(settle_s=5.0)
    staying = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert staying.pid in corpus.outlived(settle_s=0.5)
    finally:
        staying.kill()
        staying.wait()
