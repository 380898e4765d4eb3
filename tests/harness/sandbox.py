"""The student worker's sandbox: no network, its own processes, bounded files and processes.

Imported by :mod:`harness.worker` before anything else (standard library only, so that the
helper processes it forks stay small) and by the grading side for the user pool and the
wording of the protections. Two ways, chosen when a worker starts (:func:`enter`):

* **As root** (Gradescope, ``make grade`` as root), when the kernel lets us: the worker
  unshares its network, mount, IPC and PID namespaces, then forks a tiny init (PID 1 of the
  new PID namespace, it only reaps) which forks the real worker, who drops to the worker
  user. The worker sees only a loopback interface that is down (no network at all), only
  its own processes (everything in the namespace dies with its init, so nothing a
  submission starts can outlive its worker), a private ``HOME_MB`` tmpfs as its home (the
  quota on its writable space) and a private ``SHM_MB`` tmpfs as ``/dev/shm``; System V
  IPC objects vanish with the namespace.
* **Otherwise** (not root, or the kernel refuses namespaces, as in a Docker container
  without ``CAP_SYS_ADMIN``): a seccomp filter makes ``socket()`` fail with ``EACCES`` for
  every family but ``AF_UNIX``; Landlock (set up by the worker) also refuses TCP where its ABI is 4 or
  more and keeps ``/dev/shm`` unwritable; the client checks the size of the worker's home
  during and after each call instead of a tmpfs quota.

Either way, when grading, a seccomp filter refuses ``io_uring`` (it can open sockets behind
seccomp's back) and System V / POSIX message-queue IPC (their objects would outlive the
worker where there is no IPC namespace).

``RLIMIT_NPROC`` counts processes per real uid across the whole machine (PID namespaces do
not change that), so gradings that run at once must not share a worker uid:
:func:`claim_worker_uid` gives each grading its own uid under a lock that the kernel
releases when the grading's process ends (no stale claims, no races).

Not covered (README, "Security"): timing and other side channels, CPU time (the per-call
timeout bounds it), path-named Unix sockets reachable through the file system where
Landlock is missing, and anything the kernel itself gets wrong.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import struct

# fcntl, pwd and tempfile are imported where they are used (the grading side): the helper processes
# forked from the worker stay as small as the modules loaded before the fork.

FILE_MB = 32  # any one file the worker writes, its output included (RLIMIT_FSIZE)
HOME_MB = 32  # the worker's writable space (its home, also its TMPDIR and cwd)
HOME_INODES = 4096  # files and folders in it
SHM_MB = 8  # its private /dev/shm
NPROC = 256  # processes and threads of the worker user (RLIMIT_NPROC; root runs only)
NOFILE = 512  # open files of each worker process (RLIMIT_NOFILE)
UID_POOL_BASE = 4_180_000  # anonymous worker uids for gradings that run at once (no passwd entry)
UID_POOL_SIZE = 64

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 0x4000, 1 << 18
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return libc


def limits(root_run: bool) -> None:
    """The per-process resource limits (called between fork and exec of the worker).

    ``RLIMIT_NPROC`` only when we are root and the worker runs as its own user: for
    anyone else it would count every process the person runs.
    """
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nofile = NOFILE if hard == resource.RLIM_INFINITY else min(NOFILE, hard)  # never above what we may set
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    if root_run:
        resource.setrlimit(resource.RLIMIT_NPROC, (NPROC, NPROC))


def _mount(libc, source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> bool:
    return libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                      data.encode() if data else None) == 0


def _relay_exit(status: int, init: bool) -> None:
    """End this process the way the child whose wait status is ``status`` ended.

    The init of a PID namespace cannot kill itself with a signal, so it exits with 128 + the
    signal and the outer helper turns that back into the signal (a worker's own exit status
    above 128 then reads as a signal: a small price for crash messages that name it).
    """
    code = os.waitstatus_to_exitcode(status)
    if code < 0 and init:
        os._exit(128 - code)
    if not init and os.WIFEXITED(status) and code > 128 and code - 128 in signal.valid_signals():
        code = -(code - 128)
    if code < 0:
        if -code not in (signal.SIGKILL, signal.SIGSTOP):  # these two have no handler to reset (EINVAL)
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code if code >= 0 else 1)


def _namespaces(uid: int, gid: int, home: str, keep_fds: tuple) -> dict | None:
    """Unshare and fork (root only). Returns the protections in the worker process only; the
    two helper processes never return. ``None``: the kernel refused, nothing changed."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID) != 0:
        return None
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # a helper dies only with its children (or SIGKILL)
    init = os.fork()
    if init:  # the outer helper, in the grader's PID namespace: its exit status is the worker's
        for fd in keep_fds:
            os.close(fd)
        _relay_exit(os.waitpid(init, 0)[1], init=False)
    # PID 1 of the new namespace. Mounts first, so that the worker inherits them.
    _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)  # nothing we mount reaches the grader
    report = {"network": "namespace", "pid_namespace": True}
    if _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC):
        report["proc"] = "private"
    if _mount(libc, "tmpfs", home, "tmpfs", MS_NOSUID | MS_NODEV,
              f"size={HOME_MB}m,nr_inodes={HOME_INODES},mode=0700,uid={uid},gid={gid}"):
        report["home"] = f"private {HOME_MB} MB"
    if os.path.isdir("/dev/shm") and _mount(libc, "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                             f"size={SHM_MB}m,nr_inodes=1024,mode=1777"):
        report["shm"] = f"private {SHM_MB} MB"
    if os.path.isdir("/run"):  # service sockets (/run/...): out of sight
        _mount(libc, "tmpfs", "/run", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")
    worker = os.fork()
    if worker:
        for fd in keep_fds:
            os.close(fd)
        while True:  # reap every orphan; go (and take the namespace with us) when the worker goes
            try:
                pid, status = os.wait()
            except ChildProcessError:
                os._exit(1)
            if pid == worker:
                _relay_exit(status, init=True)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    return report


def enter(uid: int | None, gid: int | None, home: str, keep_fds: tuple = ()) -> dict:
    """Put this process (the worker, before it reads a request) in the sandbox.

    ``uid``/``gid``: the worker identity to drop to (we must be root); ``None``: stay as we
    are (a student's own ``make test``, or grading without root). ``keep_fds`` are the
    channel fds, closed in the helper processes. Returns the protections in force, for
    :func:`describe`; the network part is finished by :func:`install_filter` where the
    namespace was not available.
    """
    report: dict = {"network": "none", "pid_namespace": False, "home": None, "shm": "shared"}
    if uid is not None and os.geteuid() == 0:
        report.update(_namespaces(uid, gid, home, keep_fds) or {})
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        report["user"] = "separate"
        os.chdir(home)  # the tmpfs now mounted over it, not the folder beneath
    import resource

    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    report["nproc"] = nproc if nproc != resource.RLIM_INFINITY else None
    report["nofile"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return report


# seccomp, per machine: AUDIT_ARCH, the x32 ABI's bit (x86_64), socket(), and the syscalls refused
# always: io_uring_setup (it can open sockets behind seccomp's back), System V shm/sem/msg get and
# mq_open (their objects outlive the process where there is no IPC namespace).
_SECCOMP_ARCH = {
    "x86_64": {"arch": 0xC000003E, "x32": 0x40000000, "socket": 41, "deny": (425, 29, 64, 68, 240)},
    "aarch64": {"arch": 0xC00000B7, "x32": None, "socket": 198, "deny": (425, 194, 190, 186, 180)},
}


def _seccomp_program(spec: dict, network: bool) -> list[tuple[int, int, int, int]]:
    """BPF for :func:`install_filter`: ``(code, jt, jf, k)`` with jumps resolved."""
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EACCES
    # Symbolic program: jump targets are "allow", "deny" or None (the next instruction).
    prog = [(ld, None, None, 4), (jeq, None, "deny", spec["arch"]), (ld, None, None, 0)]
    if spec["x32"]:
        prog.append((jge, "deny", None, spec["x32"]))
    prog += [(jeq, "deny", None, nr) for nr in spec["deny"]]
    if network:  # socket(): args[0] (its low 32 bits, offset 16) must be AF_UNIX
        prog += [(jeq, None, "allow", spec["socket"]), (ld, None, None, 16), (jeq, "allow", "deny", 1)]
    prog += [(ret, None, None, allow), (ret, None, None, deny)]
    where = {"allow": len(prog) - 2, "deny": len(prog) - 1}
    return [(code, 0 if jt is None else where[jt] - i - 1, 0 if jf is None else where[jf] - i - 1, k)
            for i, (code, jt, jf, k) in enumerate(prog)]


def install_filter(network: bool) -> bool:
    """Install the seccomp filter on this process and its future children: always refuse
    ``io_uring`` and System V / POSIX message-queue IPC; with ``network``, also every
    ``socket()`` but ``AF_UNIX``. Foreign-ABI syscalls (32-bit, x32) are refused."""
    spec = _SECCOMP_ARCH.get(os.uname().machine)  # what platform.machine() returns
    if spec is None:
        return False
    try:
        libc = _libc()
        code = b"".join(struct.pack("=HBBI", *insn) for insn in _seccomp_program(spec, network))
        buffer = ctypes.create_string_buffer(code, len(code))

        class Program(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        program = Program(len(code) // 8, ctypes.addressof(buffer))
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(program), 0, 0) == 0
    except (OSError, AttributeError):
        return False


def describe(report: dict | None) -> str:
    """The protections of ``report`` in words, for the student (test 0.1) and the staff log."""
    if not report:
        return "no worker was started, so no sandbox was set up."
    network = {"namespace": "no network (its own network namespace with only a loopback interface that is down)",
               "seccomp": "no network (a seccomp filter refuses every socket but local Unix ones)",
               "none": "network access NOT blocked (no namespace, no seccomp on this machine)"}
    parts = [network.get(report.get("network"), network["none"])]
    if report.get("landlock_tcp") and report.get("network") != "namespace":
        parts[0] += "; Landlock also refuses TCP"
    if report.get("pid_namespace"):
        parts.append("its own process namespace (nothing it starts outlives it)")
    if report.get("nproc"):
        parts.append(f"at most {report['nproc']} processes and threads")
    parts.append(f"at most {report.get('nofile')} open files per process")
    home = report.get("home")
    parts.append(f"a {home} home as its only writable space" if home else "an unbounded writable home")
    shm = report.get("shm")
    parts.append({"shared": "/dev/shm shared with the machine"}.get(shm, f"/dev/shm {shm}"))
    if report.get("ipc") == "blocked":
        parts.append("no System V IPC, POSIX message queues or io_uring")
    if report.get("landlock"):
        parts.append(f"file access limited by Landlock (ABI {report['landlock']})")
    if report.get("user") == "separate":
        parts.append("a separate unprivileged user")
    return "; ".join(parts) + "."


def _lock_dir() -> str:
    import tempfile

    for folder in ("/run/lock", tempfile.gettempdir()):
        if os.path.isdir(folder) and os.access(folder, os.W_OK):
            return folder
    return tempfile.gettempdir()


def claim_worker_uid(user: str) -> tuple[int, int, int]:
    """A worker uid no other grading on this machine uses while we hold it: ``(uid, gid, lock_fd)``.

    Slot 0 is ``user`` itself (``student``; Gradescope grades one submission per container,
    so it always gets it); while another grading holds it, a uid of ``UID_POOL_BASE +
    slot`` with no passwd entry (files of the worker stay world-readable, so any uid works).
    The claim is a ``flock`` on a lock file: released by the kernel when ``lock_fd`` is
    closed or this process dies. Raises ``RuntimeError`` when every slot is taken.
    """
    import fcntl
    import pwd

    entry = pwd.getpwnam(user)
    folder = _lock_dir()
    for slot in range(UID_POOL_SIZE):
        uid, gid = (entry.pw_uid, entry.pw_gid) if slot == 0 else (UID_POOL_BASE + slot, UID_POOL_BASE + slot)
        if slot:
            try:
                pwd.getpwuid(uid)
                continue  # a real account: never ours to use
            except KeyError:
                pass
        fd = os.open(os.path.join(folder, f"grader-worker-uid-{uid}.lock"),
                     os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return uid, gid, fd
    raise RuntimeError(f"all {UID_POOL_SIZE} worker uids are in use by other gradings")


def parse_user(user: str) -> tuple[int, int, str]:
    """``student`` or a claimed numeric uid (``"4180001"``) as ``(uid, gid, name for USER)``."""
    if user.isdigit():
        return int(user), int(user), "student"
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid, user


LIMIT_HINTS = {
    errno.EAGAIN: f"the worker may run at most {NPROC} processes and threads at once",
    errno.EMFILE: f"a worker process may hold at most {NOFILE} open files",
    errno.ENOSPC: f"the worker's writable space (its home) holds at most {HOME_MB} MB and {HOME_INODES} files; "
                  f"/dev/shm at most {SHM_MB} MB",
    errno.EFBIG: f"a file the worker writes may grow to at most {FILE_MB} MB",
    errno.EDQUOT: f"the worker's writable space (its home) holds at most {HOME_MB} MB",
    errno.EACCES: "graded code has no network and may write only in its home folder",
}


def limit_hint(error_number) -> str:
    """A sentence naming the sandbox limit behind ``error_number`` ('' when none applies)."""
    return LIMIT_HINTS.get(error_number, "") if isinstance(error_number, int) else ""
