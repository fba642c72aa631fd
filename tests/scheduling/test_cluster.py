"""Dask scheduling as the grader uses it: results delivered once, a SIGKILLed worker's task
retried elsewhere, and a lost worker's sandbox torn down with it."""

import os
import signal
import tempfile
import time
from pathlib import Path

import pytest

from grader.sandbox import Sandbox, SandboxLimits, SandboxRequest, default_kernel_env
from grader.scheduling import ClusterOptions, open_client, run_tasks, worker_slot

pytestmark = pytest.mark.sandbox  # local Dask clusters, and a sandbox on one of their workers

SANDBOX_UIDS = range(61000, 61064)


def square(n: int) -> int:
    return n * n


def die_once_then_answer(marker: str) -> str:
    """The first attempt SIGKILLs its own worker (as a crash or OOM kill would)."""
    path = Path(marker)
    if not path.exists():
        path.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return f"answered by {os.getpid()}"


def sandboxed_sleep(out_dir: str) -> str:
    sandbox = Sandbox(kernel_env=default_kernel_env(), slot=worker_slot())
    request = SandboxRequest(argv=("sleep", "300"), limits=SandboxLimits(wall_seconds=120))
    sandbox.run(request, Path(out_dir))
    return "finished"


def processes_of_sandbox_uids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in SANDBOX_UIDS:
                    found.append(int(entry.name))
            except FileNotFoundError:
                pass
    return found


def test_results_are_delivered_once_each():
    delivered: list[tuple[int, int]] = []
    with open_client(ClusterOptions(workers=2)) as client:
        run_tasks(
            client, square, list(range(6)), key_of=lambda n: f"square-{n}",
            on_result=lambda n, r: delivered.append((n, r)), on_failure=lambda n, e: pytest.fail(str(e)),
        )  # fmt: skip
    assert sorted(delivered) == [(n, n * n) for n in range(6)]


def test_sigkilled_worker_task_is_retried_and_delivered_once(tmp_path):
    marker = tmp_path / "first-attempt"
    delivered: list[str] = []
    failures: list[BaseException] = []
    with open_client(ClusterOptions(workers=2)) as client:
        run_tasks(
            client, die_once_then_answer, [str(marker)], key_of=lambda _m: "die-once",
            on_result=lambda _m, r: delivered.append(r), on_failure=lambda _m, e: failures.append(e),
            retries=2,
        )  # fmt: skip
    assert failures == []
    assert len(delivered) == 1
    assert (
        delivered[0] != f"answered by {marker.read_text()}"
    )  # a different worker process answered


def test_lost_worker_takes_its_sandbox_down():
    out_dir = tempfile.mkdtemp(prefix="hw-grader-sched-")
    with open_client(ClusterOptions(workers=1)) as client:
        future = client.submit(sandboxed_sleep, out_dir, key="sleeper", pure=False, retries=0)
        deadline = time.monotonic() + 60
        while not processes_of_sandbox_uids() and time.monotonic() < deadline:
            time.sleep(0.2)
        sandboxed = processes_of_sandbox_uids()
        assert sandboxed, "the sandboxed sleep never started"
        for pid in client.run(os.getpid).values():
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while set(sandboxed) & set(processes_of_sandbox_uids()) and time.monotonic() < deadline:
            time.sleep(0.2)
        # bwrap --die-with-parent: nothing of that sandbox outlives its worker. (Dask may
        # already have restarted the task on the nanny's new worker: a new sandbox.)
        assert set(sandboxed) & set(processes_of_sandbox_uids()) == set()
        future.cancel()
    deadline = time.monotonic() + 20
    while processes_of_sandbox_uids() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_of_sandbox_uids() == []  # closing the cluster ends every sandbox it started


def test_the_local_cluster_speaks_tls_and_refuses_a_stranger():
    """Issue #19: its workers run as this user and take pickled tasks; another local user who
    reaches the port must not be able to send any."""
    from distributed import Client
    from distributed.security import Security

    with open_client(ClusterOptions(workers=1)) as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        assert client.submit(lambda x: x + 1, 1, pure=False).result(timeout=30) == 2
        for attempt in (
            lambda: Client(address.replace("tls://", "tcp://"), timeout=3),
            lambda: Client(address, timeout=3, security=Security.temporary()),  # its own keys
        ):
            with pytest.raises((OSError, TypeError, ValueError)):
                stranger = attempt()
                stranger.close()


def test_a_scheduler_tls_file_is_read_or_refused_in_one_line(tmp_path):
    from grader.scheduling.cluster import ClusterError, read_security_file

    for name in ("ca.pem", "client.pem", "client.key"):
        (tmp_path / name).write_text("-----BEGIN-----\n")
    good = tmp_path / "security.toml"
    good.write_text('ca_file = "ca.pem"\ncert = "client.pem"\nkey = "client.key"\n')
    security = read_security_file(good)
    assert security.require_encryption and security.tls_ca_file == str(tmp_path / "ca.pem")
    bad = tmp_path / "bad.toml"
    bad.write_text('ca_file = "ca.pem"\n')
    with pytest.raises(ClusterError) as raised:
        read_security_file(bad)
    assert raised.value.one_line() == (
        f"{bad}: the scheduler security file lacks cert, key (fix: write ca_file = "
        '"ca.pem", cert = "client.pem", key = "client.key")'
    )
