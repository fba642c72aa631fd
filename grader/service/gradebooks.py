"""Open the gradebook a use case names: created on first grading, required to exist otherwise.

A gradebook is a SQLite file path or a SQLAlchemy URL (`postgresql+psycopg://…`); see
`grader.storage.database`. Must not read or write grades itself; the use cases do,
through `Gradebook`.
"""

from __future__ import annotations

from grader.storage import Gradebook, GradebookTarget, open_gradebook


def open_or_create(db: GradebookTarget) -> Gradebook:
    """The gradebook `db`, created (with its schema) when missing: what grading writes to."""
    return Gradebook(open_gradebook(db))


def open_existing(db: GradebookTarget | Gradebook) -> Gradebook:
    """The gradebook `db`, which must already exist (reading or overriding never makes one).

    A long-lived caller (the review service) opens it once and passes the Gradebook.
    """
    if isinstance(db, Gradebook):
        return db
    return Gradebook(open_gradebook(db, create=False))
