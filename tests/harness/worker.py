"""The student worker: the only process that imports student code.

Started by :mod:`harness.client` as ``python -I worker.py REQ_FD RESP_FD CODE_DIR``.
It reads length-prefixed requests on ``REQ_FD``, runs them, and writes one
length-prefixed response per request on ``RESP_FD`` in the :mod:`harness.codec` format.
Student prints go to the worker's stdout/stderr, which the parent points at a capped
file, so they can never corrupt the protocol.

Requests: ``{"op": "call", "module", "function", "args", "kwargs"}`` calls a student
function; ``{"op": "probe", "name": "family.function", "args", "kwargs"}`` runs a staff
probe from :mod:`harness.probes`. Responses: ``{"ok": value}`` or ``{"error": {...}}``.
This file is the worker's entry point, so it imports only the standard library at the top
and the codec after it has fixed ``sys.path``.
"""

import importlib
import os
import struct
import sys
import traceback

HEADER = struct.Struct("!Q")
MAX_REQUEST = 512 * 1024 * 1024
CODE_FOLDERS = ("frozen_lake", "bandits", "networks", "imitation")


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
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(code_dir)]
    for frame in frames:
        frame.filename = os.path.relpath(frame.filename, code_dir)
    lines = traceback.format_list(frames[-8:])
    if isinstance(exc, SyntaxError) and exc.filename:
        where = os.path.relpath(exc.filename, code_dir) if exc.filename.startswith(code_dir) else exc.filename
        lines.append(f'  File "{where}", line {exc.lineno}\n    {(exc.text or "").rstrip()}\n')
    return "".join(lines)


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
    return {"kind": kind, "type": type(exc).__name__, "message": message[:2000],
            "traceback": _student_traceback(exc, code_dir)[:4000]}


def _run(request: dict):
    from harness.codec import materialize

    op = request.get("op")
    args, kwargs = materialize(request.get("args", []), request.get("kwargs", {}))
    if op == "call":
        module = importlib.import_module(request["module"])
        return getattr(module, request["function"])(*args, **kwargs)
    if op == "probe":
        family, _, name = request["name"].partition(".")
        module = importlib.import_module(f"harness.probes.{family}")
        return getattr(module, name)(*args, **kwargs)
    if op == "ping":
        return "pong"
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    request_fd, response_fd, code_dir = int(sys.argv[1]), int(sys.argv[2]), os.path.realpath(sys.argv[3])
    runtime_dir = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    # Scripts in HW1/code import their siblings by bare name (``import lake_info``).
    sys.path[:0] = [os.path.join(code_dir, folder) for folder in CODE_FOLDERS] + [runtime_dir]
    from harness import codec

    while True:
        try:
            (size,) = HEADER.unpack(_read_exact(request_fd, HEADER.size))
            if size > MAX_REQUEST:
                return
            request = codec.loads(_read_exact(request_fd, size))
        except EOFError:
            return
        try:
            response = {"ok": _run(request)}
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything, SystemExit included
            response = {"error": _error(exc, code_dir)}
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001, S110 - a student may have closed or replaced them
                pass
        try:
            payload = codec.dumps(response)
        except BaseException as exc:  # noqa: BLE001
            payload = codec.dumps({"error": {"kind": "encode", "type": type(exc).__name__,
                                             "message": str(exc)[:2000], "traceback": ""}})
        _write_all(response_fd, HEADER.pack(len(payload)) + payload)


if __name__ == "__main__":
    main()
