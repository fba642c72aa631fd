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
from grader.sandbox.mount_stage import main as mount_stage_main
from grader.sandbox.process import LaunchOutcome, launch
from grader.sandbox.runner import STAGING_REFUSED
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
def test_mount_below_a_private_directory_is_staged_by_the_grader_and_stays_read_only(
    sandbox, tmp_path
):
    tmp_path.chmod(0o700)  # the sandbox uid cannot traverse it: the grader opens the mount
    (tmp_path / "data").mkdir(mode=0o755)
    (tmp_path / "data" / "train.csv").write_text("x,y\n")
    (tmp_path / "data" / "train.csv").chmod(0o644)
    code = (
        "import os\n"
        "print(open('/data/train.csv').read().strip())\n"
        "try:\n    open('/data/new.csv', 'w')\nexcept OSError as e:\n    print(e.strerror)\n"
        f"print(os.path.exists({str(tmp_path)!r}))"
    )
    request = SandboxRequest(
        argv=("python", "-c", code), mounts=(ReadOnlyMount(tmp_path / "data", "/data"),)
    )
    result = sandbox.run(request, tmp_path / "out")
    assert result.ok, result.killed_reason
    assert result.output.splitlines() == ["x,y", "Read-only file system", "False"]
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["train.csv"]


@needs_root
def test_mount_that_is_itself_private_is_refused(sandbox, tmp_path):
    (tmp_path / "data").mkdir(mode=0o700)
    request = SandboxRequest(argv=("true",), mounts=(ReadOnlyMount(tmp_path / "data", "/data"),))
    with pytest.raises(SandboxUnavailable) as raised:
        sandbox.run(request, tmp_path / "out")
    assert raised.value.path == str(tmp_path / "data")
    assert raised.value.message == (
        "cannot mount it at /data: it is mode 0700: the sandbox uid cannot read it "
        "(only the folders above it may be private)"
    )


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


def test_a_refused_mount_namespace_says_what_to_do(sandbox):
    outcome = LaunchOutcome(
        output=b"",
        stderr=b"mount staging failed: [Errno 1] unshare: Operation not permitted\n",
        status=[],
        host_killed_reason=None,
        host_timed_out=False,
        exit_code=1,
        wall_seconds=0.1,
        receiver=CollectReceiver(Path(os.devnull), max_bytes=0, max_files=0),
    )
    with pytest.raises(SandboxUnavailable) as raised:
        sandbox._raise_if_not_started(outcome)
    assert raised.value.message == (
        "the sandbox could not start: mount staging failed: [Errno 1] unshare: Operation not permitted"
    )
    assert raised.value.hint == STAGING_REFUSED


def test_the_staging_helper_refuses_to_stay_root_before_touching_anything(capsys):
    spec = '{"uid": 0, "gid": 0, "fds": [], "paths": []}'
    assert mount_stage_main([spec, "--", "/bin/true"]) == 1
    assert capsys.readouterr().err == (
        "mount staging failed: the helper needs an unprivileged uid and gid\n"
    )
