"""The test-side handle on a submission: :class:`Submission` and its worker process.

Tests never import student code. They ask a :class:`Submission` to ``call`` a student
function or run a staff ``probe``; the request runs in a separate worker process
(:mod:`harness.worker`) under a time limit the student cannot defuse (the whole process
group is killed), a memory cap, and an output cap; the answer comes back as plain data.
A crash or timeout fails only the test that made the call: the next call starts a fresh
worker. :class:`InProcessSubmission` is the ``DEBUG=1`` twin that runs everything in the
pytest process so that ``breakpoint()`` works.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import secrets
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import codec, sandbox
from harness.contract import Contract
from harness.diagnosis import Diagnosis
from harness.display import probe_display
from harness.errors import NotImplementedYet, NotRun, StudentCrash, StudentTimeout
from harness.seeding import seed_global_generators
from harness.text import clean_bytes
from harness.worker import code_folders

HEADER = struct.Struct("!Q")
WORKER_SCRIPT = Path(__file__).with_name("worker.py")
DEFAULT_TIMEOUT = 20.0
MAX_RESPONSE = 256 * 1024 * 1024
OUTPUT_FILE_LIMIT = sandbox.FILE_MB * 1024 * 1024  # a bigger flood kills the worker (SIGXFSZ)
OUTPUT_SHOWN = 3000
HOME_WATCH_S = 0.5  # without a tmpfs quota, the home is measured this often while a call runs
MAX_STRAY_FRAMES = 64  # frames that answer no pending request before the worker is stopped
CHANNEL_MESSAGE = ("your code wrote to the grader's channel: {n} message(s) that do not answer this call "
                   "were dropped, and the call does not count. Graded code must return its results.")
# Headless and single-threaded: grading boxes have half a CPU and no display.
WORKER_ENV = {
    "MPLBACKEND": "Agg",
    "SDL_VIDEODRIVER": "dummy",
    "SDL_AUDIODRIVER": "dummy",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
}


class _HomeOverQuota(Exception):
    """The worker's home grew past its quota while a call ran (args: bytes used, entries)."""


def _describe_call(target: str, args: tuple, kwargs: dict) -> str:
    """``target(arg, kw=value)`` with arrays and environments summarised."""

    def short(value: Any) -> str:
        if isinstance(value, codec.EnvSpec):
            return value.describe()
        if hasattr(value, "shape") and hasattr(value, "dtype"):
            return f"array(shape={tuple(value.shape)}, dtype={value.dtype})"
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."

    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return f"{target}({', '.join(parts)})"


class Worker:
    """One student worker process, started lazily and restarted after any failure.

    ``code_dir`` holds the assembled code folders of the homework (``HWn/code``'s layout);
    ``runtime_dir`` holds the ``harness`` package and, in ``support/``, the homework's probes and
    helpers (copied next to the code when grading, so the worker user can read them). ``user`` names
    an unprivileged account to run as (only when we are root): a name or a uid claimed with
    :func:`harness.sandbox.claim_worker_uid`. ``protections`` is what the worker reported
    about its sandbox when it started (also written to ``sandbox_log`` when given). ``track``
    names the student functions (``module.name``) whose calls the worker records (its ``ran``).
    """

    def __init__(self, code_dir: Path, runtime_dir: Path, *, memory_mb: int = 2048,
                 user: str | None = None, python: str = sys.executable, confine: bool = False,
                 sandbox_log: str | None = None, track: tuple[str, ...] = ()) -> None:
        self.code_dir = Path(code_dir)
        self.runtime_dir = Path(runtime_dir)
        self.memory_mb = memory_mb
        self.user = user
        self.python = python
        self.confine = confine
        self.track = tuple(track)
        self.process: subprocess.Popen | None = None
        self.exit_status: int | None = None
        self._scratch = Path(tempfile.mkdtemp(prefix="grader-worker-"))
        self._output_path = self._scratch / "output.txt"
        self._home = self._scratch / "home"
        self.sandbox_log = sandbox_log
        self.protections: dict | None = None
        self._hello_pending = False

    def _limits(self) -> None:  # runs in the child between fork and exec
        cap = self.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_FILE_LIMIT, OUTPUT_FILE_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        sandbox.limits(root_run=self.user is not None)

    def start(self) -> None:
        self._home.mkdir(exist_ok=True)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self._home), "TMPDIR": str(self._home),
               "MPLCONFIGDIR": str(self._home / ".mpl"), "LANG": "C.UTF-8", **WORKER_ENV,
               "GRADER_CONFINE": "1" if self.confine else "0", "GRADER_TRACK": ",".join(self.track)}
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        output_fd = os.open(self._output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        if self.user is not None:  # the worker starts as root and drops to it in its sandbox
            uid, gid, name = sandbox.parse_user(self.user)
            os.chmod(self._scratch, 0o711)  # the worker may enter its home, not list our files
            os.chown(self._home, uid, gid)
            env.update({"GRADER_WORKER_ID": f"{uid}:{gid}", "USER": name, "LOGNAME": name})
        try:
            self.process = subprocess.Popen(
                [self.python, "-I", str(self.runtime_dir / "harness" / "worker.py"),
                 str(request_r), str(response_w), str(self.code_dir)],
                stdin=subprocess.DEVNULL, stdout=output_fd, stderr=output_fd,
                pass_fds=(request_r, response_w), cwd=self._home, env=env,
                start_new_session=True, preexec_fn=self._limits,
            )
        finally:
            for fd in (request_r, response_w, output_fd):
                os.close(fd)
        self._request_w, self._response_r = request_w, response_r
        self._hello_pending = True

    def kill(self) -> None:
        """Kill the worker's whole process group and forget it."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        os.close(self._request_w)
        os.close(self._response_r)
        self.process = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def take_output(self) -> str:
        """What the worker printed since the last call, cleaned and bounded; then forget it."""
        try:
            with open(self._output_path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size <= OUTPUT_SHOWN:
                    data = handle.read()
                else:
                    head = handle.read(OUTPUT_SHOWN // 2)
                    handle.seek(size - OUTPUT_SHOWN // 2)
                    data = head + f"\n[... {size - OUTPUT_SHOWN} bytes cut ...]\n".encode() + handle.read()
            os.truncate(self._output_path, 0)
        except OSError:
            return ""
        return clean_bytes(data, OUTPUT_SHOWN + 200)

    def _read_exact(self, n: int, deadline: float) -> bytes:
        chunks = []
        watch = self.confine and self.protections is not None and not self.protections.get("home")
        while n:
            remaining = deadline - time.monotonic()
            wait = min(remaining, HOME_WATCH_S) if watch else remaining
            if remaining <= 0:
                raise TimeoutError
            if not select.select([self._response_r], [], [], wait)[0]:
                if wait < remaining:
                    over = self._home_over()
                    if over:
                        raise _HomeOverQuota(*over)
                    continue
                raise TimeoutError
            chunk = os.read(self._response_r, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def request(self, message: dict, timeout: float) -> dict:
        """Send one request, wait at most ``timeout`` seconds, return the decoded response.

        Raises ``TimeoutError`` (worker killed), ``EOFError`` (worker died) or
        ``codec.CodecError`` (garbage on the wire; worker killed).
        """
        if self.process is None or self.process.poll() is not None:
            if self.process is not None:
                self.kill()
            self.start()
        nonce = secrets.token_hex(16)  # the answer must echo it: student code cannot forge one in advance
        payload = codec.dumps({**message, "nonce": nonce})
        deadline = time.monotonic() + timeout
        try:
            if self._hello_pending:
                self._read_hello(deadline)
            self._write_all(HEADER.pack(len(payload)) + payload, deadline)
            response = self._answer(nonce, deadline)
            over = self._home_over()
            return self._home_verdict(*over) if over else response
        except _HomeOverQuota as exc:
            return self._home_verdict(*exc.args)
        except (EOFError, BrokenPipeError):
            if self.process is not None:
                self.exit_status = self.process.wait()
            self.kill()
            raise
        except (TimeoutError, codec.CodecError):
            self.kill()
            raise

    def _read_frame(self, deadline: float, lenient: bool = False):
        """One length-prefixed frame, decoded; ``lenient``: ``None`` when it does not decode."""
        (size,) = HEADER.unpack(self._read_exact(HEADER.size, deadline))
        if size > MAX_RESPONSE:
            raise codec.CodecError("response too large; did your code write to the grader's channel?")
        data = self._read_exact(size, deadline)
        try:
            return codec.loads(data)
        except codec.CodecError:
            if lenient:
                return None
            raise

    def _read_hello(self, deadline: float) -> None:
        """The worker's first frame, sent before any student code ran: its sandbox."""
        hello = self._read_frame(deadline)
        if not isinstance(hello, dict) or not isinstance(hello.get("hello"), dict):
            raise codec.CodecError("the worker did not start properly")
        self.protections = hello["hello"]
        self._hello_pending = False
        if self.sandbox_log:
            Path(self.sandbox_log).write_text(json.dumps(self.protections, default=str))

    def _answer(self, nonce: str, deadline: float) -> dict:
        """The frame that answers request ``nonce``; any other frame is dropped and counted."""
        stray = 0
        while True:
            frame = self._read_frame(deadline, lenient=True)  # well-framed garbage is dropped too
            if isinstance(frame, dict) and frame.get("nonce") == nonce and ({"ok", "error"} & frame.keys()):
                break
            stray += 1
            if stray > MAX_STRAY_FRAMES:
                raise codec.CodecError("your code wrote to the grader's channel")
        if stray:
            return {"error": {"kind": "sandbox", "message": CHANNEL_MESSAGE.format(n=stray)}}
        return frame

    def _home_over(self) -> tuple[int, int] | None:
        """Without a tmpfs quota (no root, or no namespaces), the home is measured during and
        after each call: ``(bytes, entries)`` when over ``HOME_MB`` or ``HOME_INODES``.
        A fast writer can still exceed the quota by what it writes in ``HOME_WATCH_S``."""
        if not self.confine or self.protections is None or self.protections.get("home"):
            return None
        used, entries = 0, 0
        for dirpath, dirnames, filenames in os.walk(self._home):
            for name in filenames + dirnames:
                entries += 1
                try:
                    used += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                except OSError:
                    continue
            if entries > sandbox.HOME_INODES:
                break
        return (used, entries) if used > sandbox.HOME_MB * 2**20 or entries > sandbox.HOME_INODES else None

    def _home_verdict(self, used: int, entries: int) -> dict:
        """Stop the worker, empty its home, fail the call that filled it."""
        self.kill()
        shutil.rmtree(self._home, ignore_errors=True)
        return {"error": {"kind": "sandbox", "message": (
            f"your code wrote {used / 2**20:.0f} MB in {entries} files to its home folder; the limit is "
            f"{sandbox.HOME_MB} MB and {sandbox.HOME_INODES} files (the call was stopped, the folder emptied)")}}

    def _write_all(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [self._request_w], [], remaining)[1]:
                raise TimeoutError
            view = view[os.write(self._request_w, view[:65536]):]


def _crash_reason(returncode: int | None, memory_mb: int) -> str:
    if returncode is None:
        return "the worker process stopped answering"
    if returncode < 0:
        signame = signal.Signals(-returncode).name
        if -returncode == signal.SIGXFSZ:
            return f"it printed more than {OUTPUT_FILE_LIMIT // 2**20} MB of output and was stopped ({signame})"
        if -returncode in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT):
            return (f"the process was killed by {signame} (often memory: the cap is {memory_mb} MB, "
                    "or a crash in native code)")
        return f"the process was killed by {signame}"
    return f"the process exited with status {returncode} (os._exit or a crash) before returning"


class Submission:
    """A student's code, reachable through a worker. The API every test uses.

    ``call(module, function, *args, timeout=..., **kwargs)`` calls a student function;
    ``probe(name, *args, timeout=..., **kwargs)`` runs ``probes.<family>.<fn>`` of the homework.
    Arguments and results are plain data (see :mod:`harness.codec`). Failures raise the
    :mod:`harness.errors` classes with a message written for the student. ``output`` is
    what the last request printed.
    """

    def __init__(self, worker: Worker, budget_s: float | None = None, label: str = "this problem",
                 contract: Contract | None = None, failures: dict | None = None) -> None:
        self.worker = worker
        self.output = ""
        self.printed: list[str] = []  # everything printed during the current test
        self.label = label
        self.deadline = time.monotonic() + budget_s if budget_s is not None else None
        self.diagnosis = Diagnosis(contract, failures)

    def begin_test(self, nodeid: str, number: str, error_hints=()) -> None:
        """Called before each test: the seed of its calls, the number its messages cite, and the
        hints its module gives for exceptions (``ERROR_HINTS``)."""
        self.printed = []
        self.diagnosis.begin_test(nodeid, number, error_hints)

    def call(self, module: str, function: str, *args: Any, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> Any:
        what = _describe_call(f"{module}.{function}", args, kwargs)
        result = self._request({"op": "call", "module": module, "function": function,
                                "args": list(args), "kwargs": kwargs}, what, timeout)
        self.diagnosis.check_returns(module, function, result, what)
        return result

    def probe(self, name: str, *args: Any, timeout: float = DEFAULT_TIMEOUT, shown_as: str | None = None,
              **kwargs: Any) -> Any:
        """Run a staff probe; ``shown_as`` is the call as a student would write it, for messages."""
        what = shown_as or probe_display(name, args, kwargs, self.diagnosis.contract.displays)
        return self._request({"op": "probe", "name": name, "args": list(args), "kwargs": kwargs}, what, timeout)

    def _request(self, message: dict, what: str, timeout: float) -> Any:
        __tracebackhide__ = True
        message["seed"] = self.diagnosis.next_seed()
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise NotRun(f"{what} was not run: the time budget of {self.label} is used up "
                                     "(earlier calls took too long).")
            timeout = min(timeout, remaining)
        self.worker.exit_status = None
        try:
            response = self.worker.request(message, timeout)
        except TimeoutError:
            self.output = self.worker.take_output()
            raise StudentTimeout(
                f"{what} did not finish within {timeout:g} s and was stopped. "
                "Look for an infinite loop or a loop that never meets its stopping condition.", self.output
            ) from None
        except (EOFError, BrokenPipeError):
            self.output = self.worker.take_output()
            reason = _crash_reason(self.worker.exit_status, self.worker.memory_mb)
            raise StudentCrash(f"{what} crashed: {reason}.", self.output) from None
        except codec.CodecError as exc:
            self.output = self.worker.take_output()
            raise StudentCrash(f"{what}: the worker sent an unreadable answer ({exc}).", self.output) from None
        self.output = self.worker.take_output()
        if self.output:
            self.printed.append(self.output)
        self.diagnosis.saw_mutation(message, response.get("mutated") or [])
        self.diagnosis.saw_ran(response.get("ran") or [])
        if "error" in response:
            raise self.diagnosis.error(response["error"], message, what, self.output)
        return response["ok"]

    def close(self) -> None:
        self.worker.close()


class InProcessSubmission:
    """``DEBUG=1``: the same API, student code imported into this process (breakpoints work)."""

    def __init__(self, code_dir: Path, contract: Contract | None = None, failures: dict | None = None) -> None:
        self.code_dir = Path(code_dir)
        self.output = ""
        self.printed: list[str] = []
        self.diagnosis = Diagnosis(contract, failures)
        for folder in code_folders(self.code_dir):  # student scripts import their siblings by bare name
            if folder not in sys.path:
                sys.path.insert(0, folder)

    def begin_test(self, nodeid: str, number: str, error_hints=()) -> None:
        self.printed = []
        self.diagnosis.begin_test(nodeid, number, error_hints)

    def _run(self, fn, args: tuple, kwargs: dict, what: str) -> Any:
        args, kwargs = codec.materialize(codec.loads(codec.dumps(list(args))), codec.loads(codec.dumps(kwargs)))
        seed_global_generators(self.diagnosis.next_seed())
        try:
            result = fn(*args, **kwargs)
        except NotImplementedError as exc:
            raise NotImplementedYet(f"{what}: not implemented yet ({exc}).") from exc
        # The same round trip as the worker: DEBUG must not accept what grading rejects.
        return codec.loads(codec.dumps(result))

    def call(self, module: str, function: str, *args: Any, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> Any:
        fn = getattr(importlib.import_module(module), function)
        what = _describe_call(f"{module}.{function}", args, kwargs)
        result = self._run(fn, args, kwargs, what)
        self.diagnosis.check_returns(module, function, result, what)
        return result

    def probe(self, name: str, *args: Any, timeout: float = DEFAULT_TIMEOUT, shown_as: str | None = None,
              **kwargs: Any) -> Any:
        family, _, fn_name = name.partition(".")
        fn = getattr(importlib.import_module(f"probes.{family}"), fn_name)  # the homework's tests folder is on sys.path
        return self._run(fn, args, kwargs, shown_as or probe_display(name, args, kwargs,
                                                                     self.diagnosis.contract.displays))

    def close(self) -> None:
        pass

