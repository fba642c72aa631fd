"""Opening the gradebook: pragmas on every connection, and clear errors for bad targets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from grader.errors import GradebookError
from grader.storage import open_gradebook


def test_file_gradebook_runs_in_wal_mode_with_timeout_and_foreign_keys(file_engine: Engine):
    # Two connections checked out at once: the pragmas hold on each, not only the first.
    with file_engine.connect() as first, file_engine.connect() as second:
        for connection in (first, second):
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_wal_mode_is_persisted_in_the_file(file_engine: Engine, db_path: Path):
    with sqlite3.connect(db_path) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    plain.close()


def test_memory_gradebook_has_the_tables_and_foreign_keys(memory_engine: Engine):
    tables = set(inspect(memory_engine).get_table_names())
    assert {
        "students",
        "submissions",
        "grading_runs",
        "graded_parts",
        "question_results",
        "overrides",
        "audit_log",
        "schema_migrations",
    } <= tables
    with memory_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_path_given_as_string_and_as_url_open_the_same_file(db_path: Path):
    for target in (str(db_path), f"sqlite:///{db_path}"):
        engine = open_gradebook(target)
        try:
            assert engine.url.database == str(db_path)
        finally:
            engine.dispose()
    assert db_path.is_file()


def test_missing_folder_is_a_gradebook_error_naming_file_and_fix(tmp_path: Path):
    target = tmp_path / "no-such-folder" / "grades.db"
    with pytest.raises(GradebookError) as caught:
        open_gradebook(target)
    message = str(caught.value)
    assert str(target) in message
    assert "does not exist" in message
    assert "(fix: create" in message
    assert "\n" not in message
    assert not target.parent.exists()


def test_corrupt_file_is_a_gradebook_error_naming_file_and_fix(tmp_path: Path):
    target = tmp_path / "grades.db"
    garbage = b"this is a CSV export, not a database\n" * 200
    target.write_bytes(garbage)
    with pytest.raises(GradebookError) as caught:
        open_gradebook(target)
    error = caught.value
    assert error.path == str(target)
    assert "not a SQLite gradebook" in str(error)
    assert "file is not a database" in str(error)
    assert error.hint is not None and "new gradebook file" in error.hint
    assert target.read_bytes() == garbage  # left as it was


def test_folder_given_as_file_is_a_gradebook_error(tmp_path: Path):
    with pytest.raises(GradebookError, match="is a folder"):
        open_gradebook(tmp_path)


def test_other_database_urls_are_rejected_without_their_password():
    with pytest.raises(GradebookError) as caught:
        open_gradebook("mysql://grader:s3cret@localhost/grades")
    assert str(caught.value) == (
        "mysql://grader:***@localhost/grades: not a SQLite or PostgreSQL URL (fix: give a "
        "SQLite file path, sqlite:///path/to/gradebook.db or "
        "postgresql+psycopg://user@host/database)"
    )


def test_other_programs_database_is_rejected_and_left_untouched(tmp_path: Path):
    target = tmp_path / "other.db"
    with sqlite3.connect(target) as plain:
        plain.execute("CREATE TABLE students (name TEXT)")
    plain.close()
    with pytest.raises(GradebookError, match="not a gradebook") as caught:
        open_gradebook(target)
    assert str(target) in str(caught.value)
    # Migration 1 ran in one transaction: nothing it created is left behind.
    with sqlite3.connect(target) as plain:
        names = {name for (name,) in plain.execute("SELECT name FROM sqlite_master")}
    plain.close()
    assert names == {"students"}
