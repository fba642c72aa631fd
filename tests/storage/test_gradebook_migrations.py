"""Named migrations: applied once, in order, atomically, and matching the ORM models."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, inspect, text

from grader.errors import GradebookError
from grader.storage import Gradebook, open_gradebook
from grader.storage.migrations import (
    MIGRATIONS,
    Migration,
    applied_migrations,
    apply_migrations,
    postgresql_statement,
)
from grader.storage.models import Base


def _recorded(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT name FROM schema_migrations ORDER BY rowid")))


def test_opening_twice_applies_each_migration_once_and_keeps_data(db_path: Path):
    first = open_gradebook(db_path)
    try:
        run_id = Gradebook(first).start_run(
            rubric_path="r.yaml", rubric_hash="h", tool_version="0.1.0", options={}
        )
        assert _recorded(first) == [migration.name for migration in MIGRATIONS]
    finally:
        first.dispose()
    second = open_gradebook(db_path)
    try:
        assert _recorded(second) == [migration.name for migration in MIGRATIONS]
        assert [run["id"] for run in Gradebook(second).runs()] == [run_id]
    finally:
        second.dispose()


def test_apply_migrations_reports_what_it_applied(engine: Engine):
    with engine.connect() as connection, connection.begin():
        assert apply_migrations(connection) == []  # open_gradebook already applied them
        assert applied_migrations(connection) == [migration.name for migration in MIGRATIONS]


def test_migration_names_are_unique_and_ordered():
    names = [migration.name for migration in MIGRATIONS]
    assert len(names) == len(set(names))
    assert names == sorted(names)
    assert names[0] == "0001_create_gradebook_tables"


def test_migrated_schema_matches_the_orm_models():
    migrated = create_engine("sqlite://")
    from_models = create_engine("sqlite://")
    try:
        with migrated.begin() as connection:
            apply_migrations(connection)
        Base.metadata.create_all(from_models)
        ours, theirs = inspect(migrated), inspect(from_models)
        assert set(ours.get_table_names()) - {"schema_migrations"} == set(theirs.get_table_names())
        for table in theirs.get_table_names():
            columns = [(c["name"], str(c["type"]), c["nullable"]) for c in ours.get_columns(table)]
            expected = [
                (c["name"], str(c["type"]), c["nullable"]) for c in theirs.get_columns(table)
            ]
            assert columns == expected, table
            assert ours.get_pk_constraint(table) == theirs.get_pk_constraint(table), table
            assert _uniques(ours, table) == _uniques(theirs, table), table
            assert _indexes(ours, table) == _indexes(theirs, table), table
            assert _foreign_keys(ours, table) == _foreign_keys(theirs, table), table
    finally:
        migrated.dispose()
        from_models.dispose()


def test_migrated_schema_matches_the_orm_models_on_postgresql(new_postgres_database):
    migrated = open_gradebook(new_postgres_database())
    from_models = create_engine(new_postgres_database())
    try:
        Base.metadata.create_all(from_models)
        ours, theirs = inspect(migrated), inspect(from_models)
        assert set(ours.get_table_names()) - {"schema_migrations"} == set(theirs.get_table_names())
        for table in theirs.get_table_names():
            columns = [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in ours.get_columns(table)
            ]
            expected = [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in theirs.get_columns(table)
            ]
            assert columns == expected, table
            assert ours.get_pk_constraint(table) == theirs.get_pk_constraint(table), table
            assert _uniques(ours, table) == _uniques(theirs, table), table
            assert _indexes(ours, table) == _indexes(theirs, table), table
            assert _foreign_keys(ours, table) == _foreign_keys(theirs, table), table
        # The partial index is partial on PostgreSQL too (postgresql_where in the model).
        [one_active] = [
            i for i in ours.get_indexes("overrides") if i["name"] == "uq_overrides_one_active"
        ]
        assert one_active["dialect_options"]["postgresql_where"] == "active"
        started = [c for c in ours.get_columns("grading_runs") if c["name"] == "started_at"]
        assert str(started[0]["type"]) == "TIMESTAMP"  # WITH TIME ZONE:
        assert started[0]["type"].timezone is True
    finally:
        migrated.dispose()
        from_models.dispose()


def test_postgresql_spelling_changes_only_the_types_that_differ():
    assert postgresql_statement(
        "CREATE TABLE t (\n id INTEGER NOT NULL,\n run_id INTEGER NOT NULL,\n"
        " at DATETIME NOT NULL,\n blob_data BLOB,\n PRIMARY KEY (id))"
    ) == (
        "CREATE TABLE t (\n id SERIAL NOT NULL,\n run_id INTEGER NOT NULL,\n"
        " at TIMESTAMP WITH TIME ZONE NOT NULL,\n blob_data BYTEA,\n PRIMARY KEY (id))"
    )


def test_opening_a_postgresql_gradebook_twice_applies_each_migration_once(new_postgres_database):
    url = new_postgres_database()
    first = open_gradebook(url)
    try:
        run_id = Gradebook(first).start_run(
            rubric_path="r.yaml", rubric_hash="h", tool_version="0.1.0", options={}
        )
    finally:
        first.dispose()
    second = open_gradebook(url)
    try:
        with second.connect() as connection:
            assert applied_migrations(connection) == [migration.name for migration in MIGRATIONS]
        assert [run["id"] for run in Gradebook(second).runs()] == [run_id]
    finally:
        second.dispose()


def _uniques(inspector, table: str) -> set[tuple[str, ...]]:
    return {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}


def _indexes(inspector, table: str) -> set[tuple[str, tuple[str, ...], bool]]:
    return {
        (i["name"], tuple(i["column_names"]), i["unique"]) for i in inspector.get_indexes(table)
    }


def _foreign_keys(inspector, table: str) -> set[tuple[tuple[str, ...], str]]:
    return {
        (tuple(fk["constrained_columns"]), fk["referred_table"])
        for fk in inspector.get_foreign_keys(table)
    }


def test_failing_migration_leaves_nothing_behind():
    def create_then_fail(connection: Connection) -> None:
        connection.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("boom")

    engine = open_gradebook("sqlite:///:memory:")
    try:
        migrations = (*MIGRATIONS, Migration("0002_broken", create_then_fail))
        with (
            pytest.raises(RuntimeError, match="boom"),
            engine.connect() as connection,
            connection.begin(),
        ):
            apply_migrations(connection, migrations)
        assert "half_done" not in inspect(engine).get_table_names()
        assert _recorded(engine) == [migration.name for migration in MIGRATIONS]
    finally:
        engine.dispose()


def test_gradebook_from_a_newer_version_is_refused(db_path: Path):
    engine = open_gradebook(db_path)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO schema_migrations (name, applied_at) VALUES (:n, :at)"),
                {"n": "0099_from_the_future", "at": "2030-01-01 00:00:00"},
            )
    finally:
        engine.dispose()
    with pytest.raises(GradebookError, match="newer hw-grader") as caught:
        open_gradebook(db_path)
    assert "0099_from_the_future" in str(caught.value)
    assert str(db_path) in str(caught.value)
