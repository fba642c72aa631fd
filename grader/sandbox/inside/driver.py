"""Inside the sandbox: the trusted driver, PID 1 of the sandbox's PID namespace.

Job: unpack the input files the host streams on stdin into the work directory; run
the command as a child under the rlimits (set between fork and exec: the driver is
single-threaded, unlike the host) with the wall-clock and output limits enforced
here; kill every process the command left behind (kill(-1) from PID 1 reaches
exactly the namespace); then have the files collected and report how the command ended on the
status fd (JSON lines). As PID 1 it ignores every signal from inside it has no
handler for, and it makes itself non-dumpable so the command cannot reach its fds
through /proc or ptrace.

Must not: trust anything the command left in the work directory, or call kill(-1)
when it is not PID 1 of its own namespace (unsandboxed: that would hit the host).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import time

from .wire import (
    CHUNK_BYTES,
    FRAME_LENGTH,
    MAX_HEADER_BYTES,
    decode_header,
    encode_header,
    read_exactly,
    unsafe_name,
    write_all,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # `typing` costs milliseconds at every start: annotations only
    from typing import Any

#: The fd on which the command announces its steps ("start N" lines), when steps are timed.
PROGRESS_FD = 3
MAX_PROGRESS_LINE = 64
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
#: A tmpfs with less room than this (or no inode left) counts as full: its quota was hit.
FULL_MARGIN_BYTES = 256 * 1024
FULL_SAMPLE_SECONDS = 0.25


def _prctl(option: int, value: int) -> None:
    """Best effort: PR_SET_DUMPABLE 0 keeps the command out of /proc/1/fd and ptrace."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _wake(signum: int, frame: object) -> None:
    """A handler, not SIG_IGN: handlers reset on exec, so the command gets defaults."""


class Status:
    """JSON lines to the host on the status fd."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the host is gone; it reports that itself
            write_all(self.fd, json.dumps(message).encode() + b"\n")


def unpack_input(fd: int, work: str, max_file_bytes: int) -> None:
    """Create the files the host streamed (trusted, but names are still checked)."""
    while True:
        (length,) = FRAME_LENGTH.unpack(read_exactly(fd, FRAME_LENGTH.size))
        if not 0 < length <= MAX_HEADER_BYTES:
            raise ValueError("bad frame length in the input stream")
        header = decode_header(read_exactly(fd, length))
        if header["kind"] == "end":
            return
        name = header["name"]
        if (reason := unsafe_name(name)) is not None:
            raise ValueError(f"input file name {name!r} {reason}")
        target = os.path.join(work, name)
        if header["kind"] == "dir":
            os.makedirs(target, mode=0o755, exist_ok=True)
            continue
        if header["size"] > max_file_bytes:
            raise ValueError(f"input file {name} is over {max_file_bytes} bytes")
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        mode = 0o755 if header.get("executable") else 0o644
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        try:
            remaining = header["size"]
            while remaining:
                chunk = read_exactly(fd, min(remaining, CHUNK_BYTES))
                write_all(out, chunk)
                remaining -= len(chunk)
        finally:
            os.close(out)


def _children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid` (for the unsandboxed mode, where we are a subreaper)."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat_file:
                fields = stat_file.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


class Command:
    """The command's child process and everything it starts."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.sandboxed: bool = config["sandboxed"]
        self.pid = 0
        self.exit_status: int | None = None
        self.cpu_seconds: float | None = None

    def kill_everything(self) -> None:
        """SIGKILL every process but us: all of our PID namespace, or our descendants."""
        if self.sandboxed and os.getpid() == 1:
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)  # we are PID 1 of our own namespace: only it
            return
        for pid in [self.pid, *_children_of(os.getpid())]:
            if pid <= 0:
                continue
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(pid, signal.SIGKILL)

    def reap(self) -> bool:
        """Collect exited children without blocking; True when none are left at all."""
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return True
            if pid == 0:
                return False
            if pid == self.pid:
                self.exit_status = status
                self.cpu_seconds = usage.ru_utime + usage.ru_stime

    def stop_all(self, timeout: float = 10.0) -> None:
        """Kill everything left and wait until every process has been reaped."""
        deadline = time.monotonic() + timeout
        while True:
            self.kill_everything()
            if self.reap() or time.monotonic() > deadline:
                return
            time.sleep(0.005)


def apply_rlimits(settings: list[list[Any]]) -> None:
    """Lower our limits to the sandbox's (never above the hard limits we inherited)."""
    for name, soft, hard in settings:
        resource_id = getattr(resource, name)
        inherited_hard = resource.getrlimit(resource_id)[1]
        if inherited_hard != resource.RLIM_INFINITY:
            hard = min(hard, inherited_hard)
        resource.setrlimit(resource_id, (min(soft, hard), hard))


def spawn(config: dict[str, Any], out_w: int, progress_w: int = -1) -> int:
    """fork + exec the command in a session of its own, under the rlimits.

    stdin is /dev/null, stdout and stderr go to out_w, progress_w (if any) is fd 3; if the
    limits cannot be set, the command does not run (exit 126).
    """
    argv: list[str] = config["argv"]
    pid = os.fork()
    if pid:
        return pid
    code = 126
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGINT, signal.SIGCHLD, signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(signum, signal.SIG_DFL)  # Python ignores SIGPIPE and SIGXFSZ
        os.setsid()
        os.chdir(config["work_dir"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        first_closed = 3
        if progress_w >= 0:
            os.dup2(progress_w, PROGRESS_FD)
            first_closed = PROGRESS_FD + 1
        os.closerange(first_closed, os.sysconf("SC_OPEN_MAX"))  # status and collect stay ours
        apply_rlimits(config["rlimits"])
        os.execvpe(argv[0], argv, config["env"])
    except (OSError, ValueError) as error:  # ValueError: a limit setrlimit refused
        code = 127 if isinstance(error, FileNotFoundError) else 126
        why = error.strerror if isinstance(error, OSError) else str(error)
        with contextlib.suppress(OSError):
            os.write(2, f"sandbox: cannot run {argv[0]!r}: {why}\n".encode())
    finally:
        os._exit(code)


class FullFilesystems:
    """Which size-capped tmpfs (/work, /tmp, /dev/shm) were seen full while the command ran.

    Sampled with statvfs every FULL_SAMPLE_SECONDS and once at the end, so a notebook
    that fills /work and then dies (or deletes the files) is blamed for the quota, not
    reported as a process that "ended early".
    """

    def __init__(self, watched: dict[str, str]) -> None:
        self.watched = watched
        self.full: list[str] = []
        self.sampled_at = 0.0

    def sample(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.sampled_at < FULL_SAMPLE_SECONDS:
            return
        self.sampled_at = now
        for label, path in self.watched.items():
            if label in self.full:
                continue
            try:
                info = os.statvfs(path)
            except OSError:
                continue
            no_room = info.f_bavail * info.f_frsize < FULL_MARGIN_BYTES
            if no_room or (info.f_files and info.f_favail == 0):
                self.full.append(label)


class StepClock:
    """Per-step deadlines kept here, outside the command's process, within a total that
    nothing the command writes can move.

    The command announces "start N" on its progress fd as each step (a notebook cell)
    begins; each step then has `seconds`. The announcements come from the process that runs
    the student's code, so they are untrusted: N must grow, at most `max_steps` are taken,
    and no deadline ever passes `budget_end`, fixed when the clock is made at max_steps ×
    seconds (the host counts the code cells that will run; markdown cells are not steps). A
    forged announcement can only move time between the command's own steps, never add any;
    a command that stops announcing keeps its last deadline.
    """

    def __init__(self, seconds: float, max_steps: int) -> None:
        self.seconds = seconds
        self.max_steps = max_steps
        self.step: int | None = None
        self.deadline: float | None = None
        self.taken = 0
        self.pending = b""
        self.budget_end = time.monotonic() + seconds * max_steps

    def feed(self, data: bytes) -> None:
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        self.pending = self.pending[-MAX_PROGRESS_LINE:]
        for line in lines:
            word, _, number = line[:MAX_PROGRESS_LINE].partition(b" ")
            if word != b"start" or not number.isdigit() or self.taken >= self.max_steps:
                continue
            step = int(number)
            if self.step is None or step > self.step:
                self.step, self.taken = step, self.taken + 1
                self.deadline = min(time.monotonic() + self.seconds, self.budget_end)

    def next_deadline(self) -> float:
        """The step's deadline, or the budget's end before any step was announced."""
        return self.budget_end if self.deadline is None else self.deadline


def run_command(config: dict[str, Any]) -> dict[str, Any]:
    """Run argv under the wall-clock and output limits; return how it ended."""
    command = Command(config)
    wall: float = config["wall_seconds"]
    cap: int = config["output_bytes"]
    out_r, out_w = os.pipe()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, _wake)
    steps = config.get("steps")
    clock = StepClock(float(steps["seconds"]), int(steps["max_steps"])) if steps else None
    progress_r = progress_w = -1
    if clock is not None:
        progress_r, progress_w = os.pipe()
        os.set_blocking(progress_r, False)
    command.pid = spawn(config, out_w, progress_w)
    os.close(out_w)
    if progress_w >= 0:
        os.close(progress_w)
    poller = select.poll()
    poller.register(out_r, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    if progress_r >= 0:
        poller.register(progress_r, select.POLLIN)
    step_timed_out: int | None = None
    sent = 0
    killed_reason: str | None = None
    timed_out = False
    deadline = time.monotonic() + wall
    filesystems = FullFilesystems(config.get("watched_filesystems") or {})

    def forward(data: bytes) -> bool:
        """Pass output on up to the cap; True when the cap was exceeded."""
        nonlocal sent
        room = cap - sent
        write_all(1, data[:room])
        sent += min(room, len(data))
        return len(data) > room

    command.reap()
    while command.exit_status is None and killed_reason is None:
        now = time.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            timed_out = True
            killed_reason = f"wall-clock timeout ({wall:g} s)"
            break
        if clock is not None:
            if clock.next_deadline() <= now:
                step_timed_out = clock.step
                killed_reason = (
                    f"step {clock.step} ran past its {clock.seconds:g} s timeout "
                    "(stopped from outside the command)"
                    if clock.step is not None
                    else f"no step started within {clock.max_steps} × {clock.seconds:g} s "
                    "(stopped from outside the command)"
                )
                break
            remaining = min(remaining, clock.next_deadline() - now)
        for fd, _ in poller.poll(min(remaining, 0.5) * 1000):
            if fd == wake_r:
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
                continue
            if fd == progress_r:
                try:
                    progress = os.read(progress_r, 4096)
                except BlockingIOError:
                    continue
                if not progress:
                    poller.unregister(progress_r)
                elif clock is not None:
                    clock.feed(progress)
                continue
            data = os.read(out_r, 65536)
            if not data:
                poller.unregister(out_r)
            elif forward(data):
                killed_reason = f"output over {cap} bytes"
                break
        command.reap()
        filesystems.sample()
    command.stop_all()
    filesystems.sample(force=True)
    # Every writer is dead now: what is left in the pipe is the end of the output.
    os.set_blocking(out_r, False)
    over_cap = sent >= cap and killed_reason is not None
    while not over_cap:
        try:
            data = os.read(out_r, 65536)
        except BlockingIOError:
            break
        if not data:
            break
        over_cap = forward(data)
        if over_cap and killed_reason is None:
            killed_reason = f"output over {cap} bytes"
    signal.set_wakeup_fd(-1)
    for fd in (out_r, wake_r, wake_w, progress_r):
        if fd >= 0:
            os.close(fd)
    returncode: int | None = None
    if command.exit_status is not None and killed_reason is None:
        returncode = os.waitstatus_to_exitcode(command.exit_status)
    return {
        "returncode": returncode,
        "timed_out": timed_out,
        "killed_reason": killed_reason,
        "cpu_seconds": command.cpu_seconds,
        "full_filesystems": filesystems.full,
        "step_timed_out": step_timed_out,
    }


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, _wake)  # PID 1: the command must not stop us with SIGINT
    config = json.loads(argv[1])
    _prctl(PR_SET_DUMPABLE, 0)
    if not config["sandboxed"]:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
    status = Status(config["status_fd"])
    status.send({"event": "started"})
    if config["mode"] == "self-check":
        from .selfcheck import self_check

        status.send({"event": "self-check", "problems": self_check(config)})
        return 0
    outcome: dict[str, Any]
    try:
        unpack_input(0, config["work_dir"], config["max_file_bytes"])
    except (OSError, ValueError) as error:
        reason = f"could not copy the input files into /work: {error}"
        outcome = {"returncode": None, "timed_out": False, "killed_reason": reason}
    else:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        try:
            outcome = run_command(config)
        except OSError as error:
            reason = f"the sandbox driver failed: {error}"
            outcome = {"returncode": None, "timed_out": False, "killed_reason": reason}
    status.send({"event": "finished", **outcome})
    if config["collect"]:
        from .collect import collect  # `re` and the walk only when something is collected

        collect(config)
    else:
        write_all(config["collect_fd"], encode_header({"kind": "end"}))
    status.send({"event": "collected"})
    return 0
