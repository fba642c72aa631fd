"""Hostile notebooks graded for real: a real sandbox, real data, and checks of host state.

Every test builds its notebook with nbformat, runs it through `execute_notebook`
(or the whole notebook pipeline), asserts what the grader says about it, and then
calls `host.assert_clean()`: no process left under any sandbox uid, every watched
host file byte-for-byte unchanged, and the loopback listener the suite started on
the host never saw a connection. These tests FAIL (never skip) when the sandbox
cannot be set up: `make test` installs bubblewrap and builds the kernel env first.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.data import load_hidden_split, load_layout, write_synthetic_data
from grader.notebooks.execute import NotebookRun, execute_notebook
from grader.sandbox import Sandbox, SandboxLimits
from grader.sandbox.bwrap import BASE_UID
from grader.scheduling.cluster import MAX_SLOTS
from tests.fixtures.sandbox_env import usable_kernel_env
from tests.homeworks import HW4_DATASETS

#: A slot no other test folder uses (tests/notebooks: 0, tests/sandbox: 9, Dask workers: 0, 1, ...).
HOSTILE_SLOT = 13
#: Every uid a sandbox of any slot runs as: a process left under one of them escaped teardown.
SANDBOX_UIDS = range(BASE_UID, BASE_UID + MAX_SLOTS)
REPO = Path(__file__).resolve().parents[2]
MiB = 2**20

#: Short limits: hostile payloads are stopped in seconds, not minutes.
QUICK_LIMITS = SandboxLimits(
    wall_seconds=8,
    grace_seconds=10,
    cpu_seconds=20,
    address_space_bytes=1536 * MiB,
    max_processes=64,
    max_file_bytes=64 * MiB,
    work_tmpfs_bytes=128 * MiB,
    tmp_tmpfs_bytes=32 * MiB,
    shm_bytes=16 * MiB,
    output_bytes=256 * 1024,
)
QUICK_CELL_TIMEOUT = 3.0

# Prepended to notebooks that report what they saw: one JSON line per `report(...)` call.
PROBE_HELPERS = """\
import errno, json, os

def attempt(action):
    try:
        result = action()
    except OSError as error:
        return errno.errorcode.get(error.errno, type(error).__name__)
    except Exception as error:
        return type(error).__name__
    return "DONE" if result is None else f"DONE {result}"

def look(path):
    if os.path.isdir(path):
        return attempt(lambda: "LISTED " + ",".join(sorted(os.listdir(path))))
    return attempt(lambda: "READ " + open(path, "rb").read(32).hex())

def report(tag, found):
    print(tag, json.dumps(found, sort_keys=True))
"""


def _process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, real uid, name) of every live, non-zombie process, from /proc."""
    table: dict[int, tuple[int, int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields["State"].strip().startswith("Z"):
            continue
        table[int(entry)] = (
            int(fields["PPid"]),
            int(fields["Uid"].split()[0]),
            fields["Name"].strip(),
        )
    return table


def sandbox_processes_left() -> list[str]:
    """`pid uid name` of every process of a sandbox uid that this test run is answerable for.

    That is every one whose nearest ancestor outside the sandbox uids is this pytest process,
    one of its descendants (a Dask worker), or one of its ancestors (an orphan re-parented to
    init or a subreaper: whoever started it, it escaped its sandbox's teardown). Sandbox
    processes below another live process (another grading run on this machine) are not ours.
    """
    table = _process_table()
    me = os.getpid()
    ancestors = set()
    pid = me
    while pid in table and pid not in ancestors:
        ancestors.add(pid)
        pid = table[pid][0]
    ancestors.update({0, pid})

    def owner(pid: int) -> int:
        seen = set()
        while pid in table and table[pid][1] in SANDBOX_UIDS and pid not in seen:
            seen.add(pid)
            pid = table[pid][0]
        return pid

    def ours(pid: int) -> bool:
        seen = set()
        while pid in table and pid not in seen:
            if pid == me:
                return True
            seen.add(pid)
            pid = table[pid][0]
        return False

    return [
        f"{pid} uid={uid} {name}"
        for pid, (_, uid, name) in sorted(table.items())
        if uid in SANDBOX_UIDS and ((top := owner(pid)) in ancestors or ours(top))
    ]


def wait_for_no_sandbox_processes(timeout: float = 5.0) -> list[str]:
    """Teardown is asynchronous (~10 ms to 2 s): poll until nothing is left, or give up."""
    deadline = time.monotonic() + timeout
    while (left := sandbox_processes_left()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def sha256(path: Path) -> str:
    """Digest of a file, or of a directory's names, kinds and file contents (never followed)."""
    digest = hashlib.sha256()
    if path.is_dir() and not path.is_symlink():
        for entry in sorted(path.rglob("*")):
            if "__pycache__" in entry.parts:
                continue
            digest.update(str(entry.relative_to(path)).encode() + b"\0")
            if entry.is_symlink():
                digest.update(b"L" + os.readlink(entry).encode())
            elif entry.is_file():
                digest.update(b"F" + entry.read_bytes())
        return digest.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


class LoopbackListener:
    """A host TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.port: int = self.server.getsockname()[1]
        self.connections = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stopping = True
        self._thread.join()
        self.server.close()


@dataclass
class HostWatch:
    """Host state every hostile test must leave as it found it."""

    listener: LoopbackListener
    baseline: dict[Path, str] = field(default_factory=dict)

    def watch(self, *paths: Path) -> None:
        for path in paths:
            self.baseline.setdefault(path, sha256(path))

    def problems(self, wait: float = 5.0) -> list[str]:
        found = [f"left behind: {line}" for line in wait_for_no_sandbox_processes(wait)]
        found += [
            f"changed: {path}"
            for path, digest in self.baseline.items()
            if not path.exists() or sha256(path) != digest
        ]
        time.sleep(0.05)  # a connection still in the accept queue gets counted
        if self.listener.connections:
            found.append(f"the host listener saw {self.listener.connections} connection(s)")
        return found


@pytest.fixture(scope="session")
def kernel_env() -> Path:
    return usable_kernel_env(HOSTILE_SLOT)


@pytest.fixture(scope="session")
def sandbox(kernel_env: Path) -> Sandbox:
    return Sandbox(kernel_env=kernel_env, slot=HOSTILE_SLOT)


@pytest.fixture(scope="session")
def public_root() -> Iterator[Path]:
    """A world-readable scratch root (pytest's tmp_path is 0700: the sandbox uid cannot bind it)."""
    root = Path(tempfile.mkdtemp(prefix="hw-grader-hostile-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class HostileData:
    """Tiny synthetic data, its hidden splits decoded into the cache, and where the secrets are."""

    root: Path
    cache: Path
    train: Path
    hidden: Path
    labels_cache: Path  # hidden-cats_vs_dogs-<key>.labels.npy, readable by root only
    inputs_cache: Path  # the decoded hidden inputs, world-readable (mounted for evaluation only)
    cats_dogs_labels: Any  # numpy array


@pytest.fixture(scope="session")
def data(public_root: Path) -> HostileData:
    root = write_synthetic_data(public_root / "data", datasets=HW4_DATASETS, scale="tiny", seed=3)
    cache = public_root / "cache"
    layout = load_layout(root)
    cats_dogs = load_hidden_split(layout, "cats_vs_dogs", cache)
    load_hidden_split(layout, "cifar10", cache)
    labels_cache = cats_dogs.inputs_path.parent.with_name(
        cats_dogs.inputs_path.parent.name + ".labels.npy"
    )
    assert labels_cache.is_file()
    return HostileData(
        root=root,
        cache=cache,
        train=root / "train",
        hidden=root / "hidden",
        labels_cache=labels_cache,
        inputs_cache=cats_dogs.inputs_path,
        cats_dogs_labels=cats_dogs.labels,
    )


@pytest.fixture(scope="session")
def other_student(public_root: Path) -> Path:
    """Another student's submission, world-readable on the host: only the sandbox keeps it away."""
    folder = public_root / "subs" / "other_student"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    notebook = folder / "p1_cats_dogs.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("answer = 'other student secret'")]), notebook)
    notebook.chmod(0o644)
    return folder


@pytest.fixture(scope="session")
def session_watch(data: HostileData, other_student: Path, kernel_env: Path) -> Iterator[HostWatch]:
    listener = LoopbackListener()
    watch = HostWatch(listener)
    site_packages = sorted(kernel_env.glob("lib/python3*/site-packages"))
    watch.watch(
        Path("/etc/shadow"),
        Path("/etc/passwd"),
        REPO / "rubrics",
        REPO / "grader" / "sandbox",
        kernel_env / "pyvenv.cfg",
        kernel_env / "bin",
        *(packages / "numpy" / "__init__.py" for packages in site_packages),
        Path("/usr/lib/python3.11/os.py"),
        data.hidden,
        data.train,
        data.labels_cache,
        data.inputs_cache,
        other_student,
    )
    yield watch
    listener.close()


@dataclass
class Host:
    """Per test: `assert_clean()` checks host state; the fixture checks again if a test did not."""

    watch: HostWatch
    checked: bool = False

    @property
    def listener_port(self) -> int:
        return self.watch.listener.port

    def assert_clean(self) -> None:
        self.checked = True
        problems = self.watch.problems()
        assert problems == [], "host state changed:\n" + "\n".join(problems)


@pytest.fixture
def host(session_watch: HostWatch) -> Iterator[Host]:
    state = Host(session_watch)
    yield state
    if not state.checked:
        state.assert_clean()


def write_notebook(folder: Path, *sources: str, name: str = "p1_cats_dogs.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(new_notebook(cells=[new_code_cell(source) for source in sources]), path)
    return path


RunNotebook = Callable[..., NotebookRun]


@pytest.fixture
def run_notebook(sandbox: Sandbox, data: HostileData, tmp_path: Path) -> RunNotebook:
    """Write the cells as a student's p1 notebook and execute it in the sandbox, training data mounted."""

    def run(
        *sources: str,
        cell_timeout: float = QUICK_CELL_TIMEOUT,
        limits: SandboxLimits = QUICK_LIMITS,
        output_cap: int = 64 * 1024,
        prepare: Callable[[Path], None] | None = None,
    ) -> NotebookRun:
        submission = tmp_path / "student"
        notebook = write_notebook(submission, *sources)
        if prepare is not None:
            prepare(submission)
        return execute_notebook(
            notebook,
            submission_dir=submission,
            sandbox=sandbox,
            data_mount=data.train,
            limits=limits,
            cell_timeout=cell_timeout,
            out_dir=tmp_path / "out",
            output_cap=output_cap,
        )

    return run


def cell_text(run: NotebookRun, index: int) -> str:
    """All stream text a code cell printed (the executed notebook, as the grader sanitised it)."""
    assert run.executed_notebook is not None, run.message
    cell = run.executed_notebook["cells"][index]
    return "".join(
        output.get("text", "") for output in cell["outputs"] if output["output_type"] == "stream"
    )


def reported(run: NotebookRun, tag: str) -> dict[str, str]:
    """The JSON a `report(tag, ...)` call printed somewhere in the executed notebook."""
    assert run.executed_notebook is not None, run.message
    for index in range(len(run.executed_notebook["cells"])):
        for line in cell_text(run, index).splitlines():
            if line.startswith(tag + " "):
                return json.loads(line[len(tag) + 1 :])
    raise AssertionError(f"no {tag!r} report in the executed notebook; run: {run.message}")
