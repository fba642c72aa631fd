"""Insert-or-ignore and upsert: one helper knows the dialects; SQLite and PostgreSQL both compile."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import grader.storage
from grader.errors import GradebookError
from grader.storage.models import QuestionResultRow, StudentRow
from grader.storage.upserts import dialect_name, insert_or_ignore, upsert

STORAGE = Path(grader.storage.__file__).parent
RESULT_KEY = ("run_id", "student_id", "question_id")


def _sql(statement, dialect) -> str:
    return " ".join(str(statement.compile(dialect=dialect)).split())


#: `sqlalchemy.dialects.sqlite` / `.postgresql` however imported, and their ON CONFLICT API.
DIALECT_CONSTRUCTS = {
    "dialect import": re.compile(r"dialects(\.| import [\w, ]*)\b(sqlite|postgresql)\b"),
    "on_conflict_*": re.compile(r"\bon_conflict_"),
}


@pytest.mark.parametrize("construct", sorted(DIALECT_CONSTRUCTS))
def test_only_the_helper_module_builds_dialect_statements(construct):
    pattern = DIALECT_CONSTRUCTS[construct]
    using = sorted(path.name for path in STORAGE.glob("*.py") if pattern.search(path.read_text()))
    assert using == ["upserts.py"]


def test_the_pattern_sees_every_spelling_of_the_import():
    pattern = DIALECT_CONSTRUCTS["dialect import"]
    for line in (
        "from sqlalchemy.dialects.sqlite import insert as sqlite_insert",
        "from sqlalchemy.dialects import postgresql, sqlite",
        "import sqlalchemy.dialects.postgresql",
    ):
        assert pattern.search(line), line
    assert not pattern.search("from sqlalchemy import insert  # sqlite WAL")


def test_upsert_compiles_for_postgresql_without_a_server():
    statement = upsert("postgresql", QuestionResultRow.__table__, RESULT_KEY, ["points", "status"])
    sql = _sql(statement, postgresql.dialect())
    assert "ON CONFLICT (run_id, student_id, question_id) DO UPDATE SET" in sql
    assert sql.endswith("points = excluded.points, status = excluded.status")
    assert sql.startswith("INSERT INTO question_results (")


def test_insert_or_ignore_compiles_for_postgresql_and_sqlite():
    for name, dialect in (("postgresql", postgresql.dialect()), ("sqlite", sqlite.dialect())):
        sql = _sql(insert_or_ignore(name, StudentRow.__table__, ["id"]), dialect)
        assert re.fullmatch(
            r"INSERT INTO students \(id, created_at\) VALUES \(.+\) ON CONFLICT \(id\) DO NOTHING",
            sql,
        ), sql


def test_upsert_compiles_for_sqlite():
    sql = _sql(
        upsert("sqlite", QuestionResultRow.__table__, RESULT_KEY, ["points"]), sqlite.dialect()
    )
    assert sql.endswith(
        "ON CONFLICT (run_id, student_id, question_id) DO UPDATE SET points = excluded.points"
    )


def test_an_unknown_dialect_is_refused_not_guessed():
    with pytest.raises(GradebookError) as raised:
        insert_or_ignore("mysql", StudentRow.__table__, ["id"])
    assert raised.value.one_line() == (
        "the gradebook cannot write to a mysql database (fix: use one of: sqlite, postgresql)"
    )


def test_the_statements_do_what_they_say_on_both_backends(engine, backend):
    created = datetime(2024, 1, 1, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        assert dialect_name(session) == backend
        ignore = insert_or_ignore(dialect_name(session), StudentRow.__table__, ["id"])
        session.execute(ignore, [{"id": "alice", "created_at": created}])
        session.execute(
            ignore,
            [
                {"id": "alice", "created_at": datetime(2030, 1, 1, tzinfo=UTC)},
                {"id": "bob", "created_at": created},
            ],
        )
        rows = session.execute(select(StudentRow.id, StudentRow.created_at).order_by(StudentRow.id))
        assert [(sid, at.year) for sid, at in rows] == [("alice", 2024), ("bob", 2024)]
        replace = upsert(dialect_name(session), StudentRow.__table__, ["id"], ["created_at"])
        session.execute(replace, [{"id": "bob", "created_at": datetime(2030, 1, 1, tzinfo=UTC)}])
        assert session.scalar(select(func.count()).select_from(StudentRow)) == 2
        bob = session.scalar(select(StudentRow.created_at).where(StudentRow.id == "bob"))
        assert bob is not None and bob.year == 2030
