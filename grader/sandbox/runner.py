"""Run one command inside the sandbox and bring its results out: the library entry point.

Job: `check_sandbox` (the host checks of `check.py`, then the driver's self-check in a
real sandbox); refuse to run anything until it passed for this slot; then build the
input stream, the bwrap command line, the driver's configuration and the rlimits,
launch, and turn what was seen into a SandboxResult (returncode, timeout, why it was
stopped, capped output, collected files and what was refused).

Must not: fall back to running without the sandbox on its own (`unsandboxed=True` is
the caller's explicit, logged choice), run two commands at once in one slot (the
slot's uid is what RLIMIT_NPROC counts), or print.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from grader.sandbox import inside
from grader.sandbox.bwrap import (
    BASE_UID,
    DRIVER_BOOT,
    DRIVER_ZIP,
    PROC_MASKS,
    TMPFS_INSIDE,
    WORK_INSIDE,
    bwrap_argv,
    command_environment,
    driver_files,
    etc_files,
    rlimit_settings,
    unreadable_reason,
)
from grader.sandbox.cgroups import CgroupError, CgroupSupport, SandboxCgroup, cgroup_support
from grader.sandbox.check import (
    ENABLE_USERNS,
    INSTALL_BWRAP,
    SandboxCheck,
    SandboxUnavailable,
    host_problem,
    self_check_paths,
    self_check_verdict,
    unavailable_check,
)
from grader.sandbox.inside.driver import PROGRESS_FD
from grader.sandbox.mount_stage import (
    STAGING_FAILED,
    MountSourceError,
    helper_argv,
    open_mount_source,
    staged_path,
)
from grader.sandbox.process import LaunchFds, LaunchOutcome, launch
from grader.sandbox.request import (
    PROGRESS_FD_VARIABLE,
    ReadOnlyMount,
    SandboxLimits,
    SandboxRequest,
    SandboxResult,
    memory_limit_message,
)
from grader.sandbox.slots import SlotUnavailable, claim_slot
from grader.sandbox.syscall_filter import seccomp_program
from grader.sandbox.transfer import CollectReceiver, write_input_stream

logger = logging.getLogger(__name__)

STAGING_REFUSED = (
    "data under a private folder is mounted by the grader (root) from a mount namespace of its "
    "own, which this machine refused (a container without CAP_SYS_ADMIN?); keep the data and "
    "the cache in world-readable folders (chmod a+rX on the folders above them)"
)
CGROUP_HINT = (
    "the sandbox's cgroup could not be made or filled; check that /sys/fs/cgroup is writable "
    "by root and not full (or run without root: the per-process caps then hold alone)"
)
UNSANDBOXED_WARNING = (
    "running student code WITHOUT the sandbox (--no-sandbox): it can read and change "
    "everything this user can, and use the network; only for trusted code"
)


def describe_signal(signum: int, cpu_seconds: float | None, limits: SandboxLimits) -> str:
    """Why a process killed by signum died, in words."""
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    meaning = {
        "SIGSEGV": "segmentation fault",
        "SIGBUS": "bus error",
        "SIGABRT": "aborted",
        "SIGXCPU": f"CPU time limit of {limits.cpu_seconds} s",
        "SIGXFSZ": f"file size limit of {limits.max_file_bytes} bytes",
        "SIGILL": "illegal instruction",
    }.get(name)
    if name == "SIGKILL" and cpu_seconds is not None and cpu_seconds >= limits.cpu_seconds:
        meaning = f"CPU time limit of {limits.cpu_seconds} s"
    return f"killed by {name}" + (f" ({meaning})" if meaning else "")


def open_mount_fds(mounts: tuple[ReadOnlyMount, ...]) -> list[int]:
    """An O_PATH fd per mount, opened with the grader's rights; SandboxUnavailable names a bad one."""
    fds: list[int] = []
    try:
        for mount in mounts:
            try:
                fds.append(open_mount_source(mount.host))
            except MountSourceError as error:
                raise SandboxUnavailable(
                    f"cannot mount it at {mount.inside}: {error.message}",
                    path=mount.host,
                    hint="check the path given for the data; its own top folder must be "
                    "readable by others (chmod a+rX), the folders above it may be private",
                ) from None
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return fds


def _first_line(raw: bytes, *, last: bool = False) -> str:
    lines = [line.strip() for line in raw.decode(errors="replace").splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if last else lines[0]


class Sandbox:
    """Runs commands in a bubblewrap sandbox as slot uid BASE_UID + slot, one at a time."""

    def __init__(self, *, kernel_env: Path, slot: int = 0, unsandboxed: bool = False) -> None:
        if slot < 0:
            raise ValueError("slot must be 0 or more")
        self.kernel_env = Path(kernel_env).absolute()
        self.slot = slot
        self.unsandboxed = unsandboxed
        switch = os.geteuid() == 0 and not unsandboxed
        self.uid: int | None = BASE_UID + slot if switch else None
        self._check: SandboxCheck | None = None
        self._driver_files: dict[str, bytes] | None = None  # read once: a consistent driver
        self._lock = threading.Lock()
        self._cgroups: CgroupSupport | None = None  # None: this machine's (cgroup_support)
        if unsandboxed:
            logger.warning(UNSANDBOXED_WARNING)

    def site_packages(self) -> list[str]:
        """The kernel environment's site-packages directories (host paths, same inside)."""
        return sorted(str(path) for path in self.kernel_env.glob("lib/python3*/site-packages"))

    def check(self) -> SandboxCheck:
        """check_sandbox for this slot, run once per Sandbox and remembered."""
        if self._check is None:
            self._check = check_sandbox(self.kernel_env, slot=self.slot)
        return self._check

    def run(self, request: SandboxRequest, out_dir: Path) -> SandboxResult:
        """Run request.argv in a fresh sandbox; collected files land under out_dir.

        Raises SandboxUnavailable when the sandbox cannot be set up; anything the
        command does (crash, timeout, flood) is reported in the result instead.
        """
        out_dir = Path(out_dir)
        with self._lock:
            if not self.unsandboxed:
                self.check().raise_unless_ok()
            else:
                logger.warning(UNSANDBOXED_WARNING)
            out_dir.mkdir(parents=True, exist_ok=True)
            receiver = CollectReceiver(
                out_dir,
                max_bytes=request.limits.collect_bytes,
                max_files=request.limits.collect_files,
            )
            outcome = self._launch(request, receiver, {"mode": "run"})
        return self._result(request.limits, outcome)

    def self_check(self, *, absent_paths: list[str], read_only_paths: list[str]) -> list[str]:
        """Problems the driver finds from inside a sandbox (no student code involved)."""
        config = {
            "mode": "self-check",
            "absent_paths": absent_paths,
            "read_only_paths": read_only_paths,
            "writable_paths": [WORK_INSIDE, "/tmp", "/dev/shm"],
        }
        request = SandboxRequest(argv=("true",), limits=SandboxLimits(wall_seconds=30))
        receiver = CollectReceiver(Path(os.devnull), max_bytes=0, max_files=0)
        with self._lock:
            outcome = self._launch(request, receiver, config)
        self._raise_if_not_started(outcome)
        for message in outcome.status:
            if message["event"] == "self-check" and isinstance(message.get("problems"), list):
                return [str(problem) for problem in message["problems"]]
        return [
            f"the self-check did not report ({_first_line(outcome.stderr, last=True) or 'no message'})"
        ]

    def _launch(
        self, request: SandboxRequest, receiver: CollectReceiver, extra: dict[str, Any]
    ) -> LaunchOutcome:
        sandboxed = not self.unsandboxed
        # As root, a mount the sandbox uid cannot reach (under a mode-0700 folder: a home
        # directory, `mktemp -d`) is opened here with the grader's rights and staged by a
        # helper (mount_stage.py); world-readable ones are bound by bwrap directly, as ever.
        staging = (
            sandboxed
            and self.uid is not None
            and any(unreadable_reason(mount.host) is not None for mount in request.mounts)
        )
        mount_fds = open_mount_fds(request.mounts) if staging else []
        if not staging:
            for mount in request.mounts:
                if not mount.host.exists():
                    raise SandboxUnavailable(
                        f"cannot mount it at {mount.inside}: it does not exist",
                        path=mount.host,
                        hint="check the path given for the data",
                    )
        try:
            return self._launch_with(request, receiver, extra, mount_fds)
        finally:
            for fd in mount_fds:
                os.close(fd)

    def _launch_with(
        self,
        request: SandboxRequest,
        receiver: CollectReceiver,
        extra: dict[str, Any],
        mount_fds: list[int],
    ) -> LaunchOutcome:
        limits = request.limits
        sandboxed = not self.unsandboxed
        bwrap = shutil.which("bwrap") if sandboxed else None
        if sandboxed and bwrap is None:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed", hint=INSTALL_BWRAP)
        scratch = None if sandboxed else Path(tempfile.mkdtemp(prefix="hw-grader-unsandboxed-"))
        work, tmp = (
            (WORK_INSIDE, "/tmp")
            if scratch is None
            else (str(scratch / "work"), str(scratch / "tmp"))
        )
        if scratch is not None:
            os.mkdir(work)
            os.mkdir(tmp)
        config: dict[str, Any] = {
            "sandboxed": sandboxed,
            "work_dir": work,
            "argv": list(request.argv),
            "env": command_environment(
                kernel_env=self.kernel_env,
                work=work,
                tmp=tmp,
                threads=limits.threads,
                extra={
                    **request.env,
                    **({PROGRESS_FD_VARIABLE: str(PROGRESS_FD)} if request.steps else {}),
                },
            ),
            "steps": (
                {"seconds": request.steps.seconds, "max_steps": request.steps.max_steps}
                if request.steps
                else None
            ),
            "collect": list(request.collect),
            "wall_seconds": limits.wall_seconds,
            "output_bytes": limits.output_bytes,
            "collect_bytes": limits.collect_bytes,
            "collect_files": limits.collect_files,
            "max_file_bytes": limits.max_file_bytes,
            "rlimits": rlimit_settings(limits),
            # The size-capped tmpfs the driver watches for a full disk (none unsandboxed).
            "watched_filesystems": {path: path for path in TMPFS_INSIDE} if sandboxed else {},
            **extra,
        }
        package = Path(inside.__file__).parent
        uid = self.uid if self.uid is not None else os.getuid()
        data_files: dict[str, bytes] = {}
        if sandboxed:
            if self._driver_files is None:
                self._driver_files = driver_files(package)
            data_files = {**self._driver_files, **etc_files(uid, uid), **PROC_MASKS}

        def build_argv(fds: LaunchFds) -> list[str]:
            config.update(collect_fd=fds.collect, status_fd=fds.status)
            python = str(self.kernel_env / "bin" / "python")
            driver_dir = DRIVER_ZIP if sandboxed else str(package.parent)
            command = [python, "-I", "-S", "-c", DRIVER_BOOT, driver_dir, json.dumps(config)]
            if bwrap is None:
                return command
            mounts = request.mounts
            if mount_fds:
                mounts = tuple(
                    ReadOnlyMount(Path(staged_path(index)), mount.inside)
                    for index, mount in enumerate(request.mounts)
                )
            argv = bwrap_argv(
                bwrap,
                kernel_env=self.kernel_env,
                limits=limits,
                mounts=mounts,
                data_fds=fds.data,
                info_fd=fds.info,
                command=command,
                seccomp_fd=fds.seccomp,
                devices=request.devices,
            )
            if not mount_fds:
                return argv
            return helper_argv(sys.executable, uid=uid, gid=uid, fds=mount_fds, bwrap_command=argv)

        cgroup: SandboxCgroup | None = None
        try:
            cgroup = self._cgroup(limits) if sandboxed else None
            with tempfile.TemporaryFile() as stdin:
                write_input_stream(stdin, request.work_files, request.extra_files)
                stdin.seek(0)
                outcome = launch(
                    build_argv=build_argv,
                    data_files=data_files,
                    stdin=stdin,
                    uid=None if mount_fds else self.uid,  # the helper switches uid itself
                    receiver=receiver,
                    output_cap=limits.output_bytes,
                    backstop_seconds=limits.wall_seconds + limits.grace_seconds,
                    wall_label=limits.wall_seconds,
                    namespaced=sandboxed,
                    keep_fds=tuple(mount_fds),
                    cgroup=cgroup,
                    seccomp=seccomp_program() if sandboxed else None,
                )
            if cgroup is not None:
                outcome.oom_kills = cgroup.oom_kills()
            return outcome
        except CgroupError as error:
            raise SandboxUnavailable(str(error), hint=CGROUP_HINT) from None
        finally:
            if cgroup is not None:
                cgroup.remove()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    def _cgroup(self, limits: SandboxLimits) -> SandboxCgroup | None:
        """This run's cgroup, or None where none can be made (a warning says so); CgroupError
        when one could be made but this one was refused."""
        support = self.cgroups()
        if not support.available:
            return None
        return SandboxCgroup.create(
            support,
            memory_bytes=limits.memory_bytes,
            max_processes=limits.max_processes,
            cpu_cores=limits.threads,
        )

    def cgroups(self) -> CgroupSupport:
        """Which cgroups this sandbox's runs get (`cgroup_support`, or a test's own)."""
        return self._cgroups if self._cgroups is not None else cgroup_support()

    def _raise_if_not_started(self, outcome: LaunchOutcome) -> None:
        started = any(message["event"] == "started" for message in outcome.status)
        if not started and outcome.host_killed_reason is None:
            why = _first_line(outcome.stderr) or f"exit status {outcome.exit_code}"
            namespaces = any(word in why for word in ("namespace", "uid map", "not permitted"))
            hint = (
                STAGING_REFUSED
                if why.startswith(STAGING_FAILED)
                else ENABLE_USERNS
                if namespaces
                else "check that every mount's host path exists and is readable"
            )
            raise SandboxUnavailable(f"the sandbox could not start: {why}", hint=hint)

    def _result(self, limits: SandboxLimits, outcome: LaunchOutcome) -> SandboxResult:
        self._raise_if_not_started(outcome)
        finished = next((m for m in outcome.status if m["event"] == "finished"), None)
        cpu_seconds: float | None = None
        step_timed_out: int | None = None
        if finished is None:
            returncode: int | None = None
            timed_out = outcome.host_timed_out
            stderr_tail = _first_line(outcome.stderr, last=True)
            killed_reason: str | None = outcome.host_killed_reason or (
                f"sandbox driver failed: {stderr_tail}"
                if stderr_tail
                else "sandbox driver was killed"
            )
        else:
            reported = finished.get("returncode")
            returncode = (
                reported if isinstance(reported, int) and not isinstance(reported, bool) else None
            )
            timed_out = finished.get("timed_out") is True or outcome.host_timed_out
            reason = finished.get("killed_reason")
            killed_reason = outcome.host_killed_reason or (
                str(reason)[:500] if reason is not None else None
            )
            if outcome.host_killed_reason is not None:
                returncode = None
            step = finished.get("step_timed_out")
            if isinstance(step, int) and not isinstance(step, bool) and step >= 0:
                step_timed_out = step
            cpu = finished.get("cpu_seconds")
            cpu_seconds = (
                float(cpu) if isinstance(cpu, int | float) and not isinstance(cpu, bool) else None
            )
        if returncode is not None and returncode < 0 and killed_reason is None:
            killed_reason = describe_signal(-returncode, cpu_seconds, limits)
        memory_hit, warnings = self._cgroup_verdict(outcome.oom_kills)
        if memory_hit and returncode != 0 and not timed_out:
            # The kernel's OOM kill shows as SIGKILL or a dead driver: say what it was.
            killed_reason = memory_limit_message(limits)
        receiver = outcome.receiver
        reported_full = finished.get("full_filesystems") if finished is not None else None
        full_filesystems = tuple(
            label
            for label in TMPFS_INSIDE
            if isinstance(reported_full, list) and label in reported_full
        )
        return SandboxResult(
            returncode=returncode,
            timed_out=timed_out,
            killed_reason=killed_reason,
            output=outcome.output.decode("utf-8", errors="replace"),
            collected=dict(receiver.collected),
            collect_problems=tuple(receiver.problems),
            wall_seconds=outcome.wall_seconds,
            cpu_seconds=cpu_seconds,
            sandboxed=not self.unsandboxed,
            full_filesystems=full_filesystems,
            memory_limit_hit=memory_hit,
            warnings=warnings,
            step_timed_out=step_timed_out,
        )

    def _cgroup_verdict(self, oom_kills: int | None) -> tuple[bool, tuple[str, ...]]:
        """(the memory cap was hit, warnings about how the limits held) for one run."""
        if self.unsandboxed:
            return False, ()
        if oom_kills is None:
            return False, (f"limits: {self.cgroups().describe()}",)
        return oom_kills > 0, ()


def check_sandbox(kernel_env: Path, *, slot: int | None = None) -> SandboxCheck:
    """Is the sandbox usable here? Runs a self-check inside a real sandbox as the slot's uid.

    Without `slot`, a free slot of this host is claimed for the check's duration
    (`slots.claim_slot`), so the check never shares a uid with a sandbox running elsewhere.
    """
    kernel_env = Path(kernel_env)
    if (problem := host_problem(kernel_env, switch_uid=os.geteuid() == 0)) is not None:
        return problem
    if slot is not None:
        return _self_check_verdict(kernel_env, slot)
    try:
        with claim_slot() as lease:
            return _self_check_verdict(kernel_env, lease.slot)
    except SlotUnavailable as error:
        return unavailable_check(error)


def _self_check_verdict(kernel_env: Path, slot: int) -> SandboxCheck:
    sandbox = Sandbox(kernel_env=kernel_env, slot=slot)
    absent, read_only = self_check_paths(kernel_env, sandbox.site_packages())
    try:
        problems = sandbox.self_check(absent_paths=absent, read_only_paths=read_only)
    except SandboxUnavailable as error:
        return unavailable_check(error)
    return self_check_verdict(
        problems, uid=sandbox.uid, kernel_env=kernel_env, limits=sandbox.cgroups().describe()
    )
