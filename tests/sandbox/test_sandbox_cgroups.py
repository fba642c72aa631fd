"""The sandbox's cgroup: limits that hold for the whole sandbox, made per run and removed after.

Detection and the limit files are checked on fake cgroup trees (v1 and v2); the rest on
this machine's real cgroups, which `make test` runs as root (v1 memory + pids + cpu here).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from grader.sandbox import SandboxLimits, SandboxRequest
from grader.sandbox.cgroups import CgroupSupport, SandboxCgroup, cgroup_support, detect_cgroups

MiB = 2**20
V1_PROC_CGROUP = "8:pids:/\n4:memory:/job/7\n1:cpu:/\n0::/\n"


def fake_v1(root: Path) -> None:
    for controller, own in (("pids", ""), ("memory", "job/7"), ("cpu", "")):
        folder = root / controller / own
        folder.mkdir(parents=True)
        (root / controller / "cgroup.procs").write_text("")


def test_v1_is_found_under_our_own_cgroup_of_each_controller(tmp_path):
    fake_v1(tmp_path)
    support = detect_cgroups(tmp_path, V1_PROC_CGROUP)
    assert support.version == 1
    assert dict(support.parents) == {
        "memory": tmp_path / "memory" / "job" / "7",
        "pids": tmp_path / "pids",
        "cpu": tmp_path / "cpu",
    }
    assert "cgroup v1 limits for the whole sandbox" in support.describe()


def test_v2_is_used_where_our_cgroup_delegates_memory_pids_and_cpu(tmp_path):
    fake_v1(tmp_path)  # a hybrid machine: v2 wins where it has the controllers
    unified = tmp_path / "unified"
    (unified / "grading").mkdir(parents=True)
    (unified / "cgroup.controllers").write_text("cpu memory pids\n")
    (unified / "grading" / "cgroup.subtree_control").write_text("cpu io memory pids\n")
    support = detect_cgroups(tmp_path, V1_PROC_CGROUP.replace("0::/", "0::/grading"))
    assert (support.version, dict(support.parents)) == (2, {"unified": unified / "grading"})


def test_without_the_controllers_none_is_made_and_the_reason_says_which(tmp_path):
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "cgroup.procs").write_text("")
    support = detect_cgroups(tmp_path, V1_PROC_CGROUP)
    assert support.version is None
    assert f"the cgroup v1 pids controller is not mounted at {tmp_path / 'pids'}" in support.reason
    assert support.describe().startswith("no cgroup (")
    assert "capped per process only" in support.describe()


def test_limits_are_written_to_each_controller_v1(tmp_path):
    fake_v1(tmp_path)
    support = detect_cgroups(tmp_path, V1_PROC_CGROUP)
    cgroup = SandboxCgroup.create(support, memory_bytes=512 * MiB, max_processes=64, cpu_cores=1.5)
    memory, pids, cpu = (cgroup.folders[name] for name in ("memory", "pids", "cpu"))
    assert memory.parent == tmp_path / "memory" / "job" / "7"
    assert (memory / "memory.limit_in_bytes").read_text() == str(512 * MiB)
    assert (pids / "pids.max").read_text() == "64"
    assert (cpu / "cpu.cfs_quota_us").read_text() == "150000"
    assert (cpu / "cpu.cfs_period_us").read_text() == "100000"
    cgroup.remove(timeout=0)


def test_limits_are_written_to_the_one_folder_v2(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids\n")
    (tmp_path / "g" / "cgroup.subtree_control").write_text("cpu memory pids\n")
    support = detect_cgroups(tmp_path, "0::/g\n")
    cgroup = SandboxCgroup.create(support, memory_bytes=MiB, max_processes=9, cpu_cores=1)
    folder = cgroup.folders["unified"]
    assert (folder / "memory.max").read_text() == str(MiB)
    assert (folder / "pids.max").read_text() == "9"
    assert (folder / "cpu.max").read_text() == "100000 100000"
    cgroup.remove(timeout=0)


def test_this_machine_offers_a_cgroup_to_root():
    support = cgroup_support()
    if os.geteuid() != 0:
        assert support.reason == "not running as root"
        return
    assert support.available, support.reason  # v1 memory + pids + cpu on the CI machine


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are made by root only")
def test_each_run_gets_its_own_cgroup_with_the_limits_and_it_is_removed(sandbox, tmp_path):
    support = cgroup_support()
    assert support.version == 1  # this machine's kind: v1 memory + pids + cpu
    parents = dict(support.parents)
    seen: dict[str, str] = {}

    def watch() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not seen.get("procs"):
            for folder in parents["pids"].glob(f"hw-grader-sandbox-{os.getpid()}-*"):
                try:
                    seen["pids"] = (folder / "pids.max").read_text().strip()
                    seen["procs"] = (folder / "cgroup.procs").read_text().strip()
                    memory = parents["memory"] / folder.name / "memory.limit_in_bytes"
                    seen["memory"] = memory.read_text().strip()
                    cpu = parents["cpu"] / folder.name / "cpu.cfs_quota_us"
                    seen["cpu"] = cpu.read_text().strip()
                except OSError:
                    continue
            time.sleep(0.02)

    sandbox.check()  # its self-check runs in a cgroup of its own first
    watcher = threading.Thread(target=watch)
    watcher.start()
    limits = SandboxLimits(wall_seconds=10, max_processes=77, memory_bytes=700 * MiB, threads=2)
    result = sandbox.run(SandboxRequest(argv=("sleep", "1"), limits=limits), tmp_path)
    watcher.join()
    assert result.ok, result.killed_reason
    assert result.warnings == ()
    assert (seen["pids"], seen["memory"], seen["cpu"]) == ("77", str(700 * MiB), "200000")
    assert seen["procs"] != ""  # the sandbox's processes were in it
    leftover = [
        folder
        for _, parent in support.parents
        for folder in parent.glob(f"hw-grader-sandbox-{os.getpid()}-*")
    ]
    assert leftover == []


def test_where_no_cgroup_can_be_made_the_per_process_caps_hold_and_a_warning_says_so(
    sandbox, tmp_path
):
    sandbox._cgroups = CgroupSupport(None, reason="a test machine without cgroups")
    result = sandbox.run(
        SandboxRequest(
            argv=("python", "-c", "print(6 * 7)"), limits=SandboxLimits(wall_seconds=20)
        ),
        tmp_path,
    )
    assert (result.returncode, result.output) == (0, "42\n")
    assert result.warnings == (
        "limits: no cgroup (a test machine without cgroups): memory and processes are capped "
        "per process only (RLIMIT_AS, RLIMIT_NPROC), not for the sandbox as a whole",
    )
