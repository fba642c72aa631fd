"""Claim a sandbox slot that no other live process on this host holds, so its uid is ours alone.

Job: a slot n runs its sandboxes as uid BASE_UID + n, and RLIMIT_NPROC and the
teardown of leftovers count per uid host-wide, so two sandboxes running at once on
one host must never share a slot. A slot is claimed by an exclusive, non-blocking
`flock` on `<n>.lock` in a directory only this user can write (root: the host-wide
`/run/hw-grader/slots`); the lease holds it until `release()`, or until its holder
dies, however it dies (the kernel drops the lock with the last open descriptor).
Whoever holds no lock (a worker on another host, another grading run, a crashed
worker) cannot make two live holders of one slot.

Must not: hand out a slot whose lock it does not hold, use a lock directory or lock
file someone else could write or swap (two holders could then lock two different
files under one name), delete lock files (same reason), wait for a slot, or print.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import weakref
from pathlib import Path
from types import TracebackType

from grader.sandbox.check import SandboxUnavailable

#: Slots per host (uids BASE_UID … BASE_UID + MAX_SLOTS - 1): at most this many sandboxes at once.
MAX_SLOTS = 64
#: Where root keeps the slot locks: one directory per host, in the runtime tmpfs.
ROOT_SLOTS_DIRECTORY = Path("/run/hw-grader/slots")


class SlotUnavailable(SandboxUnavailable):
    """No slot can be claimed: all are taken, or the lock directory is not safe to use."""


def slots_directory() -> Path:
    """Where this user's slot locks live.

    As root (the only case where a slot is a uid of its own) every grading process of
    the host shares `/run/hw-grader/slots`. Any other user runs sandboxes as itself,
    so its slots only have to differ among its own processes: a private directory in
    the temporary directory.
    """
    if os.geteuid() == 0:
        return ROOT_SLOTS_DIRECTORY
    return Path(tempfile.gettempdir()) / f"hw-grader-slots-{os.geteuid()}"


class SlotLease:
    """A claimed slot: the lock on `lock_path` is held until `release()` or the holder's end.

    Garbage collection of a lease (e.g. with the thread-local that kept it) releases it too.
    After a fork the child shares the lock; it is released only when both have closed it.
    """

    def __init__(self, slot: int, lock_path: Path, fd: int) -> None:
        self.slot = slot
        self.lock_path = lock_path
        self.pid = os.getpid()  # the process that claimed it (a forked child must claim its own)
        # Closing the descriptor releases the lock; never LOCK_UN, which would also
        # release it for a forked child still using the slot.
        self._close = weakref.finalize(self, os.close, fd)

    @property
    def held(self) -> bool:
        return self._close.alive

    def release(self) -> None:
        """Give the slot back (idempotent)."""
        self._close()

    def __enter__(self) -> SlotLease:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "held" if self.held else "released"
        return f"SlotLease(slot={self.slot}, {state}, {self.lock_path})"


def claim_slot(
    *, preferred: int | None = None, directory: Path | None = None, count: int = MAX_SLOTS
) -> SlotLease:
    """Claim a free slot of this host: `preferred` if it is free, else the lowest free one.

    Raises SlotUnavailable when all `count` slots are held by live processes, or when
    the lock directory is not safe (a symlink, or writable or owned by someone else).
    """
    directory = slots_directory() if directory is None else directory
    order = list(range(count))
    if preferred is not None and 0 <= preferred < count:
        order.remove(preferred)
        order.insert(0, preferred)
    directory_fd = _open_private_directory(directory)
    try:
        for slot in order:
            fd = _open_lock_file(directory, directory_fd, slot)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            except BaseException:
                os.close(fd)
                raise
            return SlotLease(slot, directory / f"{slot}.lock", fd)
    finally:
        os.close(directory_fd)
    raise SlotUnavailable(
        f"all {count} sandbox slots of this host are taken (locks in {directory})",
        hint=f"run at most {count} sandboxes at once per host: fewer workers or threads per worker",
    )


def _unsafe(directory: Path, why: str) -> SlotUnavailable:
    return SlotUnavailable(
        f"the sandbox slot directory is not safe to use: {why}",
        path=directory,
        hint=f"remove it (it is recreated, owned by uid {os.geteuid()} with mode 0700)",
    )


def _open_private_directory(directory: Path) -> int:
    """Create (0700) or open `directory`; refuse a symlink or one another user could write."""
    try:
        directory.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        directory.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _unsafe(directory, "it is a symlink or not a directory") from None
        raise SlotUnavailable(
            f"cannot create the sandbox slot directory ({error.strerror})",
            path=directory,
            hint="make the temporary directory writable, or run as root",
        ) from None
    info = os.fstat(fd)
    problem = None
    if info.st_uid != os.geteuid():
        problem = f"it is owned by uid {info.st_uid}, not {os.geteuid()}"
    elif info.st_mode & 0o022:
        problem = f"others may write to it (mode {stat.filemode(info.st_mode)})"
    else:
        problem = _writable_ancestor(directory.parent)
    if problem is not None:
        os.close(fd)
        raise _unsafe(directory, problem)
    return fd


def _writable_ancestor(path: Path) -> str | None:
    """Why someone else could rename or replace `path` or a parent, or None when nobody can."""
    for ancestor in (path, *path.parents):
        info = os.stat(ancestor)
        others_write = info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX
        if info.st_uid not in (0, os.geteuid()) or others_write:
            return f"{ancestor} may be changed by others (owner uid {info.st_uid}, mode {stat.filemode(info.st_mode)})"
    return None


def _open_lock_file(directory: Path, directory_fd: int, slot: int) -> int:
    """Open (creating) `<slot>.lock` in the checked directory, never through a symlink."""
    name = f"{slot}.lock"
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, 0o600, dir_fd=directory_fd)
    except OSError as error:
        raise _unsafe(directory / name, f"cannot open it ({error.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
        os.close(fd)
        raise _unsafe(directory / name, "it is not a regular file of this user")
    return fd
