"""Store and read executed-notebook records (status, failing cell, the executed file, gzip-compressed).

Called by `Gradebook` inside its write transaction; it must not open its own
sessions or decide what a notebook's status is.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grader.results import NotebookRunRecord, NotebookRunStatus
from grader.storage.models import GradingRunRow, NotebookRunRow, StudentRow

MAX_STORED_NOTEBOOK_BYTES = (
    20 * 2**20
)  # larger executed notebooks are not stored, the status still is


def store_notebook_runs(
    session: Session, run_id: int, records: Sequence[NotebookRunRecord], *, now: datetime
) -> None:
    """Upsert by (run, student, notebook): a task that ran twice is stored once."""
    for record in records:
        if session.get(StudentRow, record.student_id) is None:
            session.add(StudentRow(id=record.student_id, created_at=now))
            session.flush()
        session.execute(
            delete(NotebookRunRow).where(
                NotebookRunRow.run_id == run_id,
                NotebookRunRow.student_id == record.student_id,
                NotebookRunRow.notebook == record.notebook,
            )
        )
        executed = record.executed_notebook
        stored = (
            gzip.compress(executed, mtime=0)
            if executed is not None and len(executed) <= MAX_STORED_NOTEBOOK_BYTES
            else None
        )
        session.add(
            NotebookRunRow(
                run_id=run_id,
                student_id=record.student_id,
                notebook=record.notebook,
                status=record.status,
                failed_cell=record.failed_cell,
                error_name=record.error_name,
                error_value=record.error_value,
                traceback=record.traceback,
                message=record.message,
                wall_seconds=record.wall_seconds,
                executed_notebook=stored,
                recorded_at=now,
            )
        )


def read_notebook_runs(
    session: Session, student_id: str, run_id: int | None = None, *, assignment: str | None = None
) -> list[NotebookRunRecord]:
    """The student's notebook records of `run_id`, or of the latest run (of `assignment`) with any."""
    if run_id is None:
        latest = (
            select(NotebookRunRow.run_id)
            .where(NotebookRunRow.student_id == student_id)
            .order_by(NotebookRunRow.run_id.desc())
            .limit(1)
        )
        if assignment is not None:
            latest = latest.join(GradingRunRow, GradingRunRow.id == NotebookRunRow.run_id).where(
                GradingRunRow.assignment_id == assignment
            )
        run_id = session.scalar(latest)
        if run_id is None:
            return []
    rows = session.scalars(
        select(NotebookRunRow)
        .where(NotebookRunRow.student_id == student_id, NotebookRunRow.run_id == run_id)
        .order_by(NotebookRunRow.notebook)
    )
    return [
        NotebookRunRecord(
            student_id=row.student_id,
            notebook=row.notebook,
            status=NotebookRunStatus(row.status),
            message=row.message,
            failed_cell=row.failed_cell,
            error_name=row.error_name,
            error_value=row.error_value,
            traceback=row.traceback,
            wall_seconds=row.wall_seconds,
            executed_notebook=gzip.decompress(row.executed_notebook)
            if row.executed_notebook
            else None,
        )
        for row in rows
    ]
