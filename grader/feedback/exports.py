"""Gradebook exports: JSON for tools and CSV for a spreadsheet (LMS formats: `lms_exports`).

Both are pure functions from StudentGrades and the rubric's question catalogue
to text, in a stable order (students in natural id order, questions in rubric
order). They must not write files or include student answers: only ids,
titles, points, statuses, conventions and feedback.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from grader.feedback.values import as_status, format_number
from grader.results import GradedQuestion, Part, Status, StudentGrades
from grader.rubric.catalogue import QuestionCatalogue, natural_key

# A spreadsheet runs a cell starting with one of these as a formula ("=HYPERLINK(...)").
# Tab and carriage return are on OWASP's list too: some importers strip them first.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _json_number(value: float) -> int | float:
    """A whole number as a JSON int (2, not 2.0); non-finite values are refused by json.dumps."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _question_record(question: GradedQuestion, questions: QuestionCatalogue) -> dict[str, Any]:
    status = as_status(question.status)
    info = questions.describe(question.question_id)
    record: dict[str, Any] = {
        "id": question.question_id,
        "title": info.title,
        "points": _json_number(question.points),
        "max_points": _json_number(question.max_points),
        "status": status.value if status is not None else str(question.status),
        "convention": question.convention,
        "feedback": question.feedback,
        "overridden": bool(question.overridden),
    }
    if info.part is Part.NOTEBOOKS:
        accuracy = question.details.get("accuracy")
        record["accuracy"] = accuracy if isinstance(accuracy, int | float) else None
        flags = question.details.get("flags")
        record["flags"] = [str(flag) for flag in flags] if isinstance(flags, list) else []
    return record


def max_total(grades: StudentGrades, questions: QuestionCatalogue) -> float:
    """The same maximum for every student: each rubric question's maximum (as stored for the
    student when graded, else the rubric's), plus any stored question the rubric lacks."""
    stored = {q.question_id: q.max_points for q in grades.questions}
    rubric_ids = set(questions.ids())
    total = sum(stored.get(q.id, q.points) for q in questions)
    total += sum(points for qid, points in stored.items() if qid not in rubric_ids)
    return round(total, 2)


def export_json(all_grades: Sequence[StudentGrades], questions: QuestionCatalogue) -> str:
    """All students' points per question as JSON: {"students": [{student, total, max_total, questions}]}.

    Every question carries its status: a suggestion awaiting a person is `needs_review`,
    not a plain number. Raises ValueError when a score is NaN or infinite, rather than
    writing invalid JSON.
    """
    students = [
        {
            "student": grades.student_id,
            "total": _json_number(grades.total),
            "max_total": _json_number(max_total(grades, questions)),
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


def csv_safe_text(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character gets a quote prefix."""
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def export_columns(all_grades: Sequence[StudentGrades], questions: QuestionCatalogue) -> list[str]:
    """The CSV's question columns: every rubric question in rubric order, then stored extras."""
    stored = {q.question_id for grades in all_grades for q in grades.questions}
    return questions.ordered(stored | set(questions.ids()))


def export_csv(all_grades: Sequence[StudentGrades], questions: QuestionCatalogue) -> str:
    """One row per student: student, each question's points and status, total, max_total.

    A question the student lacks is an empty cell with status `missing`; the status
    column tells a confirmed score from a suggestion (`needs_review`) or an `error`.
    max_total is the same for every row. Lines end with "\\n".
    """
    question_ids = export_columns(all_grades, questions)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["student"]
    for qid in question_ids:
        header += [qid, f"{qid} status"]
    writer.writerow([*header, "total", "max_total"])
    for grades in sorted(all_grades, key=lambda g: natural_key(g.student_id)):
        by_id = {q.question_id: q for q in grades.questions}
        cells = [csv_safe_text(grades.student_id)]
        for qid in question_ids:
            question = by_id.get(qid)
            if question is None:
                cells += ["", Status.MISSING.value]
            else:
                cells += [format_number(question.points), question.status.value]
        writer.writerow(
            [*cells, format_number(grades.total), format_number(max_total(grades, questions))]
        )
    return buffer.getvalue()
