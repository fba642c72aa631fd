"""`csv`: one row per student: each question's points and status, the total and the rubric's
maximum; for a spreadsheet. Must not write files or include student answers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grader.exports.common import (
    ExportFormat,
    ExportOutput,
    ExportRequest,
    csv_safe_text,
    max_total,
)
from grader.feedback.values import format_number
from grader.results import Status, StudentGrades
from grader.rubric.catalogue import QuestionCatalogue, natural_key


def export_columns(all_grades: Sequence[StudentGrades], questions: QuestionCatalogue) -> list[str]:
    """The CSV's question columns: every rubric question in rubric order, then stored extras."""
    stored = {q.question_id for grades in all_grades for q in grades.questions}
    return questions.ordered(stored | set(questions.ids()))


def export_csv(all_grades: Sequence[StudentGrades], questions: QuestionCatalogue) -> str:
    """One row per student: student, each question's points and status, total, max_total;
    with a due date in the rubric, a late_penalty column before the total (which is after it).

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
    late = questions.deadline is not None or any(g.late is not None for g in all_grades)
    writer.writerow([*header, *(["late_penalty"] if late else []), "total", "max_total"])
    for grades in sorted(all_grades, key=lambda g: natural_key(g.student_id)):
        by_id = {q.question_id: q for q in grades.questions}
        cells = [csv_safe_text(grades.student_id)]
        for qid in question_ids:
            question = by_id.get(qid)
            if question is None or not grades.submitted:
                cells += ["", Status.MISSING.value]
            else:
                cells += [format_number(question.points), question.status.value]
        total = format_number(grades.total) if grades.submitted else ""
        penalty = (
            [format_number(grades.late_penalty) if grades.late_penalty else ""] if late else []
        )
        writer.writerow([*cells, *penalty, total, format_number(max_total(grades, questions))])
    return buffer.getvalue()


def _export(request: ExportRequest) -> ExportOutput:
    return ExportOutput(text=export_csv(request.grades, request.catalogue))


FORMAT = ExportFormat(
    "csv", "points and status per question, total and max_total (a spreadsheet)", _export
)
