"""The worker's sandbox (harness.sandbox): no network, a channel it cannot forge, bounded resources.

Tests that need root (namespaces, a separate worker user) skip elsewhere; each checks
against the kernel's own view (namespace identities, a listener this test runs, errno).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from harness import sandbox
from harness.client import Submission, Worker
from harness.errors import StudentException

HARNESS = Path(__file__).resolve().parents[2] / "tests" / "harness"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="namespaces and a worker user need root")

PROBE = '''
import os, socket, subprocess, sys

def reach(port):
    """Connect to the test's loopback listener; report the namespace and interfaces seen."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        connected = "connected"
    except OSError as exc:
        connected = type(exc).__name__
    try:
        interfaces = [n for _, n in socket.if_nameindex()]
    except OSError:  # it needs a socket of its own, which seccomp refuses
        interfaces = None
    return {"net": os.readlink("/proc/self/ns/net"), "interfaces": interfaces, "connected": connected}

def forge():
    """Write a well-formed frame without the request's nonce to every pipe, then answer."""
    import stat, struct
    from harness import codec
    frame = codec.dumps({"ok": "forged", "nonce": "0" * 32})
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISFIFO(os.fstat(int(name)).st_mode):
                os.write(int(name), struct.pack("!Q", len(frame)) + frame)
        except OSError:
            pass
    return "real"

def answer():
    return "real"

def channel_view():
    """What student code and its children can see of the channel."""
    child = subprocess.run(["ls", "/proc/self/fd"], capture_output=True, text=True).stdout.split()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, " ".join(os.listdir("/proc/self/fd")).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    forked = os.read(read, 4096).decode().split()
    return {"argv": sys.argv[1:], "child_fds": child, "forked_fds": forked, "own_fds": os.listdir("/proc/self/fd")}

def fork_bomb():
    while True:
        if os.fork() == 0:
            import time
            time.sleep(600)
            os._exit(0)

def fill_home():
    for n in range(1000):
        with open(f"big-{n}", "wb") as handle:
            handle.write(b"x" * (1 << 20))
'''


@pytest.fixture
def make_submission():
    """A Submission whose code folder holds the module ``probe`` (readable by the worker user)."""
    scratch = Path(tempfile.mkdtemp(prefix="grader-sandbox-test-"))
    (scratch / "code" / "pkg").mkdir(parents=True)
    (scratch / "code" / "pkg" / "probe.py").write_text(textwrap.dedent(PROBE))
    shutil.copytree(HARNESS, scratch / "runtime" / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    for dirpath, _, filenames in os.walk(scratch):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    made = []

    def make(user=None, confine=True):
        submission = Submission(Worker(scratch / "code", scratch / "runtime", user=user, confine=confine))
        made.append(submission)
        return submission

    yield make
    for submission in made:
        submission.close()
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    yield sock
    sock.close()


def _heard(sock) -> bool:
    import select

    return bool(select.select([sock], [], [], 0)[0])


@ROOT_ONLY
def test_network_namespace_is_in_force_when_root(make_submission, listener):
    submission = make_submission(user="student")
    seen = submission.call("probe", "reach", listener.getsockname()[1])
    assert submission.worker.protections["network"] == "namespace"
    assert seen["net"] != os.readlink("/proc/self/ns/net")  # the kernel's own namespace identity
    assert seen["interfaces"] == ["lo"]
    assert seen["connected"] != "connected" and not _heard(listener)


def test_without_namespaces_seccomp_refuses_inet_sockets(make_submission, listener):
    submission = make_submission(user=None)  # as a non-root grader would run it
    seen = submission.call("probe", "reach", listener.getsockname()[1])
    assert submission.worker.protections["network"] in ("seccomp", "namespace")
    assert seen["connected"] == "PermissionError" and not _heard(listener)


def test_seccomp_filter_allows_unix_sockets_only():
    code = ("import socket, sys; sys.path.insert(0, sys.argv[1]); from harness import sandbox\n"
            "assert sandbox.install_filter(network=True)\n"
            "socket.socketpair()\n"
            "try:\n    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
            "except PermissionError:\n    print('refused')")
    out = subprocess.run([sys.executable, "-c", code, str(HARNESS.parent)], capture_output=True, text=True)
    assert out.stdout.strip() == "refused", out.stderr


def test_forged_frames_are_dropped_and_the_call_fails_with_the_reason(make_submission):
    submission = make_submission()
    with pytest.raises(StudentException, match="your code wrote to the grader's channel"):
        submission.call("probe", "forge")
    assert submission.call("probe", "answer") == "real"  # the channel is still in step


def test_channel_is_not_in_argv_nor_inherited_by_children(make_submission):
    seen = make_submission().call("probe", "channel_view")
    assert seen["argv"] == []
    assert set(seen["child_fds"]) <= {"0", "1", "2", "3"}  # ls's own directory descriptor is 3
    high = [fd for fd in seen["own_fds"] if int(fd) >= 64]  # the channel: two random high descriptors
    assert len(high) == 2
    assert not set(high) & set(seen["forked_fds"])  # closed in a forked child


@ROOT_ONLY
def test_limits_fail_only_the_calls_that_exceed_them(make_submission):
    submission = make_submission(user="student")
    with pytest.raises(StudentException, match=f"at most {sandbox.NPROC} processes"):
        submission.call("probe", "fork_bomb")
    with pytest.raises(StudentException, match="No space left on device"):
        submission.call("probe", "fill_home")
    assert submission.call("probe", "answer") == "real"


@ROOT_ONLY
def test_gradings_at_once_get_distinct_worker_uids():
    first = sandbox.claim_worker_uid("student")
    second = sandbox.claim_worker_uid("student")
    try:
        assert first[0] != second[0]
    finally:
        os.close(second[2])
    os.close(first[2])
    again = sandbox.claim_worker_uid("student")
    os.close(again[2])
    assert again[0] == first[0]  # released by closing: no stale claims
