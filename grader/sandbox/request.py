"""What a sandboxed run is asked to do and what it reports: limits, request, result.

Plain frozen dataclasses with every default in one place (each limit carries its help
text in the field metadata, like datasette's settings). Validation of a request that
does not depend on the host happens here.

Must not: touch the file system, start processes, or hold mutable module state.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

MiB = 2**20
GiB = 2**30

#: Paths inside the sandbox that the sandbox itself provides; mounts may not cover them.
RESERVED_INSIDE = (
    "/usr",
    "/bin",
    "/lib",
    "/lib64",
    "/sbin",
    "/etc",
    "/proc",
    "/dev",
    "/tmp",
    "/work",
    "/run",
)


def _limit(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits for one sandboxed run. Defaults suit one homework notebook on CPU."""

    wall_seconds: float = _limit(900.0, "wall-clock seconds before every process is killed")
    cpu_seconds: int = _limit(
        1800, "CPU seconds per process (RLIMIT_CPU): SIGXCPU, then SIGKILL 5 s later"
    )
    address_space_bytes: int = _limit(
        8 * GiB,
        "virtual memory per process (RLIMIT_AS); a backstop only: `import torch` maps ~0.6 GiB "
        "and each thread more, so it cannot be a real memory cap",
    )
    max_processes: int = _limit(
        512,
        "processes and threads of the sandbox uid (RLIMIT_NPROC) and of the whole sandbox "
        "(the cgroup's pids.max); too low kills libgomp",
    )
    memory_bytes: int = _limit(
        6 * GiB,
        "memory of the whole sandbox, its tmpfs included (a cgroup): past it the kernel kills "
        "a process of the sandbox; where no cgroup can be made, only the per-process caps hold",
    )
    max_file_bytes: int = _limit(1 * GiB, "largest file a process may write (RLIMIT_FSIZE)")
    max_open_files: int = _limit(1024, "open file descriptors per process (RLIMIT_NOFILE)")
    work_tmpfs_bytes: int = _limit(2 * GiB, "size of the writable /work (RAM-backed tmpfs)")
    tmp_tmpfs_bytes: int = _limit(256 * MiB, "size of the writable /tmp (RAM-backed tmpfs)")
    shm_bytes: int = _limit(64 * MiB, "size of /dev/shm; DataLoader workers need ~64 MiB")
    output_bytes: int = _limit(1 * MiB, "captured stdout+stderr; past it the run is stopped")
    collect_bytes: int = _limit(1 * GiB, "total size of the files brought out of /work")
    collect_files: int = _limit(10_000, "number of files brought out of /work")
    threads: int = _limit(
        1,
        "OMP_NUM_THREADS / MKL_NUM_THREADS / OPENBLAS_NUM_THREADS, and the CPU cores the whole "
        "sandbox may use (the cgroup's CPU quota)",
    )
    grace_seconds: float = _limit(
        30.0,
        "extra wall-clock time the host allows past wall_seconds (copying files in and out) "
        "before it kills the sandbox from outside",
    )

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(
                    f"sandbox limit {spec.name} must be a positive number, got {value!r}"
                )

    @staticmethod
    def help() -> dict[str, str]:
        """Each limit's name mapped to its help text (for CLI options and docs)."""
        return {spec.name: spec.metadata["help"] for spec in fields(SandboxLimits)}


@dataclass(frozen=True)
class ReadOnlyMount:
    """A host file or directory made visible read-only inside the sandbox."""

    host: Path
    inside: str

    def __post_init__(self) -> None:
        inside = self.inside
        if not inside.startswith("/") or posixpath.normpath(inside) != inside or inside == "/":
            raise ValueError(f"mount point {inside!r} must be a normalised absolute path")
        for reserved in RESERVED_INSIDE:
            if inside == reserved or inside.startswith(reserved + "/"):
                raise ValueError(
                    f"mount point {inside!r} is inside {reserved}, which the sandbox provides"
                )


def check_relative_pattern(pattern: str) -> None:
    """Reject collect patterns and file names that could point outside /work."""
    if not pattern or pattern.startswith("/") or "\x00" in pattern:
        raise ValueError(f"{pattern!r} must be a non-empty path relative to /work")
    if any(part in ("", ".", "..") for part in pattern.split("/")):
        raise ValueError(f"{pattern!r} must not contain empty, '.' or '..' parts")


@dataclass(frozen=True)
class StepTimeout:
    """Per-step deadlines the sandbox's driver keeps, outside the command's reach.

    The command writes "start N" lines to the fd named by $HW_GRADER_PROGRESS_FD as each
    step (a notebook cell) begins; a step running past `seconds` stops the run. Steps must
    grow and at most `max_steps` count, so the command never gets more than
    max_steps × seconds whatever it writes there.
    """

    seconds: float
    max_steps: int

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.max_steps < 1:
            raise ValueError("a step timeout needs positive seconds and at least one step")


#: The environment variable naming the command's progress fd (see StepTimeout).
PROGRESS_FD_VARIABLE = "HW_GRADER_PROGRESS_FD"


@dataclass(frozen=True)
class SandboxRequest:
    """One command to run inside the sandbox, with its inputs and what to bring back.

    `argv` runs with cwd=/work; "python" resolves to the kernel environment's python.
    `work_files` is copied into /work (regular files and directories only: symlinks
    are skipped, never followed); `extra_files` maps /work-relative names to host
    files. `collect` globs (relative to /work; `*` stays within a directory, `**`
    crosses them) are copied out
    after the command ends, also after a timeout or a crash. Patterns match files only:
    a directory whose name matches is never collected whole (`models/**` collects a
    folder's files); sparse files and unsafe or overlong names are refused one by one.
    """

    argv: tuple[str, ...]
    work_files: Path | None = None
    extra_files: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))
    mounts: tuple[ReadOnlyMount, ...] = ()
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    collect: tuple[str, ...] = ()
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    steps: StepTimeout | None = None
    #: Host device nodes bound into the sandbox's /dev (the GPU's: `gpu.cuda_device_nodes`).
    devices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.argv or not all(
            isinstance(arg, str) and "\x00" not in arg for arg in self.argv
        ):
            raise ValueError("argv must be a non-empty tuple of strings without NUL bytes")
        for name in self.extra_files:
            check_relative_pattern(name)
        for pattern in self.collect:
            check_relative_pattern(pattern)
        for key, value in self.env.items():
            if not key or "=" in key or "\x00" in key or "\x00" in value:
                raise ValueError(f"environment variable {key!r} cannot be passed")
        for device in self.devices:
            if not device.startswith("/dev/") or posixpath.normpath(device) != device:
                raise ValueError(f"device {device!r} must be a normalised path under /dev")
        insides = [mount.inside for mount in self.mounts]
        if len(set(insides)) != len(insides):
            raise ValueError("two mounts share a mount point")


def memory_limit_message(limits: SandboxLimits) -> str:
    """What a run whose process the kernel killed for the cgroup's memory cap is told."""
    return (
        f"memory limit of the sandbox exceeded ({limits.memory_bytes // MiB} MiB, "
        "tmpfs included): the kernel killed a process"
    )


@dataclass(frozen=True)
class SandboxResult:
    """How a sandboxed run ended. Everything here came out of the sandbox through checks."""

    returncode: int | None
    timed_out: bool
    killed_reason: str | None
    output: str
    collected: dict[str, Path]
    collect_problems: tuple[str, ...]
    wall_seconds: float
    cpu_seconds: float | None = None
    sandboxed: bool = True
    #: The size-capped tmpfs ("/work", "/tmp", "/dev/shm") the driver saw full during the run.
    full_filesystems: tuple[str, ...] = ()
    #: The kernel killed a process of the sandbox for the cgroup's memory cap during the run.
    memory_limit_hit: bool = False
    #: How the limits held: e.g. that no cgroup could be made, so only per-process caps did.
    warnings: tuple[str, ...] = ()
    #: The step (a notebook cell index) the driver stopped for running past its StepTimeout.
    step_timed_out: int | None = None

    @property
    def ok(self) -> bool:
        """The command exited 0 on its own."""
        return self.returncode == 0 and self.killed_reason is None

    def limit_message(self, limits: SandboxLimits) -> str | None:
        """The student's limit this run hit (memory, else disk quota), in words, or None."""
        if self.memory_limit_hit:
            return memory_limit_message(limits)
        return self.disk_quota_message(limits)

    def disk_quota_message(self, limits: SandboxLimits) -> str | None:
        """'disk quota of the sandbox exceeded: /work (128 MiB) is full', or None."""
        if not self.full_filesystems:
            return None
        sizes = {
            "/work": limits.work_tmpfs_bytes,
            "/tmp": limits.tmp_tmpfs_bytes,
            "/dev/shm": limits.shm_bytes,
        }
        shown = [f"{label} ({sizes.get(label, 0) // MiB} MiB)" for label in self.full_filesystems]
        verb = "is" if len(shown) == 1 else "are"
        return f"disk quota of the sandbox exceeded: {' and '.join(shown)} {verb} full"
