"""Grade a whole class on Dask distributed: ``python -m grader.operations.batch --help`` (``make batch``).

Reads a Gradescope export or a plain folder of submissions (:mod:`grader.operations.export`), builds
the autograder zip once, and grades every submission through the same path as ``make grade``
(:func:`grader.operations.grade.run`: ``run_autograder``, the supervisor, the unprivileged worker) on
Dask workers: an embedded ``LocalCluster`` with one single-threaded worker process per core, or
an existing cluster (``--scheduler tcp://host:8786``). Each task carries the submission's bytes
and returns the record of its grading; the autograder zip travels to each worker once
(scattered, checked by its SHA-256 there), so no shared filesystem is needed.

Each record is written to ``OUT/results/<id>.json`` as soon as it arrives, keyed by the digest
of the submission's files, of the autograder zip and the grading options: a rerun grades only
what is missing or changed (``--force``: everything; ``--retry-errors``: grader errors too), and
an interruption (Ctrl-C, a killed worker) loses nothing that finished. A grading that crashes,
runs past its time limit or leaves an invalid ``results.json`` is a grader error for that
submission alone. At the end, ``grades.csv``, ``tests.csv``, ``changes.csv`` and ``report.html``
are written from the records (:mod:`grader.operations.classreport`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import importlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path, PurePosixPath

from grader.operations import classreport, export, grade
from grader.release import build
from grader.submission import results, supervisor
from harness.homework import Homework, add_homework_argument, chosen_homework

ROOT = build.ROOT
# A grading is killed this long after the supervisor's overall budget (which already leaves it time to
# write results): only a grader that hangs outside the budget's reach gets there.
HANG_MARGIN_S = 90.0
GRADED, GRADER_ERROR, NO_FILES = "graded", "grader error", "no files"
RECORD_VERSION = 1

_installed: dict[str, Path] = {}  # per worker process: autograder digest -> verified zip on local disk
_install_lock = threading.Lock()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _install_autograder(data: bytes, digest: str) -> Path:
    """Put the autograder zip on this worker's local disk once, after checking its digest."""
    with _install_lock:
        path = _installed.get(digest)
        if path is not None and path.is_file():
            return path
        if sha256(data) != digest:
            raise RuntimeError(f"the autograder zip reached this worker damaged (digest is not {digest[:12]})")
        folder = Path(tempfile.mkdtemp(prefix=f"grader-autograder-{digest[:12]}-"))
        path = folder / "autograder.zip"
        path.write_bytes(data)
        _installed[digest] = path
        return path


def _write_files(files: dict[str, bytes], folder: Path) -> None:
    """Lay the submitted files out under ``folder``; a path that would leave it is dropped."""
    folder.mkdir(parents=True)
    for name, data in files.items():
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            continue
        target = folder.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def judge(done: grade.Run, limit: float) -> tuple[str, str, dict | None]:
    """(status, error, results document) of one finished run of the autograder."""
    if done.timed_out:
        return GRADER_ERROR, f"the grading ran past its {limit:.0f} s limit and was killed", None
    if done.results_text is None:
        return GRADER_ERROR, "the autograder left no results.json", None
    try:
        doc = json.loads(done.results_text)
    except ValueError as exc:
        return GRADER_ERROR, f"results.json is not valid JSON ({exc})", None
    try:
        results.validate(doc)
    except Exception as exc:  # noqa: BLE001 - any schema failure is this submission's grader error
        return GRADER_ERROR, f"results.json does not follow Gradescope's schema ({str(exc).splitlines()[0]})", None
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        return GRADER_ERROR, f"the autograder exited with status {done.returncode}: " + " | ".join(tail), doc
    return GRADED, "", doc


def grade_submission(sub_id: str, files: dict[str, bytes], metadata: dict, autograder: bytes,
                     autograder_digest: str, problems: str, budget: float | None) -> dict:
    """One grading, on a Dask worker: the submission's bytes in, its record out (see :func:`judge`).

    Never raises for anything the submission does; a worker that dies mid-grading shows up as
    the task's exception on the client.
    """
    zip_path = _install_autograder(autograder, autograder_digest)
    limit = (budget if budget is not None else supervisor.OVERALL_BUDGET_S) + HANG_MARGIN_S
    with tempfile.TemporaryDirectory(prefix="grader-batch-") as tmp:
        folder = Path(tmp) / "submission"
        _write_files(files, folder)
        done = grade.run(folder, zip_path, problems, budget, limit, metadata)
    status, error, doc = judge(done, limit)
    try:
        from distributed import get_worker
        where = get_worker().address
    except (ImportError, ValueError):
        where = "local"
    log = "" if status == GRADED else (done.stdout[-4000:] + "\n" + done.stderr[-4000:]).strip()
    return {"status": status, "error": error, "results": doc, "seconds": round(done.seconds, 2),
            "worker": where, "log": log}


@dataclasses.dataclass(frozen=True)
class Options:
    """What a record depends on besides the files: a record made with other options is stale."""

    autograder_digest: str
    problems: str
    budget: float | None
    homework: str = "Homework"  # the zip's homework: the assignment title in each submission's metadata

    def key(self, sub: export.Submission) -> dict:
        return {"version": RECORD_VERSION, "submission_digest": sub.digest,
                "autograder_digest": self.autograder_digest, "problems": self.problems, "budget": self.budget}


def record_path(out: Path, sub_id: str) -> Path:
    return out / "results" / f"{sub_id}.json"


def load_record(out: Path, sub: export.Submission, options: Options) -> dict | None:
    """The stored record of ``sub`` if it was made from the same files, autograder and options."""
    try:
        record = json.loads(record_path(out, sub.id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != options.key(sub):
        return None
    return record


def save_record(out: Path, sub: export.Submission, options: Options, outcome: dict) -> dict:
    """Write ``outcome`` as ``sub``'s record, atomically (an interruption leaves the old file or the new)."""
    record = {"submission_id": sub.id, "key": options.key(sub),
              "graded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), **outcome}
    path = record_path(out, sub.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{sub.id}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1, allow_nan=False)
    os.replace(tmp, path)
    return record


def plan(out: Path, subs: list[export.Submission], options: Options, force: bool = False,
         retry_errors: bool = False) -> tuple[dict[str, dict], list[export.Submission]]:
    """Split ``subs`` into the records still valid (by id) and the submissions to grade."""
    done: dict[str, dict] = {}
    todo: list[export.Submission] = []
    for sub in subs:
        record = None if force else load_record(out, sub, options)
        if record is not None and record.get("status") == GRADER_ERROR and retry_errors and sub.files:
            record = None
        if record is None and not sub.files:
            record = save_record(out, sub, options, {"status": NO_FILES, "error": sub.note, "results": None,
                                                     "seconds": 0.0, "worker": "", "log": ""})
        if record is None:
            todo.append(sub)
        else:
            done[sub.id] = record
    return done, todo


def _start_client(workers: int, scheduler: str | None):
    from distributed import Client, LocalCluster
    if scheduler:
        return Client(scheduler), None
    # One single-threaded worker process per grading slot: a grading is a tree of processes of its own,
    # and a Dask thread only waits on it. No dashboard (no bokeh; nothing listens beyond loopback).
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.ERROR, memory_limit=0)
    return Client(cluster), cluster


def grade_all(out: Path, todo: list[export.Submission], options: Options, autograder: bytes, workers: int,
              scheduler: str | None, progress: bool) -> tuple[dict[str, dict], bool]:
    """Grade ``todo`` on Dask, saving each record as it arrives. Returns the records and whether
    the run was interrupted (Ctrl-C: the finished records are already on disk)."""
    from distributed import as_completed
    from tqdm import tqdm

    done: dict[str, dict] = {}
    client, cluster = _start_client(workers, scheduler)
    interrupted = False
    try:
        slots = sum(client.nthreads().values())
        where = scheduler or "a local cluster"
        print(f"batch: grading {len(todo)} submission(s) on {len(client.nthreads())} Dask worker(s), "
              f"{slots} grading(s) at a time, at {where}", flush=True)
        shipped = client.scatter(autograder, broadcast=True, hash=False)  # once per worker, not per task
        # By reference, never by value: run as ``python -m``, this module is __main__, which cloudpickle
        # would ship whole; workers import the grading package themselves.
        task = importlib.import_module("grader.operations.batch").grade_submission
        futures = {}
        for sub in todo:
            future = client.submit(task, sub.id, sub.files, sub.metadata(options.homework), shipped,
                                   options.autograder_digest, options.problems, options.budget,
                                   key=f"grade-{sub.id}-{sub.digest[:12]}", pure=False)
            futures[future] = sub
        failures = 0
        bar = tqdm(total=len(todo), unit="sub", desc="grading", disable=not progress, file=sys.stderr,
                   dynamic_ncols=True)
        try:
            for future in as_completed(futures):
                sub = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker or task is this submission's grader error
                    outcome = {"status": GRADER_ERROR, "results": None, "seconds": 0.0, "worker": "", "log": "",
                               "error": f"the Dask task failed: {type(exc).__name__}: {str(exc)[:300]}"}
                done[sub.id] = save_record(out, sub, options, outcome)
                failures += outcome["status"] != GRADED
                bar.set_postfix_str(f"grader errors {failures}")
                bar.update(1)
        except KeyboardInterrupt:
            interrupted = True
            client.cancel(list(futures))
        finally:
            bar.close()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return done, interrupted


def autograder_zip(given: Path | None, out: Path, homework: Homework | None) -> bytes:
    """The autograder zip's bytes: ``given``, or ``homework``'s built once into ``OUT/autograder.zip``."""
    if given is not None:
        return given.read_bytes()
    print(f"batch: building {homework.name}'s autograder zip (records the torch oracles once)", flush=True)
    return build.build(homework, out / "autograder.zip").read_bytes()


def manifest_of(zip_bytes: bytes) -> dict:
    """The manifest the autograder grades with (read from the zip itself)."""
    with tempfile.TemporaryFile() as handle:
        handle.write(zip_bytes)
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            return json.loads(archive.read("manifest.json"))


def run(submissions: Path, out: Path, *, workers: int, scheduler: str | None = None, force: bool = False,
        retry_errors: bool = False, problems: str = "", budget: float | None = None, zip_path: Path | None = None,
        progress: bool = True, homework: Homework | None = None) -> int:
    """The whole batch; returns the exit status (0 done, 2 unreadable input, 130 interrupted)."""
    try:
        loaded = export.load(submissions)
    except export.InputError as exc:
        print(f"batch: {exc}", file=sys.stderr)
        return 2
    for line in loaded.problems:
        print(f"batch: input: {line}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    autograder = autograder_zip(zip_path, out, homework)
    problems = ",".join(str(n) for n in sorted({int(p) for p in problems.split(",") if p.strip()}))
    options = Options(sha256(autograder), problems, budget, manifest_of(autograder).get("homework", "Homework"))
    records, todo = plan(out, loaded.submissions, options, force, retry_errors)
    print(f"batch: {len(loaded.submissions)} submission(s) in {submissions} ({loaded.kind}); "
          f"{len(records)} up to date, {len(todo)} to grade", flush=True)
    interrupted = False
    started = time.monotonic()
    if todo:
        graded, interrupted = grade_all(out, todo, options, autograder, workers, scheduler, progress)
        records.update(graded)
        print(f"batch: graded {len(graded)} in {time.monotonic() - started:.0f} s", flush=True)
    written = classreport.write_all(out, loaded, records, manifest_of(autograder), options.problems,
                                   options.autograder_digest)
    counts = {s: sum(1 for r in records.values() if r.get("status") == s) for s in (GRADED, GRADER_ERROR, NO_FILES)}
    print(f"batch: {counts[GRADED]} graded, {counts[GRADER_ERROR]} grader error(s), {counts[NO_FILES]} without files"
          f"{f', {len(loaded.problems)} input problem(s)' if loaded.problems else ''}")
    for path in written:
        print(f"batch: wrote {path}")
    if interrupted:
        missing = len(loaded.submissions) - len(records)
        print(f"batch: interrupted; {missing} submission(s) not graded yet: run the same command again to finish",
              file=sys.stderr)
        return 130
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.operations.batch", description=__doc__.split("\n\n")[0],
                                     epilog="Outputs in OUT: results/<id>.json (one per submission), grades.csv, "
                                            "tests.csv, changes.csv (when the input recorded scores), report.html.")
    add_homework_argument(parser)
    parser.add_argument("--submissions", type=Path, required=True,
                        help="a Gradescope export (folder or zip) or a folder with one sub-folder or zip per student")
    parser.add_argument("--out", type=Path, required=True, help="output folder (reused by later runs)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="local single-threaded worker processes (default: one per core)")
    parser.add_argument("--scheduler", default=None,
                        help="address of an existing Dask scheduler (tcp://host:8786) instead of a local cluster")
    parser.add_argument("--force", action="store_true", help="regrade every submission, even if up to date")
    parser.add_argument("--retry-errors", action="store_true", help="regrade submissions whose grading failed")
    parser.add_argument("--problems", default="", help="comma-separated problems to grade (default: all)")
    parser.add_argument("--budget", type=float, default=None,
                        help="each grading's overall budget in seconds (default: the supervisor's)")
    parser.add_argument("--zip", type=Path, default=None, help="grade with this autograder zip instead of building one")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.zip is not None and not args.zip.is_file():
        parser.error(f"--zip {args.zip} is not a file")
    homework = None if args.zip else chosen_homework(parser, build.ROOT, args.homework)
    return run(args.submissions, args.out, workers=args.workers, scheduler=args.scheduler, force=args.force,
               retry_errors=args.retry_errors, problems=args.problems, budget=args.budget, zip_path=args.zip,
               progress=not args.no_progress, homework=homework)


if __name__ == "__main__":
    sys.exit(main())
