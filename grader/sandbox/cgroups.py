"""Limits that hold for the whole sandbox: one cgroup per sandbox run (memory, pids, CPU).

Job: find out once which cgroups this machine lets us make (`cgroup_support`: v2 where the
unified hierarchy has memory, pids and cpu delegated to our own cgroup, else v1 memory +
pids + cpu), make a cgroup for one sandbox run under our own (`SandboxCgroup.create`) with
the run's memory cap (tmpfs pages and kernel memory are charged to it too, since the
sandbox's processes write them), process cap and CPU quota, put the sandbox's first
process in it before that process runs anything (process.py gates it), read back whether
the kernel killed a process for memory, and remove it after the run, killing whatever is left.

RLIMIT_AS and RLIMIT_NPROC only cap one process or one uid: four children of 1 GiB each
pass a 1.5 GiB RLIMIT_AS together. Where no cgroup can be made (not root, a read-only
/sys/fs/cgroup, no delegation), `cgroup_support` says why, the per-process caps stay,
and the run's summary carries a warning.

Must not: touch a cgroup it did not create, leave one behind (a failed run still removes
it), or move any process but the sandbox's own first one.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
#: The controllers a sandbox cgroup needs.
CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000
_names = itertools.count()


class CgroupError(Exception):
    """A cgroup could not be made, filled or removed; the message says which file refused."""


@dataclass(frozen=True)
class CgroupSupport:
    """Which cgroups can be made here: version 2 or 1 with a parent folder per controller, or
    version None and the reason none can."""

    version: int | None
    parents: tuple[tuple[str, Path], ...] = ()
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.version is not None

    def describe(self) -> str:
        """One phrase for the self-check and run summaries."""
        if self.version is None:
            return (
                f"no cgroup ({self.reason}): memory and processes are capped per process only "
                "(RLIMIT_AS, RLIMIT_NPROC), not for the sandbox as a whole"
            )
        return (
            f"cgroup v{self.version} limits for the whole sandbox (memory incl. tmpfs, pids, CPU)"
        )


def _own_cgroups(proc_cgroup: str) -> dict[str, str]:
    """controller (or "" for the v2 unified hierarchy) -> our path in it, from /proc/self/cgroup."""
    own: dict[str, str] = {}
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    return own


def _unified_mount(root: Path) -> Path | None:
    if (root / "cgroup.controllers").is_file():
        return root  # a pure v2 machine
    if (root / "unified" / "cgroup.controllers").is_file():
        return root / "unified"  # hybrid: v2 mounted beside the v1 controllers
    return None


def _v2_parent(root: Path, own: dict[str, str]) -> tuple[Path | None, str]:
    unified = _unified_mount(root)
    if unified is None or "" not in own:
        return None, "no cgroup v2 hierarchy"
    parent = unified / own[""].lstrip("/")
    try:
        delegated = set((parent / "cgroup.subtree_control").read_text().split())
    except OSError as error:
        return None, f"cannot read {parent / 'cgroup.subtree_control'} ({error.strerror})"
    missing = [name for name in CONTROLLERS if name not in delegated]
    if missing:
        return None, f"cgroup v2 controllers {', '.join(missing)} are not delegated to {parent}"
    return parent, ""


def _v1_parents(root: Path, own: dict[str, str]) -> tuple[dict[str, Path], str]:
    parents: dict[str, Path] = {}
    for controller in CONTROLLERS:
        mount = root / controller
        if controller not in own or not (mount / "cgroup.procs").is_file():
            return {}, f"the cgroup v1 {controller} controller is not mounted at {mount}"
        parents[controller] = mount / own[controller].lstrip("/")
    return parents, ""


def _probe(support: CgroupSupport) -> str:
    """Make and remove an empty cgroup: the only sure test that we may. '' when it worked."""
    made: list[Path] = []
    try:
        for _, parent in support.parents:
            folder = parent / f"hw-grader-probe-{os.getpid()}-{next(_names)}"
            folder.mkdir()
            made.append(folder)
    except OSError as error:
        return f"cannot create a cgroup under {parent} ({error.strerror})"
    finally:
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()
    return ""


def detect_cgroups(root: Path = CGROUP_ROOT, proc_cgroup: str | None = None) -> CgroupSupport:
    """Which cgroups this process may make under `root` (a fake tree in tests)."""
    if os.geteuid() != 0 and root == CGROUP_ROOT:
        return CgroupSupport(None, reason="not running as root")
    if proc_cgroup is None:
        try:
            proc_cgroup = Path("/proc/self/cgroup").read_text()
        except OSError as error:
            return CgroupSupport(None, reason=f"cannot read /proc/self/cgroup ({error.strerror})")
    own = _own_cgroups(proc_cgroup)
    parent, why_not_v2 = _v2_parent(root, own)
    if parent is not None:
        support = CgroupSupport(2, (("unified", parent),))
    else:
        parents, why_not_v1 = _v1_parents(root, own)
        if not parents:
            return CgroupSupport(None, reason=f"{why_not_v2}; {why_not_v1}")
        support = CgroupSupport(1, tuple(parents.items()))
    if problem := _probe(support):
        return CgroupSupport(None, reason=problem)
    return support


@functools.cache
def cgroup_support() -> CgroupSupport:
    """`detect_cgroups` for this machine, asked once per process."""
    return detect_cgroups()


def _write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError as error:
        raise CgroupError(f"cannot write {value!r} to {path} ({error.strerror})") from None


def _read_counters(path: Path) -> dict[str, int]:
    """'key value' lines (memory.events, memory.oom_control) as a dict."""
    counters: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                counters[key] = int(value)
    return counters


class SandboxCgroup:
    """One sandbox run's cgroup (a folder per controller on v1, one on v2)."""

    def __init__(self, support: CgroupSupport, folders: dict[str, Path]) -> None:
        self.support = support
        self.folders = folders

    @classmethod
    def create(
        cls, support: CgroupSupport, *, memory_bytes: int, max_processes: int, cpu_cores: float
    ) -> SandboxCgroup:
        """Make the cgroup and set its limits; CgroupError (nothing left behind) if refused."""
        if support.version is None:
            raise CgroupError(f"no cgroup can be made here: {support.reason}")
        name = f"hw-grader-sandbox-{os.getpid()}-{next(_names)}"
        cgroup = cls(support, {})
        try:
            for key, parent in support.parents:
                folder = parent / name
                try:
                    folder.mkdir()
                except OSError as error:
                    raise CgroupError(f"cannot create {folder} ({error.strerror})") from None
                cgroup.folders[key] = folder
            cgroup._limit(memory_bytes, max_processes, cpu_cores)
        except BaseException:
            cgroup.remove()
            raise
        return cgroup

    def _folder(self, controller: str) -> Path:
        return self.folders["unified" if self.support.version == 2 else controller]

    def _limit(self, memory_bytes: int, max_processes: int, cpu_cores: float) -> None:
        quota = max(1000, int(cpu_cores * CPU_PERIOD_US))
        memory, pids, cpu = (self._folder(name) for name in CONTROLLERS)
        if self.support.version == 2:
            _write(memory / "memory.max", str(memory_bytes))
            if (memory / "memory.swap.max").exists():
                _write(memory / "memory.swap.max", "0")
            _write(pids / "pids.max", str(max_processes))
            _write(cpu / "cpu.max", f"{quota} {CPU_PERIOD_US}")
            return
        _write(memory / "memory.limit_in_bytes", str(memory_bytes))
        if (memory / "memory.memsw.limit_in_bytes").exists():
            # memory + swap: without it a payload could push the excess to swap
            with contextlib.suppress(CgroupError):
                _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
        _write(pids / "pids.max", str(max_processes))
        _write(cpu / "cpu.cfs_period_us", str(CPU_PERIOD_US))
        _write(cpu / "cpu.cfs_quota_us", str(quota))

    def add(self, pid: int) -> None:
        """Put `pid` (the sandbox's first process, not yet running anything) in every folder."""
        for folder in self.folders.values():
            _write(folder / "cgroup.procs", str(pid))

    def oom_kills(self) -> int:
        """How many processes of the sandbox the kernel killed for the memory cap."""
        memory = self._folder("memory")
        if self.support.version == 2:
            return _read_counters(memory / "memory.events").get("oom_kill", 0)
        control = _read_counters(memory / "memory.oom_control")
        # Older kernels have no oom_kill counter: a hit limit then shows as under_oom.
        return control.get("oom_kill", control.get("under_oom", 0))

    def _members(self) -> set[int]:
        pids: set[int] = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError, ValueError):
                pids.update(int(line) for line in (folder / "cgroup.procs").read_text().split())
        return pids

    def remove(self, timeout: float = 5.0) -> None:
        """Kill whatever is still in the cgroup, then remove its folders (best effort, bounded)."""
        deadline = time.monotonic() + timeout
        while (members := self._members()) and time.monotonic() < deadline:
            for pid in members:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
        for folder in self.folders.values():
            while True:
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # EBUSY while the last killed processes are being reaped
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.01)
        self.folders = {}
