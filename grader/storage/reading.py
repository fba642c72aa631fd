"""Read queries over the gradebook: current grades with overrides applied, audit, runs.

Job: build `StudentGrades` from the latest run per (student, part) with each
active override applied on read, and list audit entries and runs as plain
dicts. Every function takes a Session from the caller. Must not write, commit
or open sessions of its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, select
from sqlalchemy.orm import Session

from grader.results import GradedQuestion, ReviewReason, Status, StudentGrades
from grader.storage.models import (
    AuditRow,
    GradedPartRow,
    GradingRunRow,
    OverrideRow,
    QuestionResultRow,
)

# Parts in the order a student's questions are listed; unknown parts come after.
PART_ORDER: tuple[str, ...] = ("written", "notebooks")

_NUMBERED_QUESTION = re.compile(r"q(\d+)")
# Dict lookups: calling the enum class costs as much as the rest of building a result.
_STATUS_BY_VALUE: dict[str, Status] = {status.value: status for status in Status}
_REVIEW_REASON_BY_VALUE: dict[str, ReviewReason] = {reason.value: reason for reason in ReviewReason}


def question_order(question_id: str) -> tuple[int, int, str]:
    """Sort key: q1..q21 by number, then any other id (e.g. "p1.scratch") alphabetically."""
    numbered = _NUMBERED_QUESTION.fullmatch(question_id)
    if numbered:
        return (0, int(numbered.group(1)), question_id)
    return (1, 0, question_id)


def part_order(part: str) -> tuple[int, str]:
    """Sort key: written, then notebooks, then any other part alphabetically."""
    return (PART_ORDER.index(part), "") if part in PART_ORDER else (len(PART_ORDER), part)


def latest_grades(session: Session, student_id: str | None = None) -> list[StudentGrades]:
    """Each student's results from the latest run per part, overrides applied, by student id."""
    latest = select(
        GradedPartRow.student_id,
        GradedPartRow.part,
        func.max(GradedPartRow.run_id).label("run_id"),
    ).group_by(GradedPartRow.student_id, GradedPartRow.part)
    if student_id is not None:
        latest = latest.where(GradedPartRow.student_id == student_id)
    latest_runs = latest.subquery()

    parts = session.scalars(
        select(GradedPartRow).join(
            latest_runs,
            and_(
                GradedPartRow.student_id == latest_runs.c.student_id,
                GradedPartRow.part == latest_runs.c.part,
                GradedPartRow.run_id == latest_runs.c.run_id,
            ),
        )
    ).all()
    if not parts:
        return []
    # Plain rows, not ORM objects: a full class is 21,000 results and this is read often.
    results = session.execute(
        select(QuestionResultRow.__table__).join(
            latest_runs,
            and_(
                QuestionResultRow.student_id == latest_runs.c.student_id,
                QuestionResultRow.part == latest_runs.c.part,
                QuestionResultRow.run_id == latest_runs.c.run_id,
            ),
        )
    ).all()
    active = select(OverrideRow).where(OverrideRow.active.is_(True))
    if student_id is not None:
        active = active.where(OverrideRow.student_id == student_id)
    overrides = {(row.student_id, row.question_id): row for row in session.scalars(active)}

    parts_by_student: dict[str, list[GradedPartRow]] = defaultdict(list)
    for part_row in parts:
        parts_by_student[part_row.student_id].append(part_row)
    results_by_part: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for result in results:
        results_by_part[(result.student_id, result.part)].append(result)

    grades: list[StudentGrades] = []
    for sid in sorted(parts_by_student):
        student_parts = sorted(parts_by_student[sid], key=lambda row: part_order(row.part))
        questions: list[GradedQuestion] = []
        for part_row in student_parts:
            part_results = sorted(
                results_by_part[(sid, part_row.part)],
                key=lambda row: question_order(row.question_id),
            )
            questions.extend(
                _graded_question(row, overrides.get((sid, row.question_id))) for row in part_results
            )
        source_paths = [row.source_path for row in student_parts if row.source_path is not None]
        grades.append(
            StudentGrades(
                student_id=sid,
                run_id=max(row.run_id for row in student_parts),
                source_path=source_paths[0] if source_paths else None,
                problems=tuple(problem for row in student_parts for problem in row.problems),
                questions=tuple(questions),
            )
        )
    return grades


def _graded_question(row: Row[Any], override: OverrideRow | None) -> GradedQuestion:
    fields: dict[str, Any] = {
        "question_id": row.question_id,
        "points": row.points,
        "max_points": row.max_points,
        "status": _STATUS_BY_VALUE[row.status],
        "answer_text": row.answer_text,
        "answer_read": row.answer_read,
        "convention": row.convention,
        "diagnosis": row.diagnosis,
        "feedback": row.feedback,
        "expected": row.expected,
        "review_reason": _REVIEW_REASON_BY_VALUE[row.review_reason] if row.review_reason else None,
        "details": row.details,
    }
    if override is not None:
        # A person decided: their points count, the grader's stay visible beside them.
        fields.update(
            points=override.points,
            status=Status.GRADED,
            overridden=True,
            override_reason=override.reason,
            suggested_points=row.points,
        )
    return GradedQuestion(**fields)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def audit_entries(session: Session, student_id: str | None = None) -> list[dict[str, Any]]:
    """The audit log, oldest first, optionally for one student."""
    query = select(AuditRow).order_by(AuditRow.id)
    if student_id is not None:
        query = query.where(AuditRow.student_id == student_id)
    return [
        {
            "id": row.id,
            "at": _iso(row.at),
            "actor": row.actor,
            "action": row.action,
            "student_id": row.student_id,
            "question_id": row.question_id,
            "before": row.before,
            "after": row.after,
        }
        for row in session.scalars(query)
    ]


def runs(session: Session) -> list[dict[str, Any]]:
    """Every grading run, oldest first, with its rubric, options and counts."""
    return [
        _run_dict(row) for row in session.scalars(select(GradingRunRow).order_by(GradingRunRow.id))
    ]


def _run_dict(row: GradingRunRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "rubric_path": row.rubric_path,
        "rubric_hash": row.rubric_hash,
        "tool_version": row.tool_version,
        "options": row.options,
        "counts": row.counts,
    }
