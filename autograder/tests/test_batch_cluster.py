"""The batch on a real Dask cluster on loopback: a scheduler and two workers started the usual way
(``dask scheduler``, ``dask worker``), grading a small class through the real autograder.

It also checks that concurrent gradings do not interfere: the class holds hostile submissions
(a memory bomb, daemons that escape the worker's process group, a SIGALRM-proof hang), and every
submission's per-test scores in the batch are byte-identical to the same files graded alone.
The class is the scratch project's template homework's (its hostile entries are the scratch
project's own), graded under a 45 s budget (it bounds the hang). Last, a grading past its time
limit is killed whole and becomes a grader error.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from scratch import ROOT

from grader.operations import batch, export, grade, synthetic
from grader.quality import corpus
from grader.release import build

PROBLEMS = "1"
BUDGET = 45.0
STUDENTS = (
    synthetic.Student(601, "solutions-full", (("Ada Lovelace", "1001"), ("Alan Turing", "1002")), "lower:1.2"),
    synthetic.Student(602, "attack-memory", (("Mallory Memory", "1003"),)),
    synthetic.Student(603, "attack-daemons", (("Eve Escape", "1004"),)),
    synthetic.Student(604, "attack-hang", (("Harry Hang", "1005"),), ""),
    synthetic.Student(605, "", (("Nora Nofiles", "1006"),), ""),
)
# The entries' own expectations for Problem 1 (their expected.json: full, zero, full, zero): an independent oracle.
EXPECTED_P1 = {"601": 100.0, "602": 0.0, "603": 100.0, "604": 0.0}


def _dask_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("dask")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "dask", *args]


@pytest.fixture(scope="module")
def work():
    with tempfile.TemporaryDirectory(prefix="grader-batch-cluster-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def cluster(work):
    """A scheduler and two single-threaded workers on 127.0.0.1, as separate processes."""
    from distributed import Client

    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'autograder'}:{ROOT / 'tests'}"}
    scheduler_file = work / "scheduler.json"
    started = [subprocess.Popen(_dask_command("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                              "--scheduler-file", str(scheduler_file)),
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        for name in ("w1", "w2"):
            started.append(subprocess.Popen(
                _dask_command("worker", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1",
                              "--nthreads", "1", "--no-dashboard", "--name", name),
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(scheduler_file=str(scheduler_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            address, workers = client.scheduler.address, set(client.nthreads())
        yield address, workers
    finally:
        for proc in reversed(started):
            proc.terminate()
        for proc in reversed(started):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def autograder(work, project) -> Path:
    return build.build(project.template, work / "autograder.zip")


@pytest.fixture(scope="module")
def graded(work, cluster, autograder, project):
    """The class graded on the cluster: (export path, OUT)."""
    tests = batch.manifest_of(autograder.read_bytes())["tests"]
    source = synthetic.gradescope_export(work / "export", project.template, STUDENTS, tests=tests)
    out = work / "out"
    status = batch.run(source, out, workers=2, scheduler=cluster[0], problems=PROBLEMS, budget=BUDGET,
                       zip_path=autograder, progress=False)
    assert status == 0
    return source, out


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _scores(doc: dict) -> str:
    return json.dumps([(t["number"], t["score"], t["max_score"]) for t in doc["tests"]])


def test_batch_on_a_loopback_cluster_uses_both_workers_and_writes_the_class_files(graded, cluster):
    _, out = graded
    records = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    assert {k: r["status"] for k, r in records.items()} == {
        "601": "graded", "602": "graded", "603": "graded", "604": "graded", "605": "no files"}
    assert {r["worker"] for r in records.values() if r["status"] == "graded"} == cluster[1]
    assert {k: r["results"]["score"] for k, r in records.items() if r["results"]} == EXPECTED_P1
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["submission_id"], r["sid"], r["total"]) for r in rows] == [
        ("601", "1001", "100"), ("601", "1002", "100"), ("602", "1003", "0"), ("603", "1004", "100"),
        ("604", "1005", "0"), ("605", "1006", "0")]
    with open(out / "changes.csv", newline="") as handle:
        changes = list(csv.DictReader(handle))
    # Recorded: full marks except 601's test 1.2 (40 points) and nothing for 604/605; the bomb scores 0.
    assert [(c["submission_id"], c["delta"]) for c in changes] == [("602", "-100"), ("601", "+40")]
    assert (out / "report.html").stat().st_size > 10_000


def test_a_second_run_grades_nothing(graded, cluster, autograder, capsys):
    source, out = graded
    before = {p.name: p.read_bytes() for p in (out / "results").glob("*.json")}
    capsys.readouterr()
    assert batch.run(source, out, workers=2, scheduler=cluster[0], problems=PROBLEMS, budget=BUDGET,
                     zip_path=autograder, progress=False) == 0
    assert "5 up to date, 0 to grade" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in (out / "results").glob("*.json")} == before


def test_hostile_neighbours_change_no_score_in_the_batch(graded, autograder, work):
    """Each submission graded alone (one at a time, through the same autograder) scores exactly as in the batch."""
    source, out = graded
    for sub in export.load(source).submissions:
        if not sub.files:
            continue
        folder = work / "alone" / sub.id
        batch._write_files(sub.files, folder)
        alone = grade.run(folder, autograder, PROBLEMS, BUDGET)
        assert alone.returncode == 0, alone.stderr[-2000:]
        in_batch = json.loads((out / "results" / f"{sub.id}.json").read_text())["results"]
        assert _scores(json.loads(alone.results_text)) == _scores(in_batch), sub.id
        shutil.rmtree(folder)


def test_a_grading_past_its_time_limit_is_killed_with_everything_it_started(autograder, work, project):
    """The batch's last line of defence (a grader hung outside its own budget): the whole run is
    killed at the limit, and the batch records a grader error instead of waiting."""
    from harness import procs

    # A submission whose calls hang (20 s per call before the worker is killed): past 6 s, surely still running.
    folder = corpus.build_submission(corpus.folder(project.template) / "attack-hang", work / "hung")
    started = time.monotonic()
    done = grade.run(folder, autograder, PROBLEMS, None, timeout=6)
    assert done.timed_out and done.returncode is None
    assert time.monotonic() - started < 60
    left = [command for command in map(_command, procs.descendants())
            if "grader.submission.supervisor" in command or "harness/worker.py" in command or "pytest" in command]
    assert left == []
    assert batch.judge(done, 6)[0] == batch.GRADER_ERROR
