"""Insert-or-ignore and upsert statements for the gradebook's database, whichever it is.

Job: the one place that knows SQL dialects. SQLite and PostgreSQL both spell these
`INSERT … ON CONFLICT (key) DO NOTHING / DO UPDATE SET …`, and SQLAlchemy gives both
the same `on_conflict_*` API on their own `insert`; this module picks that `insert`
from the session's dialect name, so the gradebook's writes carry no dialect import.

Must not: execute anything, open sessions, or fall back to a generic insert for a
dialect it does not know (that would turn "ignore a duplicate" into an error, or
an upsert into a duplicate row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from grader.errors import GradebookError

SUPPORTED_DIALECTS = ("sqlite", "postgresql")


def dialect_name(session: Session) -> str:
    """The name of the SQL dialect the session writes to (`sqlite`, `postgresql`, …)."""
    return session.get_bind().dialect.name


def _insert(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise GradebookError(
        f"the gradebook cannot write to a {dialect} database",
        hint=f"use one of: {', '.join(SUPPORTED_DIALECTS)}",
    )


def insert_or_ignore(dialect: str, table: Table, key_columns: Sequence[str]) -> Insert:
    """INSERT that skips rows whose `key_columns` (a unique key) already exist."""
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(key_columns))


def upsert(
    dialect: str, table: Table, key_columns: Sequence[str], update_columns: Iterable[str]
) -> Insert:
    """INSERT whose rows replace `update_columns` of a stored row with the same `key_columns`.

    The new values are the inserted row's (`excluded.<column>`), so one statement serves
    an executemany over many rows.
    """
    statement = _insert(dialect, table)
    updated = {name: statement.excluded[name] for name in update_columns}
    return statement.on_conflict_do_update(index_elements=list(key_columns), set_=updated)
