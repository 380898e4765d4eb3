"""The student worker: the only process that imports student code.

Started by :mod:`harness.client` as ``python -I worker.py REQ_FD RESP_FD CODE_DIR``.
It reads length-prefixed requests on ``REQ_FD``, runs them, and writes one
length-prefixed response per request on ``RESP_FD`` in the :mod:`harness.codec` format.
Student prints go to the worker's stdout/stderr, which the parent points at a capped
file, so they can never corrupt the protocol.

Requests: ``{"op": "call", "module", "function", "args", "kwargs"}`` calls a student
function; ``{"op": "probe", "name": "family.function", "args", "kwargs"}`` runs a staff
probe, ``probes.family.function`` of the homework's support modules (``RUNTIME/support``);
each carries a ``seed`` for the global generators
(:mod:`harness.seeding`), set just before the student code runs. Responses: ``{"ok": value}``
or ``{"error": {...}}`` (with the student frames, and which student file failed to import or
which function is missing), plus ``"mutated"``: the arguments a call changed in place, and
``"ran"``: which of the tracked student functions ran during the request. Tracked are the
functions others call by the contract (``GRADER_TRACK``, ``module.name`` comma-separated, set by
the client): when a student module is imported, each is wrapped so that a call is recorded
(a class: its methods), so a failure is blamed on a dependency only if the dependency ran.
This file is the worker's entry point, so it imports only the standard library at the top
and the codec after it has fixed ``sys.path``.

When grading (``GRADER_CONFINE=1``), before it reads the first request the worker confines
itself with Landlock (Linux 5.13+;
best effort elsewhere): from then on it, the student code and anything it starts can read
only the Python installation, the system folders, the code and runtime folders it was given
and its home (the only writable place besides ``/dev``). The autograder source, the hidden
tests and the reference solutions stay unreadable even where file permissions alone would
allow it (a course checkout on the grading machine). It also refuses TCP and signals to
processes outside the worker where the kernel supports that.

Before that, :mod:`harness.sandbox` takes away the network, bounds processes, files and the
writable space (:func:`harness.sandbox.enter`), and the worker hides its channel (random
high descriptors, close-on-exec, closed in forked children, gone from ``sys.argv``). Every
response echoes the ``nonce`` of its request, so the client drops any frame student code
forges. The first frame, sent before any student code runs, is ``{"hello": protections}``.
"""

import functools
import importlib
import importlib.machinery
import os
import struct
import sys

# copy, ctypes, inspect and traceback are imported where they are used: the sandbox's helper
# processes are forked from this process before it reads a request, and every module loaded by
# then is resident in each of them too (3 MB apiece).

HEADER = struct.Struct("!Q")
MAX_REQUEST = 512 * 1024 * 1024


def code_folders(code_dir) -> list[str]:
    """The folders of an assembled code tree (``HWn/code``'s layout) that go on ``sys.path``."""
    code_dir = str(code_dir)
    return sorted(os.path.join(code_dir, name) for name in os.listdir(code_dir)
                  if os.path.isdir(os.path.join(code_dir, name)) and not name.startswith((".", "__")))


_RAN: set = set()  # tracked student functions that ran during the current request


def _recorder(fn, name: str):
    @functools.wraps(fn)
    def recorded(*args, **kwargs):
        _RAN.add(name)
        return fn(*args, **kwargs)

    return recorded


def _instrument(module, names) -> None:
    """Wrap the tracked functions of a freshly imported student module (a class: its methods)."""
    import inspect

    for name in names:
        obj = module.__dict__.get(name)
        if inspect.isclass(obj):
            for attr, fn in list(vars(obj).items()):
                if inspect.isfunction(fn):
                    setattr(obj, attr, _recorder(fn, name))
        elif inspect.isfunction(obj):
            module.__dict__[name] = _recorder(obj, name)


class _TrackingFinder:
    """Finds the tracked student modules as usual, and instruments each once it has run."""

    def __init__(self, tracked: dict) -> None:
        self.tracked = tracked

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.tracked:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module
        names = self.tracked[fullname]

        def exec_module(module):
            run(module)
            _instrument(module, names)

        loader.exec_module = exec_module
        return spec


def _track(spec: str) -> None:
    tracked: dict = {}
    for qualified in filter(None, spec.split(",")):
        module, _, name = qualified.rpartition(".")
        tracked.setdefault(module, []).append(name)
    if tracked:
        sys.meta_path.insert(0, _TrackingFinder(tracked))


def _read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _student_traceback(exc: BaseException, code_dir: str) -> str:
    """The traceback restricted to frames in student files, paths relative to the code dir."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(code_dir)]
    for frame in frames:
        frame.filename = os.path.relpath(frame.filename, code_dir)
    lines = traceback.format_list(frames[-8:])
    if isinstance(exc, SyntaxError) and exc.filename:
        where = os.path.relpath(exc.filename, code_dir) if exc.filename.startswith(code_dir) else exc.filename
        lines.append(f'  File "{where}", line {exc.lineno}\n    {(exc.text or "").rstrip()}\n')
    return "".join(lines)


def _student_frames(exc: BaseException, code_dir: str) -> list:
    """``[relative file, function]`` of each frame in a student file, outermost first."""
    import traceback

    return [[os.path.relpath(f.filename, code_dir), f.name] for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.startswith(code_dir)]


def _import_of(exc: BaseException, frames: list, code_dir: str) -> str | None:
    """The student file whose import (its top-level code) raised ``exc``, if that is what happened."""
    if isinstance(exc, SyntaxError) and (exc.filename or "").startswith(code_dir):
        return os.path.relpath(exc.filename, code_dir)
    top_level = [rel for rel, name in frames if name == "<module>"]
    return top_level[0] if top_level else None


def _missing_function(exc: BaseException, code_dir: str) -> str | None:
    """``module.name`` when ``exc`` says a student module has no such attribute."""
    owner = getattr(exc, "obj", None) if isinstance(exc, AttributeError) else None
    path = getattr(owner, "__file__", None) or ""
    if type(owner).__name__ == "module" and path.startswith(code_dir) and getattr(exc, "name", None):
        return f"{owner.__name__}.{exc.name}"
    return None


def _error(exc: BaseException, code_dir: str) -> dict:
    if isinstance(exc, NotImplementedError):
        kind = "not_implemented"
    elif isinstance(exc, SystemExit):
        kind = "exit"
    else:
        kind = "exception"
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        message = "<unprintable>"
    frames = _student_frames(exc, code_dir)
    return {"kind": kind, "type": type(exc).__name__, "message": message[:2000],
            "traceback": _student_traceback(exc, code_dir)[:4000], "frames": frames[-16:],
            "import_of": _import_of(exc, frames, code_dir), "missing": _missing_function(exc, code_dir),
            "errno": exc.errno if isinstance(exc, OSError) and isinstance(exc.errno, int) else None}


# Landlock (linux/landlock.h): syscalls 444-446 on every architecture that has them.
_LL_CREATE, _LL_ADD_RULE, _LL_RESTRICT = 444, 445, 446
_LL_READ = (1 << 0) | (1 << 2) | (1 << 3)  # EXECUTE, READ_FILE, READ_DIR
# /dev: read and write existing devices (also TRUNCATE, IOCTL_DEV), create nothing: no /dev/shm files
# unless the sandbox mounted a private one (then it is in ``writable``).
_LL_DEV = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 14) | (1 << 15)
_LL_FS_BITS = {1: 13, 2: 14, 3: 15, 4: 15, 5: 16}  # number of filesystem rights each ABI knows
_SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/sys", "/nix/store")


def _confine(read_only: list, writable: list) -> int:
    """Restrict this process and its children to the given folders (plus the Python
    installation and system folders). Returns the Landlock ABI applied (0: none)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        abi = libc.syscall(_LL_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))  # the ABI version
        if abi < 1:
            return 0
        handled = (1 << _LL_FS_BITS.get(abi, 16)) - 1
        attr = (ctypes.c_uint64 * 3)(handled, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)  # TCP; signals, sockets
        size = 8 * (3 if abi >= 6 else 2 if abi >= 4 else 1)
        ruleset = libc.syscall(_LL_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
        if ruleset < 0:
            return 0
    except (OSError, AttributeError, TypeError, ValueError):  # not Linux, or no Landlock
        return 0
    try:
        prefixes = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}
        rules = [(p, _LL_READ) for p in [*_SYSTEM_READ, *prefixes, *read_only]]
        rules += [("/proc", _LL_READ | (1 << 1)), ("/dev", _LL_DEV)] + [(p, handled) for p in writable]
        for path, access in rules:
            if not path or not os.path.isdir(path):
                continue
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:  # struct landlock_path_beneath_attr is packed: u64 allowed_access, s32 parent_fd
                rule = struct.pack("=Qi", access & handled, fd)
                libc.syscall(_LL_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(1), ctypes.c_char_p(rule),
                             ctypes.c_uint32(0))
            finally:
                os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, required to restrict oneself
            return 0
        return abi if libc.syscall(_LL_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0 else 0
    except (OSError, TypeError, ValueError):
        return 0
    finally:
        os.close(ruleset)


def _snapshot(value):
    """A copy of an argument to compare after the call, or ``None`` for what is not checked."""
    import copy

    import numpy as np

    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, dict)):
        try:
            return copy.deepcopy(value)
        except BaseException:  # noqa: BLE001 - an argument we cannot copy is not checked
            return None
    return None


def _same(before, after) -> bool:
    import numpy as np

    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape and before.dtype == after.dtype
                and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")))
    try:
        return bool(before == after)
    except BaseException:  # noqa: BLE001 - arrays inside lists compare elementwise
        return repr(before) == repr(after)


def _call_checking_mutation(fn, args: list, kwargs: dict):
    """Call ``fn``; return its result and the names of the arguments it changed in place."""
    import inspect

    try:
        bound = inspect.signature(fn).bind(*args, **kwargs).arguments
    except (TypeError, ValueError):  # the call itself will raise the TypeError the student should see
        bound = {}
    snapshots = {name: _snapshot(value) for name, value in bound.items()}
    result = fn(*args, **kwargs)
    mutated = [name for name, before in snapshots.items() if before is not None and not _same(before, bound[name])]
    return result, mutated


def _hide_channel(*fds: int) -> list:
    """Move the channel to random high descriptors that no child keeps; forget their numbers.

    Close-on-exec covers every program student code runs; the fork hook covers forked
    children (``os.fork``, ``multiprocessing``). Student code in this very process can still
    find them (``/proc/self/fd``): the nonce is what makes forged frames harmless.
    """
    import resource

    top = min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 4096)
    moved = []
    for fd in fds:
        while True:
            target = top // 2 + int.from_bytes(os.urandom(2), "little") % (top - top // 2)
            try:
                os.fstat(target)
            except OSError:
                break
        os.dup2(fd, target, inheritable=False)
        os.close(fd)
        moved.append(target)

    def close_in_child() -> None:
        for fd in moved:
            try:
                os.close(fd)
            except OSError:
                pass

    os.register_at_fork(after_in_child=close_in_child)
    del sys.argv[1:]
    return moved


def _run(request: dict, mutated: list):
    from harness.codec import materialize
    from harness.seeding import seed_global_generators

    op = request.get("op")
    args, kwargs = materialize(request.get("args", []), request.get("kwargs", {}))
    if op == "call":
        module = importlib.import_module(request["module"])
        fn = getattr(module, request["function"])
        seed_global_generators(int(request.get("seed", 0)))
        result, changed = _call_checking_mutation(fn, args, kwargs)
        mutated.extend(changed)
        return result
    if op == "probe":
        family, _, name = request["name"].partition(".")
        module = importlib.import_module(f"probes.{family}")
        seed_global_generators(int(request.get("seed", 0)))
        return getattr(module, name)(*args, **kwargs)
    if op == "ping":
        return "pong"
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    request_fd, response_fd, code_dir = int(sys.argv[1]), int(sys.argv[2]), os.path.realpath(sys.argv[3])
    runtime_dir = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    # Scripts in HWn/code import their siblings by bare name (``import maps``); probes come from the
    # homework's support modules.
    sys.path[:0] = code_folders(code_dir) + [runtime_dir, os.path.join(runtime_dir, "support")]
    _track(os.environ.pop("GRADER_TRACK", ""))
    from harness import sandbox  # the standard library only: the helpers it forks stay small

    identity = os.environ.pop("GRADER_WORKER_ID", "")  # "uid:gid" to drop to (root only)
    uid, gid = (int(n) for n in identity.split(":")) if identity else (None, None)
    protections = sandbox.enter(uid, gid, os.environ.get("HOME", os.getcwd()), (request_fd, response_fd))
    from harness import codec

    if os.environ.get("GRADER_CONFINE") == "1":  # grading only: a student's own `make test` hides nothing
        shm = ["/dev/shm"] if str(protections.get("shm")).startswith("private") else []
        protections["landlock"] = _confine(read_only=[code_dir, runtime_dir],
                                           writable=[os.getcwd(), os.environ.get("HOME", ""),
                                                     os.environ.get("TMPDIR", ""), *shm])
        protections["landlock_tcp"] = protections["landlock"] >= 4
        if protections["shm"] == "shared" and protections["landlock"]:
            protections["shm"] = "unavailable"
        fallback = protections["network"] != "namespace"
        if sandbox.install_filter(network=fallback):
            protections["network"] = "seccomp" if fallback else protections["network"]
            protections["ipc"] = "blocked"
    request_fd, response_fd = _hide_channel(request_fd, response_fd)
    from harness import lazyimports

    lazyimports.install()  # what frameworks import on the chance it is used loads when it is used
    hello = codec.dumps({"hello": protections})
    _write_all(response_fd, HEADER.pack(len(hello)) + hello)
    while True:
        try:
            (size,) = HEADER.unpack(_read_exact(request_fd, HEADER.size))
            if size > MAX_REQUEST:
                return
            request = codec.loads(_read_exact(request_fd, size))
        except EOFError:
            return
        mutated: list = []
        _RAN.clear()
        try:
            response = {"ok": _run(request, mutated)}
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything, SystemExit included
            response = {"error": _error(exc, code_dir)}
        if mutated:
            response["mutated"] = mutated
        if _RAN:
            response["ran"] = sorted(name for name in _RAN if type(name) is str)
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001, S110 - a student may have closed or replaced them
                pass
        try:
            payload = codec.dumps({"nonce": request.get("nonce"), **response})
        except BaseException as exc:  # noqa: BLE001
            payload = codec.dumps({"nonce": request.get("nonce"),
                                   "error": {"kind": "encode", "type": type(exc).__name__,
                                             "message": str(exc)[:2000], "traceback": ""}})
        _write_all(response_fd, HEADER.pack(len(payload)) + payload)


if __name__ == "__main__":
    main()
