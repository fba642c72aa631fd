"""Start the sandbox process, watch it from outside, and tear it down.

Job: spawn bwrap (or, unsandboxed, the driver directly) as the slot uid, feed it
the input stream, read its output, status and collected-files pipes concurrently
with caps, and enforce the backstop wall clock: past it, or past
the output cap, kill the process group, the sandbox's PID 1 (from bwrap's
--info-fd) and, unsandboxed, every descendant; then wait for all of it.

Must not: trust what comes out of the pipes (every stream is size-capped and parsed
defensively), block on a pipe without a deadline, or kill anything it did not start.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from grader.sandbox.cgroups import CgroupError, SandboxCgroup
from grader.sandbox.transfer import CollectReceiver

#: Holds the first process (stopped) until it is in the sandbox's cgroup: all after it are too.
CGROUP_GATE = 'kill -STOP $$ && exec "$@"'
STDERR_CAP = 64 * 2**10
STATUS_CAP = 256 * 2**10
INFO_CAP = 4 * 2**10
#: After the sandbox process exits, how long to wait for pipes still held open elsewhere.
DRAIN_SECONDS = 2.0


@dataclass(frozen=True)
class LaunchFds:
    """The fd numbers the command line and the driver config must name."""

    collect: int
    status: int
    info: int
    data: Mapping[str, int]
    seccomp: int | None = None  # the syscall filter's BPF program, for `bwrap --seccomp`


@dataclass
class LaunchOutcome:
    """What was seen from outside; interpreted by the caller."""

    output: bytes
    stderr: bytes
    status: list[dict[str, Any]]
    host_killed_reason: str | None
    host_timed_out: bool
    exit_code: int | None
    wall_seconds: float
    receiver: CollectReceiver
    sandbox_pid: int | None = None
    notes: list[str] = field(default_factory=list)
    oom_kills: int | None = None  # the cgroup's count, set by the caller that made it


def _memfd(name: str, content: bytes) -> int:
    fd = os.memfd_create(name, 0)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _parent_map() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat_file:
                parent = int(stat_file.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    return children


def _children(pid: int) -> list[int]:
    return _parent_map().get(pid, [])


def _descendants(root_pid: int) -> list[int]:
    """Every process below root_pid (used when there is no PID namespace to end)."""
    children = _parent_map()
    found: list[int] = []
    stack = [root_pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _open_gate(
    proc: subprocess.Popen[bytes], cgroup: SandboxCgroup, reads: tuple[int, ...]
) -> None:
    """Wait for the gated first process to stop itself, put it in the cgroup, continue it.

    If it cannot be put there it is killed and CgroupError raised (the pipes closed).
    """
    try:
        _, wait_status = os.waitpid(proc.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(wait_status):  # reaped here: Popen must not wait for it again
            proc.returncode = os.waitstatus_to_exitcode(wait_status)
            raise CgroupError(f"the sandbox's first process ended at its start ({wait_status})")
        cgroup.add(proc.pid)
        os.kill(proc.pid, signal.SIGCONT)
    except (CgroupError, OSError) as error:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
        for fd in reads:
            os.close(fd)
        if isinstance(error, CgroupError):
            raise
        raise CgroupError(f"cannot start the sandbox in its cgroup ({error.strerror})") from None


def _parse_status(raw: bytes) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for line in raw.splitlines():
        try:
            message = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(message, dict) and isinstance(message.get("event"), str):
            messages.append(message)
    return messages


def launch(
    *,
    build_argv: Callable[[LaunchFds], list[str]],
    data_files: Mapping[str, bytes],
    stdin: BinaryIO | None,
    uid: int | None,
    receiver: CollectReceiver,
    output_cap: int,
    backstop_seconds: float,
    wall_label: float,
    namespaced: bool,
    keep_fds: tuple[int, ...] = (),
    cgroup: SandboxCgroup | None = None,
    seccomp: bytes | None = None,
) -> LaunchOutcome:
    """Run one sandbox process to the end under the host's own limits.

    `uid` None starts the command as this process's user (the mount-staging helper
    switches to the sandbox uid itself); `keep_fds` are the caller's fds the command
    inherits (the O_PATH fds of the read-only mounts), still closed by the caller.
    With a `cgroup`, the first process (`/bin/sh`) stops itself and is continued once it
    has been put in the cgroup, so nothing of the sandbox ever runs outside it;
    CgroupError when it cannot be put there (the process is killed first).
    """
    started = time.monotonic()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    collect_r, collect_w = os.pipe()
    status_r, status_w = os.pipe()
    info_r, info_w = os.pipe()
    data_fds = {inside: _memfd(inside, content) for inside, content in data_files.items()}
    filter_fds = [_memfd("seccomp", seccomp)] if seccomp is not None else []
    fds = LaunchFds(
        collect=collect_w,
        status=status_w,
        info=info_w,
        data=data_fds,
        seccomp=filter_fds[0] if filter_fds else None,
    )
    child_ends = [out_w, err_w, collect_w, status_w, info_w, *data_fds.values(), *filter_fds]
    try:
        argv = build_argv(fds)
        if cgroup is not None:
            argv = ["/bin/sh", "-c", CGROUP_GATE, "sh", *argv]
        proc = subprocess.Popen(
            argv,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=out_w,
            stderr=err_w,
            pass_fds=(collect_w, status_w, info_w, *data_fds.values(), *filter_fds, *keep_fds),
            start_new_session=True,
            user=uid,
            group=uid,
            extra_groups=[] if uid is not None else None,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
    except BaseException:
        for fd in (out_r, err_r, collect_r, status_r, info_r, *child_ends):
            os.close(fd)
        raise
    for fd in child_ends:
        os.close(fd)
    if cgroup is not None:
        _open_gate(proc, cgroup, (out_r, err_r, collect_r, status_r, info_r))

    buffers: dict[str, bytearray] = {name: bytearray() for name in ("out", "err", "status", "info")}
    caps = {"out": output_cap, "err": STDERR_CAP, "status": STATUS_CAP, "info": INFO_CAP}
    selector = selectors.DefaultSelector()
    for fd, name in (
        (out_r, "out"),
        (err_r, "err"),
        (status_r, "status"),
        (info_r, "info"),
        (collect_r, "collect"),
    ):
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ, name)
    pidfd = os.pidfd_open(proc.pid)
    selector.register(pidfd, selectors.EVENT_READ, "exit")
    killed_reason: str | None = None
    timed_out = False
    sandbox_pid: int | None = None
    exited_at: float | None = None
    deadline = started + backstop_seconds

    def kill(reason: str) -> None:
        nonlocal killed_reason
        killed_reason = killed_reason or reason
        if proc.returncode is not None:
            return  # already reaped: its pid may be someone else's by now
        # Unreaped, proc.pid stays ours (at worst a zombie). bwrap's death SIGKILLs the
        # sandbox (--die-with-parent); its PID 1 is killed too, while still bwrap's child.
        victims = [] if namespaced else _descendants(proc.pid)
        if sandbox_pid is not None and sandbox_pid in _children(proc.pid):
            victims.append(sandbox_pid)
        for kill_group in (True, False):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                (os.killpg if kill_group else os.kill)(proc.pid, signal.SIGKILL)
        for pid in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    try:
        while True:
            open_pipes = len(selector.get_map()) - (0 if exited_at is not None else 1)
            now = time.monotonic()
            if exited_at is not None and (open_pipes == 0 or now > exited_at + DRAIN_SECONDS):
                break
            if now >= deadline and killed_reason is None:
                timed_out = True
                kill(f"wall-clock timeout ({wall_label:g} s): the sandbox was stopped from outside")
            wait = max(0.0, min(deadline - now, 0.5)) if killed_reason is None else 0.1
            for key, _ in selector.select(wait):
                if key.data == "exit":
                    selector.unregister(pidfd)
                    os.close(pidfd)
                    proc.wait()
                    exited_at = time.monotonic()
                    continue
                fd = key.fd
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(fd)
                    continue
                if key.data == "collect":
                    receiver.feed(data)
                    if receiver.stopped:
                        selector.unregister(fd)
                        os.close(fd)
                        collect_r = -1  # closed: the driver's writes now fail
                    continue
                buffer = buffers[key.data]
                room = caps[key.data] - len(buffer)
                buffer += data[: max(room, 0)]
                if key.data == "out" and len(data) > room:
                    kill(f"output over {output_cap} bytes: the sandbox was stopped from outside")
                if key.data == "info" and sandbox_pid is None:
                    try:
                        info = json.loads(bytes(buffer))
                        sandbox_pid = int(info["child-pid"])
                    except (ValueError, KeyError, TypeError):
                        pass
    finally:
        if proc.poll() is None:
            kill("the sandbox was stopped from outside")
            proc.wait()
        selector.close()
        for fd in (out_r, err_r, status_r, info_r, collect_r):
            if fd >= 0:
                os.close(fd)
        if exited_at is None:
            os.close(pidfd)
    receiver.close()
    return LaunchOutcome(
        output=bytes(buffers["out"]),
        stderr=bytes(buffers["err"]),
        status=_parse_status(bytes(buffers["status"])),
        host_killed_reason=killed_reason,
        host_timed_out=timed_out,
        exit_code=proc.returncode,
        wall_seconds=time.monotonic() - started,
        receiver=receiver,
        sandbox_pid=sandbox_pid,
    )
