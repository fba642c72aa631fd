"""Read-only mounts from anywhere: open them as the grader, stage them, then become the sandbox uid.

Job: the sandbox runs bubblewrap as an unprivileged uid (61000 + slot), which cannot
traverse a mode-0700 directory such as a home directory or a `mktemp -d` folder, and
bwrap's own `--ro-bind-fd` re-resolves the fd's path as that uid (realpath), so it does
not help. Instead, when a mount is out of the sandbox uid's reach (the runner decides;
world-readable data is bound by bwrap directly), the grader (root) opens each mount's
source with `O_PATH | O_NOFOLLOW`
(`open_mount_sources`, checking the fd is the path asked for), and this module, run as
its own small root process (`python -I -S mount_stage.py SPEC -- bwrap ...`):

1. enters a private mount namespace (nothing it mounts is ever visible on the host),
2. mounts a fresh 0755 tmpfs on `STAGING_DIR` and bind-mounts each source, read-only,
   on `STAGING_DIR/<n>`: a bind may not take a mount of another namespace, so the path
   is opened again (O_PATH | O_NOFOLLOW) in the new namespace and must be the very
   file the grader's fd holds (same device and inode), then bound through
   `/proc/self/fd/N` (the kernel follows the fd, no path is walked again),
3. drops every group and switches to the sandbox uid and gid for good, then
4. execs bwrap, which `--ro-bind`s `STAGING_DIR/<n>` where the request asked.

No data is copied: a 2,000-image dataset costs one bind mount per run.

Must not: import anything outside the standard library (it is started with -I -S),
run anything but bwrap, make a mount visible outside its own mount namespace, or
exec with any privilege left (it checks the uid switch before exec).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import stat
import sys
from pathlib import Path

#: How the helper's own failure starts (the runner recognises it on bwrap's stderr).
STAGING_FAILED = "mount staging failed"
#: The empty, root-owned mount point the staged mounts appear under (in the private namespace only).
STAGING_DIR = "/run/hw-grader-mounts"
CLONE_NEWNS = 0x00020000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18


class MountSourceError(Exception):
    """A mount source that cannot be opened or checked; `path` is the host path."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


def staged_path(index: int) -> str:
    """Where mount number `index` appears for bwrap, inside the helper's mount namespace."""
    return f"{STAGING_DIR}/{index}"


def open_mount_source(path: Path) -> int:
    """An O_PATH fd of `path` (symlinks in the path resolved first, never one swapped in later).

    Raises MountSourceError when it does not exist, when what was opened is not the
    path that was resolved (a symlink raced in), or when the sandbox uid could not read
    the mount's own top directory or file (the folders above it no longer matter).
    """
    try:
        resolved = path.resolve(strict=True)
    except OSError as error:
        raise MountSourceError(path, f"it does not exist ({error.strerror})") from error
    try:
        fd = os.open(resolved, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise MountSourceError(path, f"it cannot be opened ({error.strerror})") from error
    try:
        opened = os.readlink(f"/proc/self/fd/{fd}")
        if opened != str(resolved):
            raise MountSourceError(path, f"it changed while it was opened (now {opened})")
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
            raise MountSourceError(path, "it is neither a directory nor a regular file")
        needed = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
        if mode & needed != needed:
            raise MountSourceError(
                path,
                f"it is mode {stat.S_IMODE(mode):04o}: the sandbox uid cannot read it "
                "(only the folders above it may be private)",
            )
    except BaseException:
        os.close(fd)
        raise
    return fd


def helper_argv(
    python: str, *, uid: int, gid: int, fds: list[int], bwrap_command: list[str]
) -> list[str]:
    """The command that stages `fds` (as STAGING_DIR/0, /1, ...), drops to uid, then execs bwrap."""
    paths = [os.readlink(f"/proc/self/fd/{fd}") for fd in fds]
    spec = json.dumps({"uid": uid, "gid": gid, "fds": fds, "paths": paths})
    return [python, "-I", "-S", str(Path(__file__).resolve()), spec, "--", *bwrap_command]


def _libc_call(libc: ctypes.CDLL, name: str, *args: object) -> None:
    if getattr(libc, name)(*args) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}: {os.strerror(errno)}")


def _prepare_staging_dir() -> None:
    """STAGING_DIR exists on the host as an empty root-owned directory nobody else can write."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(STAGING_DIR, 0o755)
    info = os.lstat(STAGING_DIR)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise OSError(
            f"{STAGING_DIR} must be a root-owned directory not writable by others; remove it"
        )


def stage_and_exec(spec: dict[str, object], command: list[str]) -> None:
    """Steps 1-4 of the module docstring; returns only by raising."""
    uid, gid, fds, paths = spec["uid"], spec["gid"], spec["fds"], spec["paths"]
    if not isinstance(uid, int) or not isinstance(gid, int) or uid <= 0 or gid <= 0:
        raise ValueError("the helper needs an unprivileged uid and gid")
    if not isinstance(fds, list) or not all(isinstance(fd, int) for fd in fds):
        raise ValueError("the helper needs a list of fds")
    if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
        raise ValueError("the helper needs a list of paths")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_char_p,
    ]
    _prepare_staging_dir()
    _libc_call(libc, "unshare", CLONE_NEWNS)
    _libc_call(libc, "mount", None, b"/", None, MS_REC | MS_PRIVATE, None)
    staging = STAGING_DIR.encode()
    _libc_call(
        libc,
        "mount",
        b"hw-grader-staging",
        staging,
        b"tmpfs",
        MS_NOSUID | MS_NODEV | MS_NOEXEC,
        b"mode=0755,size=64k",
    )
    for index, (fd, path) in enumerate(zip(fds, paths, strict=True)):
        # The fd's mount belongs to the host namespace, which a bind here may not take from
        # (EINVAL): open the same path again in this copy and check it is the same object.
        checked = os.fstat(fd)
        os.close(fd)
        fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
        again = os.fstat(fd)
        if (again.st_dev, again.st_ino) != (checked.st_dev, checked.st_ino):
            raise OSError(f"{path} changed while it was staged")
        target = staged_path(index)
        if stat.S_ISDIR(again.st_mode):
            os.mkdir(target, 0o755)
        else:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        _libc_call(libc, "mount", f"/proc/self/fd/{fd}".encode(), target.encode(), None, MS_BIND | MS_REC, None)  # fmt: skip
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
        _libc_call(libc, "mount", None, target.encode(), None, flags, None)
        os.close(fd)
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise OSError("the switch to the sandbox uid did not take")
    os.execv(command[0], command)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: mount_stage.py SPEC -- BWRAP_COMMAND...", file=sys.stderr)
        return 2
    try:
        stage_and_exec(json.loads(argv[0]), argv[2:])
    except (OSError, ValueError) as error:
        print(f"{STAGING_FAILED}: {error}", file=sys.stderr)
        return 1
    return 1  # not reached: execv replaced this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
