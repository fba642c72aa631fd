"""Open the gradebook a use case names: created on first grading, required to exist otherwise.

Must not read or write grades itself; the use cases do, through `Gradebook`.
"""

from __future__ import annotations

from pathlib import Path

from grader.errors import GradebookError
from grader.storage import Gradebook, open_gradebook


def open_or_create(db: Path) -> Gradebook:
    """The gradebook file `db`, created (with its schema) when missing: what grading writes to."""
    return Gradebook(open_gradebook(db))


def open_existing(db: Path) -> Gradebook:
    """The gradebook file `db`, which must already exist (reading or overriding never makes one)."""
    if not Path(db).exists():
        raise GradebookError(
            "no gradebook here", path=db, hint="run `grader grade` first or pass --db"
        )
    return Gradebook(open_gradebook(db))
