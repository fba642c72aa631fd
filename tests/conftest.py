"""Markers for the fast inner loop, applied by where a test lives and what it uses.

- `sandbox`: the test starts a bubblewrap sandbox (and usually a kernel or student code
  in it) or a Dask cluster. Every test in SANDBOX_FOLDERS, and every test using one of
  SANDBOX_FIXTURES, directly or through another fixture, gets it; a test elsewhere that
  starts a sandbox by other means carries `pytest.mark.sandbox` itself.
- `slow`: any other test that takes more than a second or two: every test using one of
  SLOW_FIXTURES, and those marked `pytest.mark.slow` in their module.

`make test-fast` runs `pytest -m "not sandbox and not slow"`; `make test` runs everything.

And one throwaway PostgreSQL server for the session (`postgres_server`), for the tests that
run the gradebook on both backends: initdb and pg_ctl from Debian's `postgresql` package
(`make postgres-tools` installs it), run as the `postgres` user through `runuser` when the
tests run as root, in a temp folder, on 127.0.0.1 and a free port, with its socket in that
folder; stopped at the end, even when tests fail. `new_postgres_database()` gives each test
(or module) an empty database of its own, as a `postgresql+psycopg://` URL.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

TESTS = Path(__file__).resolve().parent

#: Folders whose every test runs something in the sandbox (and checks host state after it).
SANDBOX_FOLDERS = frozenset({"hostile"})

#: Fixtures that check or start the sandbox (tests/sandbox, tests/hostile, tests/notebooks).
SANDBOX_FIXTURES = frozenset({"kernel_env", "sandbox", "run_notebook", "session_watch", "host"})

#: Fixtures that take seconds to build: inside_predict.py run on a zoo of TorchScript models
#: (tests/evaluation), a `small` synthetic DATA_ROOT (tests/data, ~15 s once per session).
SLOW_FIXTURES = frozenset({"predict_runs", "synthetic_root"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not item.path.is_relative_to(TESTS):
            continue
        folder = item.path.relative_to(TESTS).parts[0]
        fixtures = set(getattr(item, "fixturenames", ()))
        if folder in SANDBOX_FOLDERS or fixtures & SANDBOX_FIXTURES:
            item.add_marker(pytest.mark.sandbox)
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


#: The gradebook backends a parametrized fixture runs over.
BACKENDS = ("sqlite", "postgresql")
POSTGRES_HINT = "run `make postgres-tools` (as root it runs: apt-get install -y postgresql)"


def _postgres_bindir() -> Path | None:
    """Debian's newest /usr/lib/postgresql/N/bin holding initdb and pg_ctl, else one on PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    for bindir in reversed(versions):
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server for the session; yields its admin URL (database postgres)."""
    bindir = _postgres_bindir()
    if bindir is None:
        pytest.fail(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {POSTGRES_HINT}")
    as_postgres: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="hw-grader-pg-"))
    if os.geteuid() == 0:
        # initdb refuses to run as root: the server runs as the package's `postgres` user.
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(f"no `postgres` user to run the test server as: {POSTGRES_HINT}")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, log, port = root / "data", root / "server.log", _free_port()

    def pg(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=120)

    started = False
    try:
        pg(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
           "--no-locale", "-E", "UTF8", "--no-sync")  # fmt: skip
        server_options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
           "-o", server_options, "start")  # fmt: skip
        started = True
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as error:
        server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(
            f"the test PostgreSQL server did not start: {' '.join(error.cmd)}: "
            f"{error.stderr.decode(errors='replace').strip()} {server_log}".strip()
        )
    finally:
        if started:
            subprocess.run(
                [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def new_postgres_database(postgres_server: str) -> Callable[[], str]:
    """Makes an empty database on the session's server; returns its gradebook URL."""
    numbers = itertools.count(1)
    admin_dsn = postgres_server.replace("postgresql+psycopg://", "postgresql://")

    def create() -> str:
        name = f"gradebook_{next(numbers)}"
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return postgres_server.rsplit("/", 1)[0] + f"/{name}"

    return create


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Runs the test once per gradebook backend."""
    return str(request.param)


@pytest.fixture
def gradebook_target(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new gradebook for `--db` on `backend`: a SQLite file path, or a PostgreSQL URL."""
    if backend == "sqlite":
        return str(tmp_path / "g.sqlite")
    return str(request.getfixturevalue("new_postgres_database")())
