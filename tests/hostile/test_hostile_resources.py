"""Hostile notebooks that try to exhaust the machine: processes, memory, time, output, disk,
and an interpreter crash. Each is stopped with the right status, and nothing of it survives."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell

from tests.hostile.conftest import PROBE_HELPERS, QUICK_LIMITS, cell_text, reported

SAVE_PLACEHOLDER_ARTIFACT = (
    "import os\nos.makedirs('artifacts', exist_ok=True)\n"
    "with open('artifacts/p1.scratch.pt', 'wb') as f:\n    f.write(b'saved before the attack')"
)


def test_python_fork_bomb_is_capped_and_timed_out_and_every_process_is_gone(run_notebook, host):
    run = run_notebook(
        SAVE_PLACEHOLDER_ARTIFACT,
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
        "print('never runs')",
        cell_timeout=1,
    )
    assert run.status == "timeout", run.message
    # 64 processes spinning on 2 cores may starve the SIGALRM handler: the watchdog then stops it.
    assert re.fullmatch(r"cell 2( \(In \[2\]\))? ran past its 1 s timeout", run.message)
    assert (run.failed_cell, run.error_name) == (1, "CellTimeout")
    assert run.artifacts["p1.scratch"].read_bytes() == b"saved before the attack"
    assert cell_text(run, 2) == ""
    host.assert_clean()


def test_shell_fork_bomb_hits_the_process_limit_and_is_killed_with_the_sandbox(run_notebook, host):
    run = run_notebook(
        "import subprocess\nsubprocess.Popen(['bash', '-c', ':(){ :|:& };:'], start_new_session=True)",
        "import os, time\ntime.sleep(0.5)\n"
        "print('processes', sum(name.isdigit() for name in os.listdir('/proc')))",
    )
    # The bomb detaches into the background and saturates RLIMIT_NPROC (64 here); the notebook
    # goes on and finishes; then the driver kills the whole namespace, bomb included.
    assert run.status == "ok", run.message
    processes = int(cell_text(run, 1).split()[-1])
    assert 16 < processes <= QUICK_LIMITS.max_processes  # the bomb was alive, and capped
    host.assert_clean()


def test_memory_bomb_gets_a_memory_error_from_the_address_space_limit(run_notebook, host):
    run = run_notebook(
        "hoard = []\nwhile True:\n    hoard.append(bytearray(128 * 2**20))",
        "print('never runs')",
    )
    assert run.status == "error", run.message
    assert run.message == "cell 1 (In [1]) failed: MemoryError"
    assert (run.failed_cell, run.error_name) == (0, "MemoryError")
    host.assert_clean()


@pytest.mark.parametrize(
    ("payload", "message", "wall_seconds"),
    [
        pytest.param(
            "while True:\n    pass",
            "cell 2 (In [2]) ran past its 1 s timeout",
            8,
            id="infinite-loop",
        ),
        pytest.param(
            "import time\ntime.sleep(10**9)",
            "cell 2 (In [2]) ran past its 1 s timeout",
            8,
            id="sleep-forever",
        ),
        pytest.param(  # the per-cell alarm is ignored: the runner's watchdog thread steps in
            "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(10**9)",
            "cell 2 ran past its 1 s timeout",
            8,
            id="sleep-forever-ignoring-the-alarm",
        ),
        pytest.param(  # ... and the watchdog disarmed too: the sandbox's own wall clock ends it
            "import os, signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
            "os._exit = lambda code: None\ntime.sleep(10**9)",
            "the notebook ran past its time limit in cell 2",
            4,
            id="sleep-forever-disarming-the-runner",
        ),
        pytest.param(  # a stopped process handles no alarm at all: the wall clock again
            "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)",
            "the notebook ran past its time limit in cell 2",
            3,
            id="stopped-by-its-own-sigstop",
        ),
    ],
)
def test_code_that_never_ends_times_out_and_keeps_what_was_saved_before(
    run_notebook, host, payload, message, wall_seconds
):
    run = run_notebook(
        SAVE_PLACEHOLDER_ARTIFACT,
        payload,
        "print('never runs')",
        cell_timeout=1,
        limits=replace(QUICK_LIMITS, wall_seconds=wall_seconds),
    )
    assert run.status == "timeout", run.message
    assert run.message == message
    assert run.failed_cell == 1
    assert run.artifacts["p1.scratch"].read_bytes() == b"saved before the attack"
    assert cell_text(run, 2) == ""
    host.assert_clean()


@pytest.mark.parametrize(
    "flood",
    [
        pytest.param("while True:\n    print('spam ' * 200)", id="print"),
        pytest.param("import sys\nwhile True:\n    sys.stderr.write('x' * 65536)", id="stderr"),
        pytest.param("!yes", id="shell"),
    ],
)
def test_output_flood_into_the_notebook_is_capped_and_stopped_by_the_cell_timeout(
    run_notebook, host, flood
):
    run = run_notebook(flood, "print('never runs')", cell_timeout=1, output_cap=16 * 1024)
    assert run.status == "timeout", run.message
    assert run.message == "cell 1 (In [1]) ran past its 1 s timeout"
    assert run.executed_notebook_path is not None
    assert run.executed_notebook_path.stat().st_size < 64 * 1024  # the 16 KiB cap plus markup
    assert "omitted by the grader" in cell_text(run, 0)
    host.assert_clean()


def test_output_flood_on_the_raw_descriptor_is_cut_at_the_sandbox_cap_and_killed(
    run_notebook, host
):
    run = run_notebook("import os\nwhile True:\n    os.write(1, b'y' * 65536)", "print('never')")
    assert run.status == "killed", run.message
    cap = QUICK_LIMITS.output_bytes
    assert run.message == f"the notebook was stopped in cell 1: output over {cap} bytes"
    assert run.failed_cell == 0
    assert len(run.output_tail) <= 4000
    assert run.executed_notebook_path is not None
    assert run.executed_notebook_path.stat().st_size < 16 * 1024
    host.assert_clean()


def test_ten_gigabyte_file_is_refused_by_the_file_size_limit_and_the_disk_by_its_size(
    run_notebook, host, tmp_path
):
    run = run_notebook(
        PROBE_HELPERS
        + """
def write_ten_gigabytes(name):
    with open(name, "wb") as out:
        for _ in range(10 * 1024):
            out.write(bytes(2**20))

def sparse_ten_gigabytes(name):
    open(name, "wb").close()
    os.truncate(name, 10 * 2**30)

def fill_the_disk():
    try:
        for index in range(1000):  # files under the size limit, until the tmpfs is full
            with open(f"part{index}", "wb") as out:
                out.write(bytes(32 * 2**20))
    finally:  # leave room for the runner's own files: a full /work ends the run early
        for index in range(1000):
            if os.path.exists(f"part{index}"):
                os.remove(f"part{index}")

report("DISK", {
    "10 GB in /work": attempt(lambda: write_ten_gigabytes("big")),
    "10 GB in /tmp": attempt(lambda: write_ten_gigabytes("/tmp/big")),
    "10 GB in /dev/shm": attempt(lambda: write_ten_gigabytes("/dev/shm/big")),
    "sparse 10 GB": attempt(lambda: sparse_ten_gigabytes("sparse")),
    "fill /work": attempt(fill_the_disk),
})
""",
    )
    assert run.status == "ok", run.message
    assert reported(run, "DISK") == {
        "10 GB in /work": "EFBIG",  # RLIMIT_FSIZE (64 MiB here)
        "10 GB in /tmp": "ENOSPC",  # /tmp is a 32 MiB tmpfs here
        "10 GB in /dev/shm": "ENOSPC",  # /dev/shm is a 16 MiB tmpfs here
        "sparse 10 GB": "EFBIG",
        "fill /work": "ENOSPC",  # /work is a 128 MiB tmpfs here
    }
    out_bytes = sum(path.stat().st_size for path in (tmp_path / "out").rglob("*") if path.is_file())
    assert out_bytes < 1 * 2**20  # nothing big came out to the host
    host.assert_clean()


def test_segfault_is_reported_as_killed_and_keeps_what_was_saved_before(run_notebook, host):
    run = run_notebook(SAVE_PLACEHOLDER_ARTIFACT, "import ctypes\nctypes.string_at(0)", "1")
    assert run.status == "killed", run.message
    assert (
        run.message == "the notebook was stopped in cell 2: killed by SIGSEGV (segmentation fault)"
    )
    assert run.failed_cell == 1
    assert set(run.artifacts) == {"p1.scratch"}
    host.assert_clean()


FILL_WORK = """
def fill_work():
    for index in range(1000):  # files under the size limit, until the tmpfs is full
        with open(f"part{index}", "wb") as out:
            out.write(bytes(32 * 2**20))
"""


def test_a_cell_that_fills_work_is_blamed_on_the_disk_quota(run_notebook, host):
    run = run_notebook(SAVE_PLACEHOLDER_ARTIFACT, FILL_WORK + "fill_work()", "print('never')")
    assert run.status == "killed", run.message
    # The executed notebook could not be saved on the full disk: no "(In [2])" to show.
    assert run.message == "disk quota of the sandbox exceeded: /work (128 MiB) is full in cell 2"
    assert run.failed_cell == 1  # the runner's last status, saved before the disk was full
    assert sorted(run.artifacts) == ["p1.scratch"]  # what was saved before still comes out
    host.assert_clean()


def test_a_notebook_that_fills_work_so_the_runner_cannot_save_is_not_ended_early(
    run_notebook, host
):
    # The student swallows ENOSPC; then the runner's own status file cannot be written and
    # it dies: that is the student's full disk, not "the notebook process ended early".
    swallow = FILL_WORK + "try:\n    fill_work()\nexcept OSError:\n    pass"
    run = run_notebook("x = 1", swallow, "print('never')")
    assert run.status == "killed", run.message
    assert run.message.startswith("disk quota of the sandbox exceeded: /work (128 MiB) is full")
    assert "ended early" not in run.message
    host.assert_clean()


def test_filling_tmp_in_a_failing_cell_names_tmp(run_notebook, host):
    run = run_notebook(
        "with open('/tmp/fill', 'wb') as out:\n    out.write(bytes(64 * 2**20))", "print('never')"
    )
    assert run.status == "killed", run.message
    assert run.message == (
        "disk quota of the sandbox exceeded: /tmp (32 MiB) is full in cell 1 (In [1])"
    )
    host.assert_clean()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param(  # the runner's watchdog still saves the state, but cannot exit
            "import os, signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
            "os._exit = lambda code: None\ntime.sleep(10**9)",
            "cell 2 ran past its 1 s timeout",
            id="alarm-ignored-and-exit-disarmed",
        ),
        pytest.param(  # nothing of the runner is left: only the driver, outside, stops it
            "import os, signal, threading\n"
            "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
            "for thread in threading.enumerate():\n"
            "    if thread.name == 'cell-watchdog':\n"
            "        thread._on_expire = lambda: None\n"
            "os.close(3)  # the progress fd: closing it keeps the last deadline\n"
            "while True:\n    pass",
            "cell 2 ran past its 1 s timeout (stopped from outside the notebook's process)",
            id="alarm-ignored-watchdog-replaced-progress-fd-closed",
        ),
    ],
)
def test_the_cell_timeout_is_kept_from_outside_when_the_cell_defeats_the_runner(
    run_notebook, host, payload, message
):
    # The notebook's wall clock (20 s) is far away: only the driver's per-cell deadline
    # (1 s + 5 s of slack, outside the kernel's process) can stop this cell in time.
    run = run_notebook(
        SAVE_PLACEHOLDER_ARTIFACT,
        payload,
        "print('never runs')",
        cell_timeout=1,
        limits=replace(QUICK_LIMITS, wall_seconds=20, cpu_seconds=60),
    )
    assert run.status == "timeout", run.message
    assert run.message == message
    assert run.failed_cell == 1
    assert run.wall_seconds < 12
    assert run.artifacts["p1.scratch"].read_bytes() == b"saved before the attack"
    host.assert_clean()


FORGE_STEPS = """\
import gc, os, signal, threading, time
signal.signal(signal.SIGALRM, signal.SIG_IGN)
for thread in threading.enumerate():
    if thread.name == 'cell-watchdog':
        thread._on_expire = lambda: None
[progress] = [o for o in gc.get_objects() if type(o).__name__ == 'Progress']
step = 100
while True:  # announce a new cell every half second, to push the outside deadline on
    step += 1
    os.write(progress.fd, f"start {step}\\n".encode())
    time.sleep(0.5)
"""


def test_forged_cell_announcements_and_markdown_cells_add_no_time(run_notebook, host):
    """Issue #19: the step clock trusted what a cell wrote on its progress fd, and counted
    markdown cells as steps, so a cell could run for (all cells) × its timeout. Now the
    notebook's 3 code cells get 3 × (1 + 5) s in all, whatever the cell writes."""

    def forty_markdown_cells(submission: Path) -> None:
        path = submission / "p1_cats_dogs.ipynb"
        notebook = nbformat.read(path, as_version=4)
        notebook.cells += [new_markdown_cell(f"note {n}") for n in range(40)]
        nbformat.write(notebook, path)

    run = run_notebook(
        SAVE_PLACEHOLDER_ARTIFACT,
        FORGE_STEPS,
        "print('never runs')",
        cell_timeout=1,
        limits=replace(QUICK_LIMITS, wall_seconds=90, cpu_seconds=120),
        prepare=forty_markdown_cells,
    )
    assert run.status == "timeout", run.message
    assert run.wall_seconds < 3 * 6 + 6  # not the 90 s wall clock
    assert re.fullmatch(
        r"the notebook's cells ran past their time in cell 2: a cell announced a cell 1\d\d the "
        r"notebook does not have \(stopped from outside the notebook's process\)",
        run.message,
    ), run.message
    assert run.artifacts["p1.scratch"].read_bytes() == b"saved before the attack"
    host.assert_clean()
