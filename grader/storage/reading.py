"""Read queries over the gradebook: current grades with overrides applied, audit, runs.

Job: build `StudentGrades` from the latest run per (student, part) with each
active override applied on read, list audit entries and runs as plain
dicts, and recount what a run stored. Every function takes a Session from the caller. Must not write, commit
or open sessions of its own.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, select
from sqlalchemy.orm import Session

from grader.deadlines import Deadline, lateness
from grader.results import (
    GradedQuestion,
    Override,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    StudentGrades,
    awaits_confirmation,
    needs_attention,
)
from grader.rubric.catalogue import QuestionCatalogue, assignment_maximum, natural_key
from grader.storage.models import (
    AuditRow,
    GradedPartRow,
    GradingRunRow,
    OverrideRow,
    QuestionResultRow,
    RubricRow,
    SubmissionTimeRow,
)

# Dict lookups: calling the enum class costs as much as the rest of building a result.
_STATUS_BY_VALUE: dict[str, Status] = {status.value: status for status in Status}
_REVIEW_REASON_BY_VALUE: dict[str, ReviewReason] = {reason.value: reason for reason in ReviewReason}
_PART_RANK: dict[str, int] = {part.value: rank for rank, part in enumerate(Part)}


def _part_rank(part: str) -> tuple[int, str]:
    """Written, then notebooks (the Part enum's order), then any other stored part."""
    return (_PART_RANK.get(part, len(_PART_RANK)), part)


def _question_sort(catalogue: QuestionCatalogue | None) -> Callable[[str], Any]:
    """Rubric order when the caller has the rubric's catalogue, else natural id order."""
    return catalogue.order_key if catalogue is not None else natural_key


def _latest_runs(session: Session, student_id: str | None, assignment: str | None) -> Any:
    """(student, part, run_id) of the latest run per student and part, of one assignment."""
    latest = select(
        GradedPartRow.student_id,
        GradedPartRow.part,
        func.max(GradedPartRow.run_id).label("run_id"),
    ).group_by(GradedPartRow.student_id, GradedPartRow.part)
    if student_id is not None:
        latest = latest.where(GradedPartRow.student_id == student_id)
    if assignment is not None:
        latest = latest.where(GradedPartRow.assignment_id == assignment)
    return latest.subquery()


def latest_grades(
    session: Session,
    student_id: str | None = None,
    *,
    catalogue: QuestionCatalogue | None = None,
    assignment: str | None = None,
) -> list[StudentGrades]:
    """Each student's results from the latest run per part (of `assignment`), overrides applied,
    by student id.

    Questions are listed part by part, each part in `catalogue` order when given.
    """
    question_sort = _question_sort(catalogue)
    latest_runs = _latest_runs(session, student_id, assignment)

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
    if assignment is not None:
        active = active.where(OverrideRow.assignment_id == assignment)
    overrides = {(row.student_id, row.question_id): row for row in session.scalars(active)}

    parts_by_student: dict[str, list[GradedPartRow]] = defaultdict(list)
    for part_row in parts:
        parts_by_student[part_row.student_id].append(part_row)
    results_by_part: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for result in results:
        results_by_part[(result.student_id, result.part)].append(result)

    grades: list[StudentGrades] = []
    for sid in sorted(parts_by_student):
        student_parts = sorted(parts_by_student[sid], key=lambda row: _part_rank(row.part))
        questions: list[GradedQuestion] = []
        for part_row in student_parts:
            part_results = sorted(
                results_by_part[(sid, part_row.part)],
                key=lambda row: question_sort(row.question_id),
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
    if catalogue is not None and catalogue.deadline is not None:
        grades = _with_lateness(session, grades, catalogue, catalogue.deadline, assignment)
    return grades


def _with_lateness(
    session: Session,
    grades: list[StudentGrades],
    catalogue: QuestionCatalogue,
    deadline: Deadline,
    assignment: str | None,
) -> list[StudentGrades]:
    """Each student with a recorded submission time gets their lateness under the rubric's
    deadline and their extension (computed now: a changed policy or extension applies at once)."""
    query = select(SubmissionTimeRow)
    if assignment is not None:
        query = query.where(SubmissionTimeRow.assignment_id == assignment)
    rows = {row.student_id: row for row in session.scalars(query)}
    updated = []
    for grades_of in grades:
        row = rows.get(grades_of.student_id)
        if row is None or not row.submitted_at:
            updated.append(grades_of)
            continue
        late = lateness(
            datetime.fromisoformat(row.submitted_at),
            deadline,
            extended_due=datetime.fromisoformat(row.extended_due) if row.extended_due else None,
            earned=grades_of.questions_total,
            maximum=assignment_maximum(
                {q.question_id: q.max_points for q in grades_of.questions}, catalogue
            ),
        )
        updated.append(dataclasses.replace(grades_of, late=late))
    return updated


def _graded_question(row: Row[Any], override: OverrideRow | None) -> GradedQuestion:
    result = QuestionResult(
        question_id=row.question_id,
        points=row.points,
        max_points=row.max_points,
        status=_STATUS_BY_VALUE[row.status],
        answer_text=row.answer_text,
        answer_read=row.answer_read,
        convention=row.convention,
        diagnosis=row.diagnosis,
        feedback=row.feedback,
        expected=row.expected,
        review_reason=_REVIEW_REASON_BY_VALUE[row.review_reason] if row.review_reason else None,
        details=row.details,
    )
    if override is None:
        return GradedQuestion(result)
    # A person decided: their points count, the grader's stay visible beside them.
    return GradedQuestion(
        result,
        Override(
            points=override.points,
            reason=override.reason,
            actor=override.actor,
            judged_max_points=override.judged_max_points,
            judged_answer_hash=override.judged_answer_hash,
            override_id=override.id,
            key_points=_ticked(override.key_points),
            comment=override.comment or "",
        ),
    )


def _ticked(stored: str | None) -> tuple[bool, ...] | None:
    """Key points as stored ("101"), or None when the decision did not say."""
    if not stored or set(stored) - {"0", "1"}:
        return None
    return tuple(mark == "1" for mark in stored)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def audit_entries(
    session: Session, student_id: str | None = None, *, assignment: str | None = None
) -> list[dict[str, Any]]:
    """The audit log, oldest first, optionally for one student (and one assignment)."""
    query = select(AuditRow).order_by(AuditRow.id)
    if student_id is not None:
        query = query.where(AuditRow.student_id == student_id)
    if assignment is not None:
        query = query.where(AuditRow.assignment_id == assignment)
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
            "assignment": row.assignment_id,
        }
        for row in session.scalars(query)
    ]


def runs(session: Session) -> list[dict[str, Any]]:
    """Every grading run, oldest first, with its rubric, options and counts."""
    return [
        _run_dict(row) for row in session.scalars(select(GradingRunRow).order_by(GradingRunRow.id))
    ]


def run(session: Session, run_id: int) -> dict[str, Any] | None:
    """One grading run like `runs()` lists it, or None."""
    row = session.get(GradingRunRow, run_id)
    return None if row is None else _run_dict(row)


def run_counts(session: Session, run_ids: Sequence[int] | None = None) -> dict[int, dict[str, Any]]:
    """Per run (every run, or `run_ids`): what it stored so far, recounted from its rows.

    `students` graded in any part, `parts` (students per part), `needs_attention`
    (students with a result a person must act on) and `concept_reviews` (concept
    suggestions awaiting confirmation), from the run's own results before overrides.
    """
    ids = (
        list(session.scalars(select(GradingRunRow.id))) if run_ids is None else sorted(set(run_ids))
    )
    counts: dict[int, dict[str, Any]] = {
        run_id: {"students": 0, "parts": {}, "needs_attention": 0, "concept_reviews": 0}
        for run_id in ids
    }
    if not ids:
        return counts
    students = select(
        GradedPartRow.run_id, func.count(func.distinct(GradedPartRow.student_id))
    ).where(GradedPartRow.run_id.in_(ids))
    for run_id, count in session.execute(students.group_by(GradedPartRow.run_id)):
        counts[run_id]["students"] = count
    per_part = select(GradedPartRow.run_id, GradedPartRow.part, func.count()).where(
        GradedPartRow.run_id.in_(ids)
    )
    for run_id, part, count in session.execute(
        per_part.group_by(GradedPartRow.run_id, GradedPartRow.part)
    ):
        counts[run_id]["parts"][part] = count
    waiting = select(
        QuestionResultRow.run_id,
        QuestionResultRow.student_id,
        QuestionResultRow.status,
        QuestionResultRow.review_reason,
    ).where(
        QuestionResultRow.run_id.in_(ids),
        QuestionResultRow.status.in_([Status.NEEDS_REVIEW.value, Status.ERROR.value]),
    )
    attention: dict[int, set[str]] = defaultdict(set)
    for run_id, student_id, status, reason in session.execute(waiting):
        status_value = _STATUS_BY_VALUE[status]
        reason_value = _REVIEW_REASON_BY_VALUE[reason] if reason else None
        if needs_attention(status_value, reason_value):
            attention[run_id].add(student_id)
        elif awaits_confirmation(status_value, reason_value):
            counts[run_id]["concept_reviews"] += 1
    for run_id, attention_students in attention.items():
        counts[run_id]["needs_attention"] = len(attention_students)
    return counts


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
        "assignment": row.assignment_id,
    }


def assignment_ids(session: Session) -> list[str]:
    """Every assignment with a run, in the order of its first run."""
    rows = session.execute(
        select(GradingRunRow.assignment_id, func.min(GradingRunRow.id))
        .group_by(GradingRunRow.assignment_id)
        .order_by(func.min(GradingRunRow.id))
    )
    return [assignment for assignment, _ in rows]


def latest_rubric_hashes(
    session: Session, assignment: str | None
) -> dict[str, dict[str, tuple[int, str]]]:
    """Per student and part: (run id, rubric hash) of the run their current grades come from."""
    latest_runs = _latest_runs(session, None, assignment)
    rows = session.execute(
        select(
            latest_runs.c.student_id,
            latest_runs.c.part,
            GradingRunRow.id,
            GradingRunRow.rubric_hash,
        ).join(GradingRunRow, GradingRunRow.id == latest_runs.c.run_id)
    )
    found: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for student_id, part, run_id, rubric_hash in rows:
        found[student_id][part] = (run_id, rubric_hash)
    return dict(found)


def rubric_texts(session: Session, content_hash: str) -> dict[str, Any] | None:
    """A stored rubric (`rubrics` row) as a dict, or None when the gradebook has not kept it."""
    row = session.get(RubricRow, content_hash)
    if row is None:
        return None
    return {
        "content_hash": row.content_hash,
        "assignment": row.assignment_id,
        "path": row.path,
        "rubric": row.rubric_text,
        "parameters": row.parameters_text,
        "reference": row.reference_text,
        "stored_at": _iso(row.stored_at),
    }
