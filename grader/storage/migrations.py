"""Named, ordered schema migrations for the gradebook, applied when it is opened.

Job: keep the list of migrations and apply, in one transaction, those not yet
recorded in the `schema_migrations` table (like `sqlite_utils/migrations.py`), on
SQLite and on PostgreSQL.

Why this registry and not Alembic: every SQLite gradebook already out there records
these migration names in `schema_migrations`, and opening one must keep working
unchanged; Alembic would need a second version table, a bridge that stamps old
files, and a dependency, to run the same three migrations. The registry stays ~250
lines and applies on open, as before.

Portable how: a migration's statements are frozen SQL written for SQLite, and
PostgreSQL runs the same text through `postgresql_statement`, which rewrites only the
types the two spell differently (DATETIME → TIMESTAMP WITH TIME ZONE, BLOB → BYTEA,
an `id INTEGER` primary key, SQLite's rowid alias, → SERIAL). The rewrite is frozen
too: a later migration that needs more than it knows gives its own per-dialect
statements (`Migration.apply` gets the connection and may ask its dialect), rather
than changing the rewrite under migrations already applied.

Must not import the ORM models to build tables: a migration is frozen SQL, so that
migration 1 still creates the first schema after the models have moved on. Must not
be edited once released; add a new migration instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from grader.errors import GradebookError

MIGRATIONS_TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    """One schema change: a unique name and the function that applies it."""

    name: str
    apply: Callable[[Connection], None]


#: SQLite spelling → PostgreSQL spelling, for the types the frozen statements use.
#: Frozen: never change an entry (migrations already applied were made with it).
_POSTGRESQL_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    # `id INTEGER NOT NULL … PRIMARY KEY (id)` is SQLite's auto-numbered rowid alias.
    (re.compile(r"(?<=\s)id INTEGER NOT NULL"), "id SERIAL NOT NULL"),
    (re.compile(r"\bDATETIME\b"), "TIMESTAMP WITH TIME ZONE"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
)


def postgresql_statement(sqlite_statement: str) -> str:
    """A frozen SQLite migration statement as PostgreSQL spells it (types only)."""
    statement = sqlite_statement
    for pattern, replacement in _POSTGRESQL_REWRITES:
        statement = pattern.sub(replacement, statement)
    return statement


def _run_statements(statements: Sequence[str]) -> Callable[[Connection], None]:
    def apply(connection: Connection) -> None:
        postgresql = connection.dialect.name == "postgresql"
        for statement in statements:
            connection.exec_driver_sql(postgresql_statement(statement) if postgresql else statement)

    return apply


_CREATE_GRADEBOOK_TABLES = (
    """CREATE TABLE students (
        id VARCHAR NOT NULL,
        created_at DATETIME NOT NULL,
        PRIMARY KEY (id)
    )""",
    """CREATE TABLE submissions (
        id INTEGER NOT NULL,
        student_id VARCHAR NOT NULL,
        part VARCHAR NOT NULL,
        source_path VARCHAR,
        content_hash VARCHAR NOT NULL,
        first_seen_at DATETIME NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT uq_submissions_student_part_hash UNIQUE (student_id, part, content_hash),
        FOREIGN KEY(student_id) REFERENCES students (id)
    )""",
    """CREATE TABLE grading_runs (
        id INTEGER NOT NULL,
        started_at DATETIME NOT NULL,
        finished_at DATETIME,
        rubric_path VARCHAR NOT NULL,
        rubric_hash VARCHAR NOT NULL,
        tool_version VARCHAR NOT NULL,
        options JSON NOT NULL,
        counts JSON,
        PRIMARY KEY (id)
    )""",
    """CREATE TABLE graded_parts (
        run_id INTEGER NOT NULL,
        student_id VARCHAR NOT NULL,
        part VARCHAR NOT NULL,
        submission_id INTEGER,
        source_path VARCHAR,
        problems JSON NOT NULL,
        recorded_at DATETIME NOT NULL,
        PRIMARY KEY (run_id, student_id, part),
        FOREIGN KEY(run_id) REFERENCES grading_runs (id),
        FOREIGN KEY(student_id) REFERENCES students (id),
        FOREIGN KEY(submission_id) REFERENCES submissions (id)
    )""",
    """CREATE INDEX ix_graded_parts_student_part_run
        ON graded_parts (student_id, part, run_id)""",
    """CREATE TABLE question_results (
        id INTEGER NOT NULL,
        run_id INTEGER NOT NULL,
        student_id VARCHAR NOT NULL,
        submission_id INTEGER,
        part VARCHAR NOT NULL,
        question_id VARCHAR NOT NULL,
        points FLOAT NOT NULL,
        max_points FLOAT NOT NULL,
        status VARCHAR NOT NULL,
        answer_text TEXT NOT NULL,
        answer_read JSON,
        convention VARCHAR,
        diagnosis VARCHAR,
        feedback TEXT NOT NULL,
        expected JSON,
        review_reason VARCHAR,
        details JSON NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT uq_question_results_run_student_question
            UNIQUE (run_id, student_id, question_id),
        FOREIGN KEY(run_id) REFERENCES grading_runs (id),
        FOREIGN KEY(student_id) REFERENCES students (id),
        FOREIGN KEY(submission_id) REFERENCES submissions (id)
    )""",
    """CREATE TABLE overrides (
        id INTEGER NOT NULL,
        student_id VARCHAR NOT NULL,
        question_id VARCHAR NOT NULL,
        points FLOAT NOT NULL,
        reason TEXT NOT NULL,
        actor VARCHAR NOT NULL,
        created_at DATETIME NOT NULL,
        active BOOLEAN NOT NULL,
        PRIMARY KEY (id),
        FOREIGN KEY(student_id) REFERENCES students (id)
    )""",
    """CREATE INDEX ix_overrides_student_question ON overrides (student_id, question_id)""",
    """CREATE UNIQUE INDEX uq_overrides_one_active
        ON overrides (student_id, question_id) WHERE active""",
    """CREATE TABLE audit_log (
        id INTEGER NOT NULL,
        at DATETIME NOT NULL,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        student_id VARCHAR,
        question_id VARCHAR,
        "before" JSON,
        "after" JSON,
        PRIMARY KEY (id)
    )""",
    """CREATE INDEX ix_audit_log_student ON audit_log (student_id)""",
)

# In order of application. Append only; never rename, reorder or edit a released entry.
_CREATE_NOTEBOOK_RUNS = (
    """CREATE TABLE notebook_runs (
        run_id INTEGER NOT NULL,
        student_id VARCHAR NOT NULL,
        notebook VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        failed_cell INTEGER,
        error_name VARCHAR,
        error_value VARCHAR,
        traceback VARCHAR,
        message VARCHAR NOT NULL,
        wall_seconds FLOAT,
        executed_notebook BLOB,
        recorded_at DATETIME NOT NULL,
        PRIMARY KEY (run_id, student_id, notebook),
        FOREIGN KEY(run_id) REFERENCES grading_runs (id),
        FOREIGN KEY(student_id) REFERENCES students (id)
    )""",
)

# An override is tied to what it judged: the question's maximum and the answer then.
# NULL in overrides made before this migration: nothing to compare, kept as they were.
_OVERRIDES_REMEMBER_WHAT_THEY_JUDGED = (
    "ALTER TABLE overrides ADD COLUMN judged_max_points FLOAT",
    "ALTER TABLE overrides ADD COLUMN judged_answer_hash VARCHAR",
)

# One counter every write of the gradebook's writer raises (`Gradebook._writing`): a
# reader that keeps a computed view (the review queue) knows by one query whether it is
# still current.
_WRITE_GENERATION = (
    "CREATE TABLE write_generation (id INTEGER NOT NULL PRIMARY KEY, generation INTEGER NOT NULL)",
    "INSERT INTO write_generation (id, generation) VALUES (1, 0)",
)

# Several assignments in one gradebook (the homeworks of one course): each run, graded part,
# override and audit entry says which it belongs to, and each run's rubric is kept whole
# (its text, its parameters', its reference module's), so every command reads a gradebook
# with the rubric it was graded with. Rows from before: '' until `_name_old_runs` names them.
_ASSIGNMENTS_AND_RUBRICS = (
    "ALTER TABLE grading_runs ADD COLUMN assignment_id VARCHAR DEFAULT '' NOT NULL",
    "ALTER TABLE graded_parts ADD COLUMN assignment_id VARCHAR DEFAULT '' NOT NULL",
    "ALTER TABLE overrides ADD COLUMN assignment_id VARCHAR DEFAULT '' NOT NULL",
    "ALTER TABLE audit_log ADD COLUMN assignment_id VARCHAR",
    "DROP INDEX uq_overrides_one_active",
    """CREATE UNIQUE INDEX uq_overrides_one_active
        ON overrides (assignment_id, student_id, question_id) WHERE active""",
    """CREATE INDEX ix_graded_parts_assignment_student_part_run
        ON graded_parts (assignment_id, student_id, part, run_id)""",
    """CREATE TABLE rubrics (
        content_hash VARCHAR NOT NULL,
        assignment_id VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        rubric_text TEXT NOT NULL,
        parameters_text TEXT,
        reference_text TEXT,
        stored_at DATETIME NOT NULL,
        PRIMARY KEY (content_hash)
    )""",
)


# A decision remembers the key points the person ticked (concept questions: what the
# suggestions learn from, issue #20) and the comment meant for the student, apart from the
# reason (which is for the audit), so reports show it (issue #21). NULL for older decisions.
_OVERRIDES_REMEMBER_KEY_POINTS_AND_COMMENT = (
    "ALTER TABLE overrides ADD COLUMN key_points VARCHAR",
    "ALTER TABLE overrides ADD COLUMN comment TEXT",
)


# When each student submitted and their extended due date, per assignment; and the comments
# a reviewer saved for a question, to apply to other answers with one key (issue #21).
_SUBMISSION_TIMES_AND_SAVED_COMMENTS = (
    """CREATE TABLE submission_times (
        assignment_id VARCHAR NOT NULL,
        student_id VARCHAR NOT NULL,
        submitted_at VARCHAR,
        extended_due VARCHAR,
        recorded_at DATETIME NOT NULL,
        PRIMARY KEY (assignment_id, student_id)
    )""",
    """CREATE TABLE saved_comments (
        id INTEGER NOT NULL,
        assignment_id VARCHAR NOT NULL,
        question_id VARCHAR NOT NULL,
        text TEXT NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at DATETIME NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT uq_saved_comments_text UNIQUE (assignment_id, question_id, text)
    )""",
)


def _name_old_runs(connection: Connection) -> None:
    """Best effort for gradebooks made before assignments were recorded: a run whose rubric file
    is still where it was read takes the assignment id written in it; its parts, and the
    overrides and audit entries of its students, follow. What cannot be named stays ''."""
    import tomllib
    from pathlib import Path

    named: dict[int, str] = {}
    for run_id, rubric_path in connection.execute(text("SELECT id, rubric_path FROM grading_runs")):
        try:
            table = tomllib.loads(Path(rubric_path).read_text(encoding="utf-8")).get(
                "assignment", {}
            )
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if isinstance(table, dict) and isinstance(table.get("id"), str) and table["id"]:
            named[run_id] = table["id"]
    for run_id, assignment in named.items():
        for statement in (
            "UPDATE grading_runs SET assignment_id = :a WHERE id = :r",
            "UPDATE graded_parts SET assignment_id = :a WHERE run_id = :r",
        ):
            connection.execute(text(statement), {"a": assignment, "r": run_id})
    if len(set(named.values())) == 1:  # one homework: every override and entry is its own
        (assignment,) = set(named.values())
        connection.execute(text("UPDATE overrides SET assignment_id = :a"), {"a": assignment})
        connection.execute(text("UPDATE audit_log SET assignment_id = :a"), {"a": assignment})


def _assignments_and_rubrics(connection: Connection) -> None:
    _run_statements(_ASSIGNMENTS_AND_RUBRICS)(connection)
    _name_old_runs(connection)


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_create_gradebook_tables", _run_statements(_CREATE_GRADEBOOK_TABLES)),
    Migration("0002_create_notebook_runs", _run_statements(_CREATE_NOTEBOOK_RUNS)),
    Migration(
        "0003_overrides_remember_what_they_judged",
        _run_statements(_OVERRIDES_REMEMBER_WHAT_THEY_JUDGED),
    ),
    Migration("0004_write_generation", _run_statements(_WRITE_GENERATION)),
    Migration("0005_assignments_and_rubrics", _assignments_and_rubrics),
    Migration(
        "0006_overrides_remember_key_points_and_comment",
        _run_statements(_OVERRIDES_REMEMBER_KEY_POINTS_AND_COMMENT),
    ),
    Migration(
        "0007_submission_times_and_saved_comments",
        _run_statements(_SUBMISSION_TIMES_AND_SAVED_COMMENTS),
    ),
)


# PostgreSQL has no rowid: the table numbers its rows itself.
_CREATE_MIGRATIONS_TABLE = {
    "sqlite": f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
    "name VARCHAR NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL)",
    "postgresql": f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
    "name VARCHAR NOT NULL PRIMARY KEY, applied_at TIMESTAMP WITH TIME ZONE NOT NULL, "
    "position SERIAL NOT NULL)",
}
_ORDER_COLUMN = {"sqlite": "rowid", "postgresql": "position"}


def _dialect(connection: Connection) -> str:
    name = connection.dialect.name
    if name not in _CREATE_MIGRATIONS_TABLE:
        raise GradebookError(
            f"the gradebook cannot live in a {name} database",
            hint="use a SQLite file or a PostgreSQL database",
        )
    return name


def applied_migrations(connection: Connection) -> list[str]:
    """Names already recorded in the gradebook, in the order they were applied."""
    order = _ORDER_COLUMN[_dialect(connection)]
    rows = connection.execute(text(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY {order}"))
    return [name for (name,) in rows]


def apply_migrations(
    connection: Connection, migrations: Sequence[Migration] = MIGRATIONS
) -> list[str]:
    """Apply the migrations not yet recorded; return their names.

    The caller owns the transaction: run this inside one that holds the write lock
    (BEGIN IMMEDIATE on SQLite, the writer's advisory lock on PostgreSQL: see
    `database.write_engine`) so that a failed migration leaves nothing behind and two
    processes opening a new gradebook at once do not both migrate it.
    """
    dialect = _dialect(connection)
    connection.exec_driver_sql(_CREATE_MIGRATIONS_TABLE[dialect])
    already = applied_migrations(connection)
    known = {migration.name for migration in migrations}
    unknown = [name for name in already if name not in known]
    if unknown:
        raise GradebookError(
            f"written by a newer hw-grader (unknown migrations: {', '.join(unknown)})",
            hint="upgrade hw-grader, or use a new gradebook file",
        )
    newly_applied: list[str] = []
    for migration in migrations:
        if migration.name in already:
            continue
        migration.apply(connection)
        connection.execute(
            text(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (:name, :at)"),
            {"name": migration.name, "at": _applied_at(dialect)},
        )
        newly_applied.append(migration.name)
    return newly_applied


def _applied_at(dialect: str) -> str | datetime:
    # SQLite keeps the text it was given (as before); PostgreSQL binds a timestamp.
    now = datetime.now(UTC)
    return now.isoformat(sep=" ") if dialect == "sqlite" else now
