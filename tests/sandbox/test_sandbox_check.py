"""Refusing to run when the sandbox cannot be set up; the explicit unsandboxed mode; host backstops."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from grader.sandbox import (
    ReadOnlyMount,
    Sandbox,
    SandboxLimits,
    SandboxRequest,
    SandboxUnavailable,
    check_sandbox,
)
from grader.sandbox.process import launch
from grader.sandbox.transfer import CollectReceiver

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="uid switching only happens as root")


def test_check_passes_here(kernel_env):
    check = check_sandbox(kernel_env)
    assert check.ok, check.message
    assert check.message.startswith("sandbox ready: bubblewrap")


def test_missing_kernel_env_is_refused_with_a_hint(tmp_path):
    missing = tmp_path / "kernel-env"
    check = check_sandbox(missing)
    assert not check.ok
    assert check.message == f"the kernel environment {missing} is missing"
    assert "make kernel-env" in check.hint
    with pytest.raises(SandboxUnavailable) as raised:
        Sandbox(kernel_env=missing).run(SandboxRequest(argv=("true",)), tmp_path / "out")
    assert "make kernel-env" in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_missing_bubblewrap_is_refused_with_a_hint(kernel_env, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    check = check_sandbox(kernel_env)
    assert (check.ok, check.message) == (False, "bubblewrap (bwrap) is not installed")
    assert "apt-get install -y bubblewrap" in check.hint
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        Sandbox(kernel_env=kernel_env).run(SandboxRequest(argv=("true",)), tmp_path / "out")


def fake_kernel_env(root: Path, home: str) -> Path:
    env = root / "kernel-env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to("/usr/bin/python3.11")
    (env / "pyvenv.cfg").write_text(f"home = {home}\nversion = 3.11.2\n")
    return env


@needs_root
def test_kernel_env_the_sandbox_uid_cannot_read_is_refused(tmp_path):
    tmp_path.chmod(0o700)
    check = check_sandbox(fake_kernel_env(tmp_path, "/usr/bin"))
    assert not check.ok
    assert "not readable by other users" in check.message
    assert "make kernel-env" in check.hint


def test_kernel_env_on_a_python_outside_usr_is_refused(public_dir):
    check = check_sandbox(fake_kernel_env(public_dir, "/root/.pyenv/versions/3.11.9/bin"))
    assert not check.ok
    assert "/root/.pyenv" in check.message


@needs_root
def test_mount_from_a_private_directory_is_refused(sandbox, tmp_path):
    tmp_path.chmod(0o700)
    (tmp_path / "data").mkdir()
    request = SandboxRequest(argv=("true",), mounts=(ReadOnlyMount(tmp_path / "data", "/data"),))
    with pytest.raises(SandboxUnavailable) as raised:
        sandbox.run(request, tmp_path / "out")
    assert raised.value.path == str(tmp_path / "data")
    assert "not readable by other users" in raised.value.message


def test_self_check_notices_what_it_should(sandbox):
    problems = sandbox.self_check(absent_paths=["/usr/bin"], read_only_paths=["/work", "/usr"])
    assert problems == ["can read /usr/bin", "can write to /work"]


def test_unsandboxed_mode_is_explicit_loud_and_still_cleans_up(kernel_env, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="grader.sandbox.runner")
    daemon = f"4242.{os.getpid()}"  # a sleep nobody else runs
    sandbox = Sandbox(kernel_env=kernel_env, unsandboxed=True)
    request = SandboxRequest(
        argv=("sh", "-c", f"echo kept > kept.txt; (setsid sleep {daemon} &); sleep 1000"),
        collect=("kept.txt",),
        limits=SandboxLimits(wall_seconds=1.5),
    )
    result = sandbox.run(request, tmp_path / "out")
    assert result.sandboxed is False
    assert result.timed_out is True
    assert result.collected["kept.txt"].read_text() == "kept\n"
    assert "WITHOUT the sandbox" in caplog.text
    wanted = f"sleep\0{daemon}\0".encode()
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline(pid) == wanted]


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["sleep", "100"], "wall-clock timeout (0.5 s): the sandbox was stopped from outside"),
        (["sh", "-c", "yes"], "output over 10000 bytes: the sandbox was stopped from outside"),
    ],
    ids=["wall-clock", "output"],
)
def test_host_backstop_stops_a_sandbox_that_does_not_stop_itself(tmp_path, argv, reason):
    receiver = CollectReceiver(tmp_path / "out", max_bytes=100, max_files=1)
    started = time.monotonic()
    outcome = launch(
        build_argv=lambda fds: argv,
        data_files={},
        stdin=None,
        uid=None,
        receiver=receiver,
        output_cap=10_000,
        backstop_seconds=1.0,
        wall_label=0.5,
        namespaced=False,
    )
    assert outcome.host_killed_reason == reason
    assert len(outcome.output) <= 10_000
    assert outcome.exit_code == -9
    assert time.monotonic() - started < 4
    assert receiver.collected == {}


def test_mount_that_does_not_exist_is_refused(sandbox, tmp_path):
    request = SandboxRequest(argv=("true",), mounts=(ReadOnlyMount(tmp_path / "nope", "/data"),))
    with pytest.raises(SandboxUnavailable, match="it does not exist"):
        sandbox.run(request, tmp_path / "out")
