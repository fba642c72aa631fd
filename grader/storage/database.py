"""Open the SQLite gradebook: engine, connection pragmas, migrations.

Job: turn a path or URL into an Engine whose every connection runs in WAL
mode with a busy timeout and foreign keys on, with SQLAlchemy (not sqlite3's
legacy mode) in charge of BEGIN, and with the schema migrated. Must not read
or write grades (that is `gradebook.py`), and must not keep engines in
module state: the caller owns the engine and disposes of it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from grader.errors import GradebookError
from grader.storage.migrations import apply_migrations

BUSY_TIMEOUT_MS = 5000
# Execution option naming the statement that opens a transaction. The writer
# asks for "BEGIN IMMEDIATE": it takes the write lock up front, so a second
# writer waits out the busy timeout instead of failing on a lock upgrade.
BEGIN_OPTION = "gradebook_begin"
WRITE_BEGIN = "BEGIN IMMEDIATE"

_NEW_FILE_HINT = "move the file aside or pass the path of a new gradebook file"


def _json_dumps(value: Any) -> str:
    # Callers convert Fractions and numpy values; str() keeps anything missed readable.
    return json.dumps(value, default=str, ensure_ascii=False)


def _gradebook_url(target: str | Path) -> URL:
    if isinstance(target, str) and "://" in target:
        url = make_url(target)
        if url.get_backend_name() != "sqlite":
            raise GradebookError(
                f"gradebook URL {target!r} is not a SQLite URL",
                hint="use a file path or sqlite:///path/to/gradebook.db",
            )
        return url
    return URL.create("sqlite", database=str(Path(target)))


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


def _install_connection_hooks(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
        # Stop sqlite3 from issuing its own BEGIN (it skips DDL and SELECT);
        # the "begin" hook below issues it instead, so migrations are atomic.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(BEGIN_OPTION, "BEGIN"))


def open_gradebook(target: str | Path) -> Engine:
    """Open (creating if needed) and migrate the gradebook at a path or SQLite URL.

    `sqlite:///:memory:` gives a private in-memory gradebook on one shared
    connection, for tests. Raises GradebookError with a one-line message
    naming the file and the fix when it cannot be used.
    """
    url = _gradebook_url(target)
    memory = _is_memory(url)
    path = None if memory else Path(str(url.database))
    if path is not None:
        _check_file(path)
    if memory:
        engine = create_engine(
            url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            json_serializer=_json_dumps,
        )
    else:
        engine = create_engine(url, json_serializer=_json_dumps)
    _install_connection_hooks(engine, wal=not memory)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(**{BEGIN_OPTION: WRITE_BEGIN})
            with connection.begin():
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
