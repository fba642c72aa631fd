"""Resource attacks: each is stopped by a limit, reported, and leaves nothing behind."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from grader.sandbox import SandboxLimits, SandboxRequest


@dataclasses.dataclass
class HostProcess:
    pid: int
    cmdline: bytes


def slot_processes(uid: int | None) -> list[HostProcess]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        found.append(HostProcess(int(entry), cmdline))
    return found


FORK_BOMB_PYTHON = """
import os
open('before.txt', 'w').write('written before the bomb')
while True:
    try:
        os.fork()
    except OSError:
        pass
"""


def test_infinite_loop_hits_the_wall_clock_and_files_are_still_collected(
    sandbox, tmp_path, quick, leftovers
):
    code = "open('before.txt', 'w').write('model saved'); print('training', flush=True)\nwhile True: pass"
    request = SandboxRequest(argv=("python", "-c", code), collect=("*.txt",), limits=quick)
    result = sandbox.run(request, tmp_path / "out")
    assert result.timed_out is True
    assert result.returncode is None
    assert result.killed_reason == "wall-clock timeout (2.5 s)"
    assert result.output == "training\n"
    assert result.collected["before.txt"].read_text() == "model saved"
    assert result.wall_seconds < quick.wall_seconds + 5
    assert leftovers() == []


def test_sleep_forever_hits_the_wall_clock(sandbox, tmp_path, quick, leftovers):
    request = SandboxRequest(
        argv=("sh", "-c", "mkdir -p artifacts && echo saved > artifacts/p1.pt && exec sleep 1000"),
        collect=("artifacts/*",),
        limits=quick,
    )
    result = sandbox.run(request, tmp_path / "out")
    assert result.timed_out is True
    assert result.collected["artifacts/p1.pt"].read_text() == "saved\n"
    assert result.cpu_seconds is None or result.cpu_seconds < 1
    assert leftovers() == []


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(("python", "-c", FORK_BOMB_PYTHON), id="python"),
        pytest.param(
            ("sh", "-c", "bomb() { bomb | bomb & }; echo x > before.txt; bomb; sleep 1000"),
            id="shell",
        ),
    ],
)
def test_fork_bomb_is_contained(sandbox, tmp_path, quick, leftovers, argv):
    limits = dataclasses.replace(quick, max_processes=128)
    result = sandbox.run(
        SandboxRequest(argv=argv, collect=("before.txt",), limits=limits), tmp_path / "out"
    )
    assert result.timed_out is True
    assert "before.txt" in result.collected
    assert leftovers() == []
    assert os.system("true") == 0  # the host can still start processes


def test_memory_bomb_is_stopped_by_the_address_space_limit(sandbox, tmp_path, quick, leftovers):
    limits = dataclasses.replace(quick, address_space_bytes=1 * 2**30, wall_seconds=20.0)
    code = "hog = []\nwhile True:\n    hog.append(b'x' * (64 * 2**20))"
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), limits=limits), tmp_path / "out"
    )
    assert result.returncode == 1
    assert "MemoryError" in result.output
    assert result.timed_out is False
    assert leftovers() == []


def test_output_flood_is_capped_and_stopped(sandbox, tmp_path, quick, leftovers):
    limits = dataclasses.replace(quick, output_bytes=64 * 2**10)
    code = "open('partial.txt', 'w').write('kept')\nwhile True:\n    print('x' * 1000)"
    request = SandboxRequest(argv=("python", "-c", code), collect=("partial.txt",), limits=limits)
    result = sandbox.run(request, tmp_path / "out")
    assert result.killed_reason == "output over 65536 bytes"
    assert result.returncode is None and result.timed_out is False
    assert len(result.output.encode()) == 64 * 2**10
    assert result.collected["partial.txt"].read_text() == "kept"
    assert result.wall_seconds < quick.wall_seconds
    assert leftovers() == []


def test_ten_gigabyte_file_is_stopped(sandbox, tmp_path, quick, leftovers):
    limits = dataclasses.replace(quick, max_file_bytes=32 * 2**20, work_tmpfs_bytes=64 * 2**20)
    script = (
        "head -c 10G /dev/zero > big.bin; echo head=$?; "
        "python -c \"open('big2.bin','wb').write(b'0' * (10 * 2**30))\" 2>&1 | tail -1; "
        "for i in 1 2 3; do head -c 30M /dev/zero > fill$i.bin; done; echo fill=$?; "
        "ls -l big.bin | cut -d' ' -f5"
    )
    free_before = shutil.disk_usage(tmp_path).free
    result = sandbox.run(SandboxRequest(argv=("sh", "-c", script), limits=limits), tmp_path / "out")
    lines = result.output.splitlines()
    assert "head=153" in lines  # 128 + SIGXFSZ: the file size limit
    assert any("MemoryError" in line or "File too large" in line for line in lines), lines
    assert "fill=1" in lines  # /work is full: its tmpfs is capped
    assert lines[-1] == str(32 * 2**20)
    assert abs(shutil.disk_usage(tmp_path).free - free_before) < 2**30
    assert leftovers() == []


def test_tmp_and_shm_are_capped(sandbox, tmp_path, quick):
    limits = dataclasses.replace(quick, tmp_tmpfs_bytes=8 * 2**20, shm_bytes=4 * 2**20)
    code = (
        "import json\n"
        "seen = {}\n"
        "for path, size in (('/tmp/fill', 16), ('/dev/shm/fill', 8)):\n"
        "    try:\n"
        "        open(path, 'wb').write(b'0' * (size * 2**20))\n"
        "        seen[path] = 'written'\n"
        "    except OSError as e:\n"
        "        seen[path] = e.strerror\n"
        "print(json.dumps(seen))"
    )
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), limits=limits), tmp_path / "out"
    )
    assert '"/tmp/fill": "No space left on device"' in result.output
    assert '"/dev/shm/fill": "No space left on device"' in result.output
    assert result.full_filesystems == ("/tmp", "/dev/shm")


def test_a_work_dir_filled_then_emptied_is_still_reported_full(sandbox, tmp_path, quick, leftovers):
    # Sampled while the command runs: deleting the files before the end hides nothing.
    limits = dataclasses.replace(quick, wall_seconds=5.0, work_tmpfs_bytes=8 * 2**20)
    script = "head -c 16M /dev/zero > fill; sleep 0.6; rm fill; exit 3"
    result = sandbox.run(SandboxRequest(argv=("sh", "-c", script), limits=limits), tmp_path / "out")
    assert result.returncode == 3
    assert result.full_filesystems == ("/work",)
    assert result.disk_quota_message(limits) == (
        "disk quota of the sandbox exceeded: /work (8 MiB) is full"
    )
    assert leftovers() == []


def test_a_run_with_room_left_reports_no_full_disk(sandbox, tmp_path, quick):
    result = sandbox.run(
        SandboxRequest(argv=("sh", "-c", "head -c 1M /dev/zero > some"), limits=quick),
        tmp_path / "out",
    )
    assert result.ok
    assert result.full_filesystems == ()


def test_many_small_files_are_collected_up_to_the_cap(sandbox, tmp_path, quick, leftovers):
    limits = dataclasses.replace(quick, wall_seconds=10.0, collect_files=500)
    code = "import os\nos.mkdir('many')\nfor i in range(20000):\n    open(f'many/{i:05d}.txt', 'w').write(str(i))"
    request = SandboxRequest(argv=("python", "-c", code), collect=("many/**",), limits=limits)
    result = sandbox.run(request, tmp_path / "out")
    assert result.returncode == 0, result.output
    assert len(result.collected) == 500
    assert len(list((tmp_path / "out" / "many").iterdir())) == 500
    assert any("over 500 files" in problem for problem in result.collect_problems)
    assert len(result.collect_problems) <= 51
    assert leftovers() == []


def test_daemon_left_behind_is_killed(sandbox, tmp_path, leftovers):
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        while True:\n"
        "            open('/work/heartbeat', 'a').write('.')\n"
        "            time.sleep(0.01)\n"
        "    os._exit(0)\n"
        "time.sleep(0.3)\n"
        "print('parent done')"
    )
    request = SandboxRequest(argv=("python", "-c", code), collect=("heartbeat",))
    result = sandbox.run(request, tmp_path / "out")
    assert result.returncode == 0 and result.output == "parent done\n"
    assert result.timed_out is False and result.wall_seconds < 5
    assert "heartbeat" in result.collected  # collected after the daemon was killed
    assert leftovers() == []


def test_segfault_is_reported(sandbox, tmp_path):
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", "import ctypes; ctypes.string_at(0)")),
        tmp_path / "out",
    )
    assert result.returncode == -11
    assert result.killed_reason == "killed by SIGSEGV (segmentation fault)"


def test_cpu_limit_is_reported(sandbox, tmp_path, quick):
    limits = dataclasses.replace(quick, cpu_seconds=1, wall_seconds=10.0)
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", "while True: pass"), limits=limits), tmp_path / "out"
    )
    assert result.returncode == -24
    assert result.killed_reason == "killed by SIGXCPU (CPU time limit of 1 s)"


def test_driver_killed_from_outside_is_reported_and_nothing_is_collected(
    sandbox, tmp_path, leftovers
):
    """If the driver dies (here: SIGKILL from the host), the result says so."""
    request = SandboxRequest(
        argv=("sh", "-c", "echo x > out.txt; echo started; exec sleep 1000"),
        collect=("out.txt",),
        limits=SandboxLimits(wall_seconds=30.0),
    )
    results = []
    runner = threading.Thread(target=lambda: results.append(sandbox.run(request, tmp_path / "out")))
    runner.start()
    driver_pid = None
    deadline = time.monotonic() + 10
    while driver_pid is None and time.monotonic() < deadline:
        processes = slot_processes(sandbox.uid)
        if any(process.cmdline.startswith(b"sleep") for process in processes):  # exec done
            driver_pid = next(
                process.pid
                for process in processes
                if process.cmdline.startswith(str(sandbox.kernel_env).encode())
                and b"inside.driver" in process.cmdline
            )
        time.sleep(0.05)
    assert driver_pid is not None
    time.sleep(0.3)
    os.kill(driver_pid, 9)
    runner.join(timeout=20)
    (result,) = results
    assert result.returncode is None
    assert result.killed_reason == "sandbox driver was killed"
    assert result.collected == {}
    assert leftovers() == []


def test_torch_imports_under_the_default_limits_with_the_allotted_threads(sandbox, tmp_path):
    code = (
        "import torch\n"
        "x = torch.nn.Conv2d(3, 8, 3)(torch.ones(1, 3, 8, 8))\n"
        "print(torch.get_num_threads(), tuple(x.shape))"
    )
    result = sandbox.run(SandboxRequest(argv=("python", "-c", code)), tmp_path / "out")
    assert result.returncode == 0, result.output
    assert result.output == "1 (1, 8, 6, 6)\n"


def test_two_slots_run_at_once(kernel_env, tmp_path, leftovers):
    from grader.sandbox import Sandbox

    results = {}

    def run(slot: int) -> None:
        code = "import os, time; start = time.time(); time.sleep(0.5); print(os.getuid(), start, time.time())"
        request = SandboxRequest(argv=("python", "-c", code))
        results[slot] = Sandbox(kernel_env=kernel_env, slot=slot).run(
            request, tmp_path / f"out{slot}"
        )

    threads = [threading.Thread(target=run, args=(slot,)) for slot in (9, 10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {slot: result.returncode for slot, result in results.items()} == {9: 0, 10: 0}
    (uid9, start9, end9), (uid10, start10, end10) = (
        results[slot].output.split() for slot in (9, 10)
    )
    assert float(start9) < float(end10) and float(start10) < float(end9)  # they overlapped
    if os.geteuid() == 0:
        assert uid9 != uid10  # one uid per slot
    assert leftovers() == []
