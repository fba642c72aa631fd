"""Hostile notebooks that stay under every per-process cap and still try to take the machine
together: many children, a tmpfs filled with RAM. The sandbox's cgroup stops them,
the host keeps its memory, the student is blamed, and nothing survives."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from grader.sandbox.cgroups import cgroup_support
from tests.hostile.conftest import QUICK_LIMITS, cell_text

MiB = 2**20
#: The sandbox's memory cap in these tests, well below what the payloads ask for together.
CAP = 384 * MiB

needs_cgroups = pytest.mark.skipif(
    not cgroup_support().available,
    reason=f"no cgroup here ({cgroup_support().reason}); `make test` runs as root, where one is",
)


def available_memory() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no MemAvailable in /proc/meminfo")


class MemoryWatch:
    """The host's lowest available memory while a payload runs (sampled every 20 ms)."""

    def __init__(self) -> None:
        self.lowest = available_memory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.lowest = min(self.lowest, available_memory())

    def __enter__(self) -> MemoryWatch:
        self.before = available_memory()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


CHILDREN_OVER_THE_CAP = """\
import os, time
children = []
for _ in range(6):  # 6 × 400 MiB: each below RLIMIT_AS (1.5 GiB), together 6× the cap
    pid = os.fork()
    if pid == 0:
        hoard = bytearray(400 * 2**20)
        for offset in range(0, len(hoard), 4096):
            hoard[offset] = 1
        time.sleep(3)
        os._exit(0)
    children.append(pid)
ended = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
print("ended", ended)
if any(code != 0 for code in ended):
    raise RuntimeError(f"a worker died: {ended}")
"""


@needs_cgroups
def test_children_each_under_the_process_cap_are_stopped_together_by_the_memory_limit(
    run_notebook, host
):
    limits = replace(QUICK_LIMITS, memory_bytes=CAP, wall_seconds=25, grace_seconds=10)
    with MemoryWatch() as memory:
        run = run_notebook(
            "print('warm up')", CHILDREN_OVER_THE_CAP, limits=limits, cell_timeout=35
        )
    assert run.status == "killed", run.message
    assert run.message == (
        "memory limit of the sandbox exceeded (384 MiB, tmpfs included): "
        "the kernel killed a process in cell 2 (In [2])"
    )
    assert run.failed_cell == 1
    ended = cell_text(run, 1)
    assert ended.startswith("ended [") and "-9" in ended  # SIGKILLed by the kernel's OOM killer
    # The host never lent the sandbox the 2.4 GiB asked for: its cap plus slack for the rest of
    # the machine (page cache, the test's own threads).
    assert memory.before - memory.lowest < 1024 * MiB
    host.assert_clean()


@needs_cgroups
def test_ram_written_into_a_large_tmpfs_is_charged_to_the_sandbox(run_notebook, host):
    # /work may hold 2 GiB, but its pages are RAM charged to the sandbox's 384 MiB.
    limits = replace(
        QUICK_LIMITS, memory_bytes=CAP, work_tmpfs_bytes=2048 * MiB, max_file_bytes=2048 * MiB
    )
    with MemoryWatch() as memory:
        run = run_notebook(
            "with open('fill', 'wb') as out:\n"
            "    for _ in range(1024):\n"
            "        out.write(bytes(2**20))\n"
            "print('wrote 1 GiB')",
            "print('never runs')",
            limits=limits,
        )
    assert run.status == "killed", run.message
    assert run.message.startswith("memory limit of the sandbox exceeded (384 MiB, tmpfs included)")
    assert memory.before - memory.lowest < CAP + 256 * MiB
    host.assert_clean()
