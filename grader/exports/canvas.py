"""`canvas`: Canvas's gradebook import CSV (the five student columns, one assignment column
"<title> (<id>)", optionally a column per question, and a Points Possible row).

Canvas has no status column, so students whose scores still wait for a person are named
in a warning. Must not write files or include student answers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grader.errors import GraderError
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
from grader.roster import Roster, RosterEntry
from grader.rubric.catalogue import QuestionCatalogue

CANVAS_FIXED_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The late penalty's own column (0 points possible, a negative number per late student),
#: written when someone has a penalty: the assignment column holds the total after it.
LATE_COLUMN = "late penalty"


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
    penalty_column = any(g.late_penalty for g in all_grades)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            *CANVAS_FIXED_COLUMNS,
            assignment,
            *(f"{assignment_title}: {qid}" for qid in question_ids),
            *([f"{assignment_title}: {LATE_COLUMN}"] if penalty_column else []),
        ]
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
            *(["0"] if penalty_column else []),
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
                format_number(grades.total) if grades.submitted else "",
                *(
                    format_number(by_id[qid].points) if qid in by_id and grades.submitted else ""
                    for qid in question_ids
                ),
                *(
                    [format_number(-grades.late_penalty) if grades.late_penalty else ""]
                    if penalty_column
                    else []
                ),
            ]
        )
    return buffer.getvalue()


def _matchable(entry: RosterEntry) -> bool:
    """Canvas matches an imported row to a student by one of these ids."""
    return bool(entry.lms_id or entry.sis_user_id or entry.login)


def _export(request: ExportRequest) -> ExportOutput:
    ordered = ordered_students(request.grades, request.roster)
    unmatched = [
        grades.student_id
        for grades in ordered
        if not _matchable(roster_entry(request.roster, grades.student_id))
    ]
    if ordered and len(unmatched) == len(ordered):  # Canvas would match no row to a student
        said = "there is no roster" if request.roster is None else "the roster has no such ids"
        raise GraderError(
            "a Canvas import needs a Canvas ID, SIS User ID or SIS Login ID on every row, and "
            f"{said}: Canvas would match no student",
            hint="pass --roster ROSTER.csv with lms_id, sis_user_id or login columns",
        )
    text = export_canvas(
        request.grades,
        request.catalogue,
        roster=request.roster,
        assignment_title=request.assignment_title,
        assignment_id=request.assignment_id,
        per_question=request.per_question,
    )
    pending = pending_students(request.grades)
    warnings: list[str] = []
    if pending:
        warnings.append(
            f"{len(pending)} student(s) have scores that still wait for a person: "
            f"{', '.join(pending[:20])} (fix: confirm them with `grader review` or "
            "`grader override` before the import)"
        )
    if unmatched:
        warnings.append(
            f"{len(unmatched)} row(s) carry no Canvas ID, SIS User ID or SIS Login ID, so "
            f"Canvas will not match them: {', '.join(unmatched[:20])} (fix: add them to the "
            "roster with lms_id, sis_user_id or login)"
        )
    late = [g.student_id for g in request.grades if g.late_penalty]
    if late:
        warnings.append(
            f"{len(late)} late student(s) ({', '.join(late[:20])}): the column "
            f'"{request.assignment_title}: {LATE_COLUMN}" shows each penalty, already taken off '
            "the assignment column; Canvas imports it as a column of its own (untick it in the "
            "import preview if the course does not want one)"
        )
    if not request.assignment_id:
        warnings.append(
            f'the column "{request.assignment_title}" has no assignment id, so Canvas will make '
            "a new assignment rather than fill in the existing one (fix: pass --assignment-id, "
            "the number in the assignment's Canvas address)"
        )
    return ExportOutput(text=text, warnings=tuple(warnings))


FORMAT = ExportFormat(
    "canvas",
    "Canvas gradebook import CSV (--roster for Canvas ids, --assignment-id, --per-question)",
    _export,
)
