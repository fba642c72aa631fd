"""Fixtures for the sandbox tests: a real bubblewrap sandbox, and checks of host state.

These tests FAIL (never skip) when the sandbox cannot be set up: `make test`
installs bubblewrap and builds the kernel environment first.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.sandbox import Sandbox, SandboxLimits
from grader.sandbox.bwrap import BASE_UID
from tests.fixtures.sandbox_env import usable_kernel_env

#: A slot of its own, so that a grading run elsewhere on the machine is never counted.
TEST_SLOT = 9


def slot_uid() -> int:
    return BASE_UID + TEST_SLOT if os.geteuid() == 0 else os.getuid()


def processes_of(uid: int) -> list[str]:
    """`pid name` of every live (non-zombie) process whose real uid is uid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            found.append(f"{entry} {fields['Name'].strip()}")
    return found


def wait_for_no_processes(uid: int, timeout: float = 5.0) -> list[str]:
    """Teardown is asynchronous: poll until nothing of uid is left (or give up)."""
    deadline = time.monotonic() + timeout
    while (left := processes_of(uid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def kernel_env() -> Path:
    return usable_kernel_env(TEST_SLOT)


@pytest.fixture
def sandbox(kernel_env: Path) -> Iterator[Sandbox]:
    """A sandbox in the test slot; asserts afterwards that no process of its uid is left."""
    yield Sandbox(kernel_env=kernel_env, slot=TEST_SLOT)
    if os.geteuid() == 0:
        assert wait_for_no_processes(slot_uid()) == []


@pytest.fixture
def leftovers() -> Callable[[], list[str]]:
    """Call after a run: the processes of the test slot's uid still alive (after teardown)."""
    return lambda: wait_for_no_processes(slot_uid()) if os.geteuid() == 0 else []


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A world-readable scratch directory (pytest's tmp_path is 0700: no other uid may bind it)."""
    path = Path(tempfile.mkdtemp(prefix="hw-grader-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


@pytest.fixture
def digest() -> Callable[[Path], str]:
    return file_digest


@pytest.fixture
def quick() -> SandboxLimits:
    """Limits for hostile payloads: seconds, not minutes."""
    return SandboxLimits(wall_seconds=2.5, grace_seconds=10.0)
