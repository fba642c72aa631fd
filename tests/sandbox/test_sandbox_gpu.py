"""--gpu: which device nodes go into the sandbox, and the clear line when there is no GPU.
Testable without a GPU: the device check takes the names of /dev as a list."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.sandbox import SandboxLimits, SandboxRequest
from grader.sandbox.bwrap import bwrap_argv
from grader.sandbox.gpu import NO_GPU, cuda_device_nodes

A_GPU_MACHINE = [
    "null", "zero", "nvidia1", "nvidia0", "nvidia10", "nvidiactl", "nvidia-uvm",
    "nvidia-uvm-tools", "nvidia-caps", "sda", "kvm",
]  # fmt: skip


def test_the_gpu_nodes_and_their_control_nodes_are_chosen_and_nothing_else():
    assert cuda_device_nodes(A_GPU_MACHINE) == (
        "/dev/nvidia0",
        "/dev/nvidia1",
        "/dev/nvidia10",
        "/dev/nvidiactl",
        "/dev/nvidia-uvm",
        "/dev/nvidia-uvm-tools",
    )


@pytest.mark.parametrize(
    "entries",
    [["null", "zero", "sda"], ["nvidiactl", "nvidia-uvm"], ["nvidia0"]],
    ids=["no-nvidia", "control-without-gpu", "gpu-without-control"],
)
def test_without_a_gpu_and_its_control_node_nothing_is_passed(entries):
    assert cuda_device_nodes(entries) == ()
    assert NO_GPU.startswith("--gpu: no CUDA device on this machine")


def _argv(devices: tuple[str, ...] = ()) -> list[str]:
    return bwrap_argv(
        "bwrap",
        kernel_env=Path("/opt/env"),
        limits=SandboxLimits(),
        mounts=(),
        data_fds={},
        info_fd=9,
        command=["python"],
        devices=devices,
    )


def test_the_nodes_are_bound_into_the_sandboxs_own_dev_after_it_is_made():
    argv = _argv(cuda_device_nodes(A_GPU_MACHINE)[:2])
    dev = argv.index("--dev")
    assert argv[dev : dev + 8] == [
        "--dev", "/dev",
        "--dev-bind", "/dev/nvidia0", "/dev/nvidia0",
        "--dev-bind", "/dev/nvidia1", "/dev/nvidia1",
    ]  # fmt: skip
    assert "--dev-bind" not in _argv()


def test_a_request_takes_only_device_paths():
    with pytest.raises(ValueError, match="under /dev"):
        SandboxRequest(argv=("python",), devices=("/etc/shadow",))
    with pytest.raises(ValueError, match="under /dev"):
        SandboxRequest(argv=("python",), devices=("/dev/../etc/shadow",))


def test_grade_with_gpu_on_a_machine_without_one_says_so_in_one_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import grader.service.grading as grading
    from grader.cli.app import app

    monkeypatch.setattr(grading, "host_cuda_devices", lambda: ())
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    args = [
        "grade",
        str(tmp_path / "subs"),
        "--rubric",
        "rubrics/hw4.toml",
        "--db",
        str(tmp_path / "g.sqlite"),
        "--no-reports",
    ]
    result = CliRunner().invoke(app, [*args, "--only", "notebooks", "--gpu"])
    lines = result.stderr.splitlines() if result.stderr_bytes else result.output.splitlines()
    assert f"warning: {NO_GPU}" in lines
