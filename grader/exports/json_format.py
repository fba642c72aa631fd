"""`json`: every student's points per question with status, convention, feedback and (notebook
questions) the measured accuracy and flags; for tools. Must not write files or include
student answers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from grader.exports.common import ExportFormat, ExportOutput, ExportRequest, json_number, max_total
from grader.feedback.values import as_status
from grader.results import GradedQuestion, Part, Status, StudentGrades
from grader.rubric.catalogue import QuestionCatalogue, natural_key


def _question_record(question: GradedQuestion, questions: QuestionCatalogue) -> dict[str, Any]:
    status = as_status(question.status)
    info = questions.describe(question.question_id)
    record: dict[str, Any] = {
        "id": question.question_id,
        "title": info.title,
        "points": json_number(question.points),
        "max_points": json_number(question.max_points),
        "status": status.value if status is not None else str(question.status),
        "convention": question.convention,
        "feedback": question.feedback,
        "overridden": bool(question.overridden),
    }
    decision = question.decision
    if decision is not None:
        record["decision"] = {
            "points": json_number(decision.points),
            "suggested_points": json_number(question.result.points),
            "reason": decision.reason,
            "comment": decision.comment,
            "by": decision.actor,
            "key_points": [
                {"key_point": name, "covered": mark} for name, mark in question.decided_key_points
            ],
        }
    if info.part is Part.NOTEBOOKS:
        measure = str(question.details.get("measure") or "accuracy")
        value = question.details.get("value", question.details.get("accuracy"))
        record["measure"] = measure
        record["value"] = value if isinstance(value, int | float) else None
        record["accuracy"] = record["value"] if measure == "accuracy" else None
        flags = question.details.get("flags")
        record["flags"] = [str(flag) for flag in flags] if isinstance(flags, list) else []
    return record


def _late_record(grades: StudentGrades) -> dict[str, Any]:
    """The deadline's line of its own: questions_total, then what lateness took off."""
    late = grades.late
    if late is None:
        return {}
    return {
        "questions_total": json_number(grades.questions_total),
        "late": {
            "submitted_at": late.submitted_at.isoformat(),
            "due": late.due.isoformat(),
            "extended": late.extended,
            "late_minutes": round(late.late_by.total_seconds() / 60),
            "penalty": json_number(late.penalty),
            "accepted": late.accepted,
            "words": late.words,
        },
    }


def export_json(all_grades: Sequence[StudentGrades], questions: QuestionCatalogue) -> str:
    """All students' points per question as JSON: {"students": [{student, total, max_total, questions}]}.

    Every question carries its status: a suggestion awaiting a person is `needs_review`,
    not a plain number. Raises ValueError when a score is NaN or infinite, rather than
    writing invalid JSON.
    """
    students = [
        {
            "student": grades.student_id,
            "total": json_number(grades.total) if grades.submitted else None,
            "submitted": grades.submitted,
            "max_total": json_number(max_total(grades, questions)),
            **_late_record(grades),
            "awaiting_a_person": sum(
                1 for q in grades.questions if q.status is Status.NEEDS_REVIEW
            ),
            "questions": [
                _question_record(q, questions)
                for q in sorted(grades.questions, key=lambda q: questions.order_key(q.question_id))
            ],
        }
        for grades in sorted(all_grades, key=lambda g: natural_key(g.student_id))
    ]
    return json.dumps({"students": students}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _export(request: ExportRequest) -> ExportOutput:
    return ExportOutput(text=export_json(request.grades, request.catalogue))


FORMAT = ExportFormat("json", "the same with status, feedback and accuracy (for tools)", _export)
