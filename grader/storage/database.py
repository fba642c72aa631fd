"""Open the gradebook, SQLite file or PostgreSQL database: engine, connection settings, migrations.

Job: turn a path or URL into an Engine whose every connection is set up for the
gradebook, with the schema migrated:

- SQLite: WAL mode, a busy timeout and foreign keys on, with SQLAlchemy (not
  sqlite3's legacy mode) in charge of BEGIN; a write transaction is `BEGIN
  IMMEDIATE`, so there is one writer at a time and a second one waits.
- PostgreSQL (`postgresql+psycopg://user@host/db`, psycopg 3): readers run at
  REPEATABLE READ (one snapshot per read, like a SQLite read transaction); a write
  transaction runs at READ COMMITTED and first takes a transaction-scoped advisory
  lock, the equivalent of BEGIN IMMEDIATE: one writer at a time, the next waits up
  to the same timeout (`lock_timeout`), then fails with the same "locked" message.
  One writer at a time is what the gradebook's read-then-write steps (an override
  checks the latest results, a run's counts are recounted) rely on, and writes are
  whole batches, so it costs little; since writers never overlap there are no
  serialization failures to retry.

Every message names the gradebook by `gradebook_label`, which never shows a
password. Must not read or write grades (that is `gradebook.py`), and must not
keep engines in module state: the caller owns the engine and disposes of it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, StaticPool

from grader.errors import GradebookError
from grader.storage.migrations import MIGRATIONS_TABLE, apply_migrations

#: A gradebook as the CLI and the services name it: a SQLite file path or a SQLAlchemy URL.
GradebookTarget = str | Path

BUSY_TIMEOUT_MS = 5000
# Execution option naming the statement that opens a transaction. The writer
# asks for "BEGIN IMMEDIATE": it takes the write lock up front, so a second
# writer waits out the busy timeout instead of failing on a lock upgrade.
# On PostgreSQL the same option makes the transaction take WRITER_LOCK_KEY.
BEGIN_OPTION = "gradebook_begin"
WRITE_BEGIN = "BEGIN IMMEDIATE"
#: The advisory lock every PostgreSQL write transaction (and migration) holds: any
#: fixed 64-bit number no other program uses on the database (here b"hwgrader").
WRITER_LOCK_KEY = 0x6877_6772_6164_6572
POSTGRESQL_DRIVER = "postgresql+psycopg"

_NEW_FILE_HINT = "move the file aside or pass the path of a new gradebook file"
_URL_HINT = (
    "give a SQLite file path, sqlite:///path/to/gradebook.db or "
    "postgresql+psycopg://user@host/database"
)


def _json_dumps(value: Any) -> str:
    # Callers convert Fractions and numpy values; str() keeps anything missed readable.
    return json.dumps(value, default=str, ensure_ascii=False)


def is_url(target: GradebookTarget) -> bool:
    """Whether `target` is a URL (`sqlite:///…`, `postgresql+psycopg://…`) rather than a path."""
    return isinstance(target, str) and "://" in target


def gradebook_label(target: GradebookTarget | URL) -> str:
    """How messages name a gradebook: the path, or the URL with its password hidden."""
    if isinstance(target, URL):
        if target.get_backend_name() == "sqlite":
            return str(target.database or ":memory:")
        return target.render_as_string(hide_password=True)
    if is_url(target):
        try:
            return make_url(str(target)).render_as_string(hide_password=True)
        except exc.ArgumentError:
            return "the --db URL"  # unparseable: it may hold a password anywhere
    return str(target)


def _gradebook_url(target: GradebookTarget) -> URL:
    if not is_url(target):
        return URL.create("sqlite", database=str(Path(target)))
    try:
        url = make_url(str(target))
    except exc.ArgumentError as error:
        raise GradebookError(
            "not a database URL", path=gradebook_label(target), hint=_URL_HINT
        ) from error
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url
    if backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", "psycopg2") or url.drivername == "postgresql":
            # Plain postgresql:// means psycopg2 to SQLAlchemy; the gradebook ships psycopg 3.
            url = url.set(drivername=POSTGRESQL_DRIVER)
        if url.get_driver_name() != "psycopg":
            raise GradebookError(
                "the gradebook talks to PostgreSQL through psycopg 3",
                path=gradebook_label(url),
                hint=f"spell the URL {POSTGRESQL_DRIVER}://user@host/database",
            )
        if not url.database:
            raise GradebookError(
                "the URL names no database",
                path=gradebook_label(url),
                hint=f"end it with the database: {POSTGRESQL_DRIVER}://user@host/grades",
            )
        return url
    raise GradebookError(
        "not a SQLite or PostgreSQL URL", path=gradebook_label(url), hint=_URL_HINT
    )


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _check_file(path: Path) -> None:
    if not path.parent.is_dir():
        raise GradebookError(
            f"cannot create the gradebook: folder {path.parent} does not exist",
            path=path,
            hint=f"create {path.parent} first or choose another path",
        )
    if path.is_dir():
        raise GradebookError(
            "is a folder, not a gradebook file",
            path=path,
            hint="give a file path such as grades.db",
        )


def _install_connection_hooks(engine: Engine, *, wal: bool, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
        # Stop sqlite3 from issuing its own BEGIN (it skips DDL and SELECT);
        # the "begin" hook below issues it instead, so migrations are atomic.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(BEGIN_OPTION, "BEGIN"))


def _install_postgresql_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        # A writer waits here for the one before it to commit (see the module docstring).
        if connection.get_execution_options().get(BEGIN_OPTION) == WRITE_BEGIN:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


def _postgresql_engine(url: URL, busy_timeout_ms: int) -> Engine:
    engine = create_engine(
        url,
        json_serializer=_json_dumps,
        isolation_level="REPEATABLE READ",
        # A connection per session, closed when the session ends: a command's Gradebook
        # lives as long as the command and its engine is never disposed, so a pool would
        # leave connections open to the server until the process exits.
        poolclass=NullPool,
        # lock_timeout bounds the wait for the writer lock, like SQLite's busy timeout.
        connect_args={"options": f"-c lock_timeout={busy_timeout_ms} -c TimeZone=UTC"},
    )
    _install_postgresql_hooks(engine)
    return engine


def write_engine(engine: Engine) -> Engine:
    """The engine as the gradebook's writer uses it: each transaction takes the write lock first."""
    options: dict[str, Any] = {BEGIN_OPTION: WRITE_BEGIN}
    if engine.dialect.name == "postgresql":
        # Each statement sees what the writer before committed (REPEATABLE READ would not).
        options["isolation_level"] = "READ COMMITTED"
    return engine.execution_options(**options)


def open_gradebook(
    target: GradebookTarget, *, create: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> Engine:
    """Open (creating if needed) and migrate the gradebook at a path, SQLite or PostgreSQL URL.

    `sqlite:///:memory:` gives a private in-memory gradebook on one shared
    connection, for tests. A PostgreSQL database must exist (the gradebook makes its
    tables, not the database); with `create=False` it must already hold a gradebook.
    A writer waits up to `busy_timeout_ms` for the one before it. Raises GradebookError
    with a one-line message naming the file or URL (password hidden) and the fix when it
    cannot be used.
    """
    url = _gradebook_url(target)
    if url.get_backend_name() == "postgresql":
        return _open_postgresql(url, create=create, busy_timeout_ms=busy_timeout_ms)
    memory = _is_memory(url)
    path = None if memory else Path(str(url.database))
    if path is not None:
        _check_file(path)
        if not create and not path.exists():
            raise GradebookError(
                "no gradebook here", path=path, hint="run `grader grade` first or pass --db"
            )
    if memory:
        engine = create_engine(
            url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            json_serializer=_json_dumps,
        )
    else:
        engine = create_engine(url, json_serializer=_json_dumps)
    _install_connection_hooks(engine, wal=not memory, busy_timeout_ms=busy_timeout_ms)
    try:
        with write_engine(engine).connect() as connection, connection.begin():
            apply_migrations(connection)
    except GradebookError as error:
        engine.dispose()
        if error.path is None and path is not None:
            raise GradebookError(error.message, path=path, hint=error.hint) from error
        raise
    except (exc.DBAPIError, sqlite3.DatabaseError) as error:
        engine.dispose()
        raise _open_error(error, path) from error
    return engine


def _open_postgresql(url: URL, *, create: bool, busy_timeout_ms: int) -> Engine:
    label = gradebook_label(url)
    engine = _postgresql_engine(url, busy_timeout_ms)
    try:
        if not create and not inspect(engine).has_table(MIGRATIONS_TABLE):
            raise GradebookError(
                "no gradebook in this database", hint="run `grader grade` first or pass --db"
            )
        with write_engine(engine).connect() as connection, connection.begin():
            apply_migrations(connection)
    except GradebookError as error:
        engine.dispose()
        raise GradebookError(error.message, path=label, hint=error.hint) from error
    except exc.DBAPIError as error:
        engine.dispose()
        raise _postgresql_open_error(error, url) from error
    return engine


def _first_line(error: Exception, secret: str | None) -> str:
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    reason = lines[0] if lines else type(original).__name__
    # libpq does not echo passwords, but a message must never carry one whatever it quotes.
    return reason.replace(secret, "***") if secret else reason


def _postgresql_open_error(error: exc.DBAPIError, url: URL) -> GradebookError:
    reason = _first_line(error, url.password)
    label = gradebook_label(url)
    if "does not exist" in reason and "database" in reason:
        hint = f"create it first: createdb {url.database}, or pass another --db"
    elif "password" in reason or "authentication" in reason:
        hint = "check the user name and password (or ~/.pgpass / $PGPASSWORD)"
    elif "already exists" in reason:
        return GradebookError(
            f"the database holds tables that are not a gradebook's ({reason})",
            path=label,
            hint="pass a database of its own for the gradebook",
        )
    else:
        hint = "check the host, port and that the PostgreSQL server is running"
    return GradebookError(f"cannot open the gradebook ({reason})", path=label, hint=hint)


def _open_error(error: Exception, path: Path | None) -> GradebookError:
    original = getattr(error, "orig", None) or error
    reason = str(original).splitlines()[0] if str(original) else type(original).__name__
    if "not a database" in reason or "malformed" in reason:
        return GradebookError(f"not a SQLite gradebook ({reason})", path=path, hint=_NEW_FILE_HINT)
    if "already exists" in reason:
        return GradebookError(
            f"is a SQLite database but not a gradebook ({reason})", path=path, hint=_NEW_FILE_HINT
        )
    return GradebookError(
        f"cannot open the gradebook ({reason})",
        path=path,
        hint="check the file's permissions and that no other program holds it",
    )
