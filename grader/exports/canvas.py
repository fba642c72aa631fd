"""`canvas`: Canvas's gradebook import CSV (the five student columns, one assignment column
"<title> (<id>)", optionally a column per question, and a Points Possible row).

Canvas has no status column, so students whose scores still wait for a person are named
in a warning. Must not write files or include student answers.
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
    ordered_students,
    pending_students,
    roster_entry,
)
from grader.feedback.values import format_number
from grader.results import StudentGrades
from grader.roster import Roster
from grader.rubric.catalogue import QuestionCatalogue

CANVAS_FIXED_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def export_canvas(
    all_grades: Sequence[StudentGrades],
    questions: QuestionCatalogue,
    *,
    roster: Roster | None,
    assignment_title: str,
    assignment_id: str | None = None,
    per_question: bool = False,
) -> str:
    """Canvas gradebook import CSV: the five student columns, one assignment column
    "<title> (<id>)" (plus, if asked, one column per question), and a Points Possible row.
    """
    assignment = f"{assignment_title} ({assignment_id})" if assignment_id else assignment_title
    question_ids = list(questions.ids()) if per_question else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [*CANVAS_FIXED_COLUMNS, assignment, *(f"{assignment_title}: {qid}" for qid in question_ids)]
    )
    ordered = ordered_students(all_grades, roster)
    possible = max_total(ordered[0], questions) if ordered else questions.points()
    writer.writerow(
        [
            "Points Possible",
            "",
            "",
            "",
            "",
            format_number(possible),
            *(format_number(questions[qid].points) for qid in question_ids),
        ]
    )
    for grades in ordered:
        entry = roster_entry(roster, grades.student_id)
        by_id = {q.question_id: q for q in grades.questions}
        writer.writerow(
            [
                csv_safe_text(entry.name or grades.student_id),
                csv_safe_text(entry.lms_id),
                csv_safe_text(entry.sis_user_id),
                csv_safe_text(entry.login),
                csv_safe_text(entry.section),
                format_number(grades.total),
                *(format_number(by_id[qid].points) if qid in by_id else "" for qid in question_ids),
            ]
        )
    return buffer.getvalue()


def _export(request: ExportRequest) -> ExportOutput:
    text = export_canvas(
        request.grades,
        request.catalogue,
        roster=request.roster,
        assignment_title=request.assignment_title,
        assignment_id=request.assignment_id,
        per_question=request.per_question,
    )
    pending = pending_students(request.grades)
    warnings: tuple[str, ...] = ()
    if pending:
        warnings = (
            f"{len(pending)} student(s) have scores that still wait for a person: "
            f"{', '.join(pending[:20])} (fix: confirm them with `grader review` or "
            "`grader override` before the import)",
        )
    return ExportOutput(text=text, warnings=warnings)


FORMAT = ExportFormat(
    "canvas",
    "Canvas gradebook import CSV (--roster for Canvas ids, --assignment-id, --per-question)",
    _export,
)
