"""Grade a homework's submission corpus and compare with what each entry expects.

``python -m grader.quality.corpus --homework HWn [--only NAME,...]`` (``--help``). Each folder of
``autograder/HWn/corpus/`` is a submission: the student files it changes, laid out like
``HWn/code`` (the other files come from ``solutions/HWn``, unless ``"overlay": false``), and
an ``expected.json`` (``"base"``: ``"solutions"``, ``"stubs"`` or ``"none"``). A buggy
variant is a patch, ``<file>.patch`` (a unified diff of its base file), applied without
fuzz, so it follows the solution and fails loudly once it no longer applies.
``"copies": {"dest": "solutions/HWn/..."}`` places whole repository files elsewhere (flat
layouts, misnamed files). ``"replay": "HWm/<entry>"`` grades another homework's (hostile) entry
against this homework's files: that entry's student files become this homework's files of the
problems it names, each followed by a module ``__getattr__`` that sends every function or class the
grader looks up to the entry's first function (or to its ``"function"``, when the attack lives in
another one), so its attacks run here too (:func:`replay`)::

    {"problems": [2], "description": "greedy step without gamma", "expect": {"2": "lose"}}

``"full"`` means every point of that problem, ``"lose"`` strictly fewer, ``"zero"`` none.
Feedback expectations (optional): ``"hints"`` must appear in the entry's test outputs and in
no other entry's that does not declare them too (a hint is a claim about one cause);
``"contains"`` must appear; ``"once"`` must appear exactly once (one root cause, one message);
``"absent"`` must not appear (a claim that would be false for this entry).
``"listen": {"tcp": PORT, "udp": PORT}`` runs loopback listeners during the grading (a
network exfiltration target) that must hear nothing. ``"leftovers": {"files": [glob, ...],
"sysv_shm_keys": [key, ...]}`` names what a hostile entry would leave on the machine if it got
past the sandbox (files in the shared writable folders, System V segments): none may be there after.
``--hints`` prints, for each graded entry, every explanation its messages gave (each ``Hint:``,
each ``Note:``, each dependency line) with the tests that gave it: the table of entries x hints
shown that a change to the feedback is judged by (``--hints-json FILE`` keeps it for a diff).
Every entry is graded through the real autograder (:mod:`grader.operations.grade`) on the
problems it names, and must also keep the invariants every run keeps: a schema-valid
``results.json``, the run finished within its budget, no hidden-test or reference text in
any output, no expected value in a hidden test's message, no process left behind, and
nothing left behind by hostile entries (their ``"leftovers"``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.operations import grade
from grader.release import build
from grader.submission import results
from grader.submission.secrets import leaks, secret_lines
from harness import procs
from harness.homework import Homework, add_homework_argument, chosen_homework

ROOT = build.ROOT
EXPECTATIONS = ("full", "lose", "zero")
SHARED_WRITABLE = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))


@dataclasses.dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float
    scores: dict[str, str]
    problems: list[str]
    feedback: str = ""  # every test's output, for the cross-entry hint check
    hints: tuple[str, ...] = ()
    tests: list[dict] = dataclasses.field(default_factory=list)  # number, score, max_score, output


def folder(homework: Homework) -> Path:
    """The homework's corpus: ``autograder/HWn/corpus``, one folder per entry."""
    return homework.staff / "corpus"


def entries(homework: Homework, only: set[str] | None = None) -> list[Path]:
    found = sorted(p.parent for p in folder(homework).glob("*/expected.json"))
    return [p for p in found if not only or p.name in only]


def homework_of(entry: Path) -> Homework:
    """The homework whose corpus holds ``entry`` (``autograder/HWn/corpus/<entry>``)."""
    return Homework(entry.parents[3], entry.parents[1].name)


def _submission(entry: Path, spec: dict, target: Path) -> Path:
    """The entry's files over its base: ``"base"`` is solutions (default), stubs or none."""
    homework = homework_of(entry)
    bases = {"solutions": homework.solutions, "stubs": homework.code}
    base = spec.get("base", "solutions" if spec.get("overlay", True) else "none")
    if base != "none":
        for rel in homework.student_files:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bases[base] / rel, target / rel)
    for dest, source in spec.get("copies", {}).items():
        (target / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(homework.root / source, target / dest)
    if "replay" in spec:
        return replay(homework, spec, target)
    for path in sorted(entry.rglob("*")):
        if not path.is_file() or path.name == "expected.json":
            continue
        rel = path.relative_to(entry)
        if path.suffix == ".patch":
            _apply(path, target / rel.with_suffix(""))
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
    return target


REPLAY_SHIM = """

# Replayed against {homework}: every function or class the grader looks up runs {first}, given as many
# positional arguments as it requires (the grader's own, then None), so its attacks run here too.
def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    import inspect

    target = globals()[{first!r}]
    required = [p for p in inspect.signature(target).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

    def replayed(*args, **kwargs):
        return target(*(list(args) + [None] * len(required))[:len(required)])

    return replayed
"""


def _first_function(source: str) -> str | None:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    return names[0] if names else None


def replay(homework: Homework, spec: dict, target: Path) -> Path:
    """Another homework's entry (``spec["replay"]``: ``"HWm/<entry>"``) as a submission of ``homework``.

    The entry is built as its own homework's submission; each of its student files that it
    changed becomes every student file of ``homework`` in the problems ``spec`` names, with
    :data:`REPLAY_SHIM` appended (calling ``spec["function"]``, by default the file's first function); its
    other files (planted configuration, look-alike modules,
    archives) go beside them, or stay at the top.
    """
    source_name, _, entry_name = spec["replay"].partition("/")
    source = Homework(homework.root, source_name)
    entry = folder(source) / entry_name
    with tempfile.TemporaryDirectory(prefix="grader-replay-") as tmp:
        built = build_submission(entry, Path(tmp) / "built")
        attack = next((built / rel for rel in source.student_files if (built / rel).is_file()
                       and (built / rel).read_bytes() != (source.solutions / rel).read_bytes()), None)
        targets = [rel for rel, number in homework.student_files.items() if number in spec["problems"]]
        if attack is not None:
            text = attack.read_text(encoding="utf-8", errors="replace")
            first = spec.get("function") or _first_function(text)
            for rel in targets:
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                (target / rel).write_text(text + (REPLAY_SHIM.format(homework=homework.name, first=first)
                                                  if first else ""), encoding="utf-8")
        beside = Path(targets[0]).parent if targets else Path(".")
        for path in sorted(entry.rglob("*")):
            rel = path.relative_to(entry)
            if not path.is_file() or path.name == "expected.json" or path.suffix == ".patch" \
                    or rel.as_posix() in source.student_files:
                continue
            dest = target / (beside / rel.name if len(rel.parts) > 1 else rel)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    return target


def build_submission(entry: Path, target: Path) -> Path:
    """Write corpus ``entry`` as a submission folder (its files over its base) at ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    return _submission(entry, json.loads((entry / "expected.json").read_text()), target)


def _apply(patch_file: Path, target: Path) -> None:
    """Apply a buggy variant's patch to its base file exactly (no fuzz): drift fails loudly."""
    proc = subprocess.run(["patch", "--batch", "--forward", "--fuzz=0", "--silent", str(target), str(patch_file)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{patch_file} no longer applies to its base file; "
                           f"re-create it from the current solution ({proc.stdout.strip()} {proc.stderr.strip()})")


def _listen(spec: dict) -> list[socket.socket]:
    """Loopback listeners (``{"tcp": port, "udp": port}``) that a submission may try to reach."""
    sockets = []
    for kind, port in spec.items():
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", int(port)))
        if kind == "tcp":
            sock.listen(16)  # the kernel completes connections without accept(): a pending one is a leak
        sockets.append(sock)
    return sockets


def _heard(sockets: list[socket.socket]) -> list[str]:
    """The listeners that received a connection or a datagram; closes them all."""
    ready = select.select(sockets, [], [], 0)[0] if sockets else []
    heard = [f"{'tcp' if s.type == socket.SOCK_STREAM else 'udp'} port {s.getsockname()[1]}" for s in ready]
    for sock in sockets:
        sock.close()
    return heard


def leftovers(specs: list[dict]) -> list[str]:
    """What hostile entries left on the machine (and remove it): the files and System V shared
    memory segments their ``"leftovers"`` name."""
    found = []
    patterns = sorted({g for spec in specs for g in spec.get("leftovers", {}).get("files", ())})
    keys = {int(k) for spec in specs for k in spec.get("leftovers", {}).get("sysv_shm_keys", ())}
    for folder in SHARED_WRITABLE:
        for path in (p for pattern in patterns for p in folder.glob(pattern)):
            found.append(str(path))
            path.unlink(missing_ok=True)
    try:
        rows = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    except OSError:
        rows = []
    for row in rows:
        key, shmid = (int(field) for field in row.split()[:2])
        if key in keys:
            found.append(f"System V shared memory segment {key:#x}")
            subprocess.run(["ipcrm", "-m", str(shmid)], capture_output=True)
    return found


def outlived(settle_s: float = 5.0) -> list[int]:
    """Descendants still there once those already killed had ``settle_s`` seconds to die (their zombies reaped).

    The worker's PID namespace dies with the worker, but a few hundred processes killed at once (a fork bomb at
    the end of the last problem) take a moment to go: only a process still there after that outlived the run.
    """
    deadline = time.monotonic() + settle_s
    while True:
        procs.reap_zombies()
        left = procs.descendants()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def check_entry(entry: Path, zip_path: Path, secrets: frozenset[str], budget: float,
                check_processes: bool = True) -> Outcome:
    """Grade ``entry`` and check it against its ``expected.json``; a broken entry is a failed outcome."""
    try:
        return _check_entry(entry, zip_path, secrets, budget, check_processes)
    except Exception as exc:  # noqa: BLE001 - one broken entry (a stale patch, a missing copy) fails alone
        return Outcome(entry.name, False, 0.0, {}, [f"the entry could not be graded: {type(exc).__name__}: {exc}"])


def _check_entry(entry: Path, zip_path: Path, secrets: frozenset[str], budget: float,
                 check_processes: bool) -> Outcome:
    spec = json.loads((entry / "expected.json").read_text())
    problems = ",".join(str(p) for p in spec["problems"])
    problems_seen: list[str] = []
    scores: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="grader-corpus-") as tmp:
        submission = _submission(entry, spec, Path(tmp) / "submission")
        secrets = _not_submitted(secrets, submission)
        out = Path(tmp) / "results.json"
        listeners = _listen(spec.get("listen", {}))
        started = time.monotonic()
        try:
            doc = grade.grade(submission, out, problems, zip_path, budget=budget, quiet=True)
        finally:
            heard = _heard(listeners)
        seconds = time.monotonic() - started
    if heard:
        problems_seen.append(f"the submission reached the loopback listener(s): {', '.join(heard)}")
    try:
        results.validate(doc)
    except Exception as exc:  # noqa: BLE001
        problems_seen.append(f"results.json invalid: {exc}")
    if seconds > budget + 60:
        problems_seen.append(f"took {seconds:.0f} s, over the {budget:.0f} s budget")
    text = doc.get("output", "") + "\n".join(t.get("output", "") + t.get("name", "") for t in doc.get("tests", []))
    leaked = leaks(text, secrets)
    if leaked:
        problems_seen.append(f"grader text leaked into the output: {leaked[0]!r}")
    left = outlived() if check_processes else []
    if left:
        problems_seen.append(f"{len(left)} process(es) outlived the run")
        procs.kill_descendants()
    behind = leftovers([spec]) if check_processes else []
    if behind:
        problems_seen.append(f"left behind: {', '.join(behind[:5])}{' ...' if len(behind) > 5 else ''}")
    outputs = [t.get("output", "") for t in doc.get("tests", [])]
    feedback = "\n".join(outputs)
    problems_seen += _feedback_problems(spec, doc, outputs)
    for number, expectation in spec["expect"].items():
        mine = [t for t in doc["tests"] if t["number"].split(".")[0] == str(number)]
        earned = sum(t["score"] for t in mine)
        possible = sum(t["max_score"] for t in mine)
        scores[number] = f"{earned:g}/{possible:g}"
        ok = {"full": possible > 0 and earned >= possible, "lose": earned < possible,
              "zero": earned == 0}[expectation]
        if not mine:
            ok = False
        if not ok:
            problems_seen.append(f"problem {number}: expected {expectation}, got {earned:g}/{possible:g}")
    tests = [{key: t.get(key) for key in ("number", "score", "max_score", "output")} for t in doc.get("tests", [])]
    return Outcome(entry.name, not problems_seen, seconds, scores, problems_seen, feedback,
                   tuple(spec.get("hints", ())), tests)


def _not_submitted(secrets: frozenset[str], submission: Path) -> frozenset[str]:
    """The secret lines that the submission's own files do not hold: a student's code quoted back to them (a
    traceback line of a file they copied from another homework's reference, say) reveals nothing."""
    own = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in sorted(submission.rglob("*.py"))
                    if path.is_file())
    return frozenset(line for line in secrets if line not in own) if own else secrets


# Hidden feedback may say where a result differs and what came back, never an expected value
# or the size of a difference (with the student's own value, that gives the expected one).
HIDDEN_LEAKS = re.compile(r"\b(expected|should be|difference(?: of)?)\s+[-+]?\d", re.I)


def _feedback_problems(spec: dict, doc: dict, outputs: list[str]) -> list[str]:
    """What the entry's messages must say (``hints``, ``contains``), say once (``once``), and
    what hidden tests' messages must never say (expected values)."""
    found = []
    feedback = "\n".join(outputs)
    for text in [*spec.get("hints", ()), *spec.get("contains", ())]:
        if text not in feedback:
            found.append(f"feedback never says {text!r}")
    for text in spec.get("once", ()):
        count = feedback.count(text)
        if count != 1:
            found.append(f"feedback says {text!r} {count} times, expected once (one root cause, one message)")
    for text in spec.get("absent", ()):
        if text in feedback:
            found.append(f"feedback says {text!r}, a claim that is false for this entry")
    for test in doc.get("tests", []):
        if test.get("visibility", "visible") != "visible":
            leak = HIDDEN_LEAKS.search(test.get("output", ""))
            if leak:
                found.append(f"hidden test {test.get('number')} reveals an expected value: {leak.group(0)!r}")
    return found


def cross_check_hints(outcomes: list[Outcome]) -> list[str]:
    """A hint is a claim about a cause: it may appear only in entries that declare it."""
    found = []
    declared = {hint for outcome in outcomes for hint in outcome.hints}
    for outcome in outcomes:
        for hint in sorted(declared - set(outcome.hints)):
            if hint in outcome.feedback:
                found.append(f"{outcome.name}: says {hint!r}, a hint declared for another bug")
    return found


# What counts as an explanation in a message: a hint, a note, a dependency named as the cause.
EXPLANATION = re.compile(r"(Hint: .*|Note: .*|It was raised inside .*|could not be graded: it calls .*)$")


def explanations(output: str) -> list[str]:
    """The explanations (hints, notes, dependency lines) of one test's output, in order, once each."""
    found: list[str] = []
    for line in output.splitlines():
        match = EXPLANATION.search(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def hints_table(outcomes: list[Outcome], width: int = 110) -> list[str]:
    """Entries x hints shown: for each entry, each explanation and the tests that gave it."""
    lines = []
    for outcome in sorted(outcomes, key=lambda o: o.name):
        scores = " ".join(f"P{k}={v}" for k, v in outcome.scores.items())
        lost = [t["number"] for t in outcome.tests if (t.get("score") or 0) < (t.get("max_score") or 0)]
        lines.append(f"{outcome.name}  {scores}  lost: {', '.join(lost) or 'none'}")
        shown: dict[str, list[str]] = {}
        for test in outcome.tests:
            for text in explanations(test.get("output") or ""):
                shown.setdefault(text, []).append(str(test["number"]))
        if not shown:
            lines.append("    (no hint shown)")
        for text, numbers in shown.items():
            cut = text if len(text) <= width else text[: width - 3] + "..."
            lines.append(f"    [{', '.join(numbers)}] {cut}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.quality.corpus", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--only", default="", help="comma-separated entry names (default: all)")
    parser.add_argument("--budget", type=float, default=540.0, help="overall budget per entry in seconds")
    parser.add_argument("--jobs", type=int, default=2, help="entries graded at once (default: 2)")
    parser.add_argument("--hints", action="store_true",
                        help="print the table of entries x hints shown (each explanation and the tests giving it)")
    parser.add_argument("--hints-json", type=Path, default=None,
                        help="also write each entry's tests (number, score, output) to this JSON file")
    parser.add_argument("--hints-from", type=Path, default=None,
                        help="print the hints table of a --hints-json file, grading nothing")
    args = parser.parse_args(argv)
    if args.hints_from:
        saved = json.loads(args.hints_from.read_text())
        wanted = {n for n in args.only.split(",") if n}
        for line in hints_table([Outcome(name, True, 0.0, item["scores"], [], tests=item["tests"])
                                 for name, item in saved.items() if not wanted or name in wanted]):
            print(line)
        return 0
    homework = chosen_homework(parser, ROOT, args.homework)
    procs.become_subreaper()
    chosen = entries(homework, {n for n in args.only.split(",") if n} or None)
    if not chosen:
        print(f"corpus {homework.name}: no entries found")
        return 1
    zip_path = build.build(homework)
    secrets = secret_lines(ROOT)
    failures = 0
    started = time.monotonic()
    # In parallel, leftover processes are checked once at the end (entries overlap in time).
    outcomes = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        futures = [pool.submit(check_entry, entry, zip_path, secrets, args.budget, args.jobs <= 1)
                   for entry in chosen]
        for future in concurrent.futures.as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            failures += not outcome.ok
            scores = " ".join(f"P{k}={v}" for k, v in outcome.scores.items())
            print(f"{'ok  ' if outcome.ok else 'FAIL'} {outcome.name:<32} {outcome.seconds:6.1f} s  {scores}",
                  flush=True)
            for problem in outcome.problems:
                print(f"       {problem}")
    for problem in cross_check_hints(outcomes):
        failures += 1
        print(f"FAIL {problem}")
    if args.hints:
        print("\nHints shown (entry, score, tests that lost points; each explanation and the tests giving it):")
        for line in hints_table(outcomes):
            print(line)
    if args.hints_json:
        args.hints_json.write_text(json.dumps({o.name: {"scores": o.scores, "tests": o.tests} for o in outcomes},
                                              indent=1))
    left = outlived()
    if left:
        failures += 1
        print(f"FAIL {len(left)} process(es) outlived the corpus run")
        procs.kill_descendants()
    behind = leftovers([json.loads((entry / "expected.json").read_text()) for entry in chosen])
    if behind:
        failures += 1
        print(f"FAIL left behind by the corpus run: {', '.join(behind[:10])}")
    print(f"corpus {homework.name}: {len(chosen) - failures}/{len(chosen)} entries as expected "
          f"({time.monotonic() - started:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
