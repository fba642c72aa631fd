"""Host-side decisions without running code: statuses from sandbox results, artifacts, refusal."""

from __future__ import annotations

from grader.notebooks.execute import classify, collected_artifacts, execute_notebook
from grader.notebooks.untrusted import InsideStatus
from grader.sandbox import Sandbox, SandboxLimits, SandboxResult
from tests.notebooks.conftest import write_notebook


def sandbox_result(**changes) -> SandboxResult:
    fields = {
        "returncode": 0,
        "timed_out": False,
        "killed_reason": None,
        "output": "",
        "collected": {},
        "collect_problems": (),
        "wall_seconds": 1.0,
    }
    return SandboxResult(**{**fields, **changes})


def test_no_status_file_is_a_sandbox_error_that_quotes_the_last_output():
    result = sandbox_result(returncode=1, output="boot\n/python: No module named grader\n")
    status, message, cell = classify(result, None, "no status file came back", None, 10)
    assert (status, cell) == ("sandbox_error", None)
    assert message == (
        "the notebook runner left no usable status (no status file came back, exit code 1)"
        "; last output: /python: No module named grader"
    )


def test_a_sandbox_kill_names_the_running_cell_and_the_reason():
    result = sandbox_result(returncode=None, killed_reason="output over 1048576 bytes")
    running = InsideStatus(finished=False, cells_total=3, cells_run=1, running_cell=2)
    status, message, cell = classify(result, running, None, None, 10)
    assert (status, cell) == ("killed", 2)
    assert message == "the notebook was stopped in cell 3: output over 1048576 bytes"


def test_a_forged_ok_status_does_not_hide_a_nonzero_exit():
    forged = InsideStatus(finished=True, cells_total=2, cells_run=2)
    status, _, _ = classify(sandbox_result(returncode=1), forged, None, None, 10)
    assert status == "killed"


def test_a_full_disk_is_the_disk_quota_not_an_early_end():
    result = sandbox_result(returncode=1, full_filesystems=("/work", "/dev/shm"))
    quota = result.disk_quota_message(SandboxLimits(work_tmpfs_bytes=2**30, shm_bytes=2**26))
    assert quota == (
        "disk quota of the sandbox exceeded: /work (1024 MiB) and /dev/shm (64 MiB) are full"
    )
    stale = InsideStatus(finished=False, cells_total=3, cells_run=1, running_cell=1)
    status, message, cell = classify(result, stale, None, None, 10, quota=quota)
    assert (status, cell) == ("killed", 1)
    assert message == f"{quota} in cell 2"


def test_a_notebook_that_ended_well_on_a_full_disk_is_still_ok():
    result = sandbox_result(full_filesystems=("/work",))
    assert result.disk_quota_message(SandboxLimits()) == (
        "disk quota of the sandbox exceeded: /work (2048 MiB) is full"
    )
    done = InsideStatus(finished=True, cells_total=2, cells_run=2, seconds=1.0)
    status, message, _ = classify(result, done, None, None, 10, quota="disk quota ...")
    assert status == "ok"
    assert message == "ran 2 of 2 code cells in 1.0 s"
    assert sandbox_result().disk_quota_message(SandboxLimits()) is None


def test_only_regular_files_named_artifacts_id_pt_are_models(tmp_path):
    (tmp_path / "a.pt").write_bytes(b"m")
    (tmp_path / "link.pt").symlink_to(tmp_path / "a.pt")
    collected = {
        "artifacts/p1.scratch.pt": tmp_path / "a.pt",
        "artifacts/p1.transfer.pt": tmp_path / "link.pt",
        "artifacts/sub/p2.baseline.pt": tmp_path / "a.pt",
        "artifacts/.hidden.pt": tmp_path / "a.pt",
        ".grader/status-x.json": tmp_path / "a.pt",
    }
    assert collected_artifacts(collected) == {"p1.scratch": tmp_path / "a.pt"}


def test_without_a_usable_sandbox_nothing_runs_and_the_run_says_why(tmp_path):
    notebook = write_notebook(tmp_path / "submission", "p1_cats_dogs.ipynb", "print('hi')")
    run = execute_notebook(
        notebook,
        submission_dir=tmp_path / "submission",
        sandbox=Sandbox(kernel_env=tmp_path / "no-such-env"),
        data_mount=None,
        limits=SandboxLimits(),
        cell_timeout=10,
        out_dir=tmp_path / "out",
    )
    assert run.status == "sandbox_error"
    assert run.message.startswith("not run: ")
    assert "no-such-env" in run.message
    assert run.executed_notebook is None and run.artifacts == {}
