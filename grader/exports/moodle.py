"""`moodle`: Moodle's grade import CSV (an identifier column, the grade, the feedback); students are
matched by the roster's email or ID number (`--identifier`), so it needs the roster.

Must not write files or include student answers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grader.exports.common import (
    ExportFormat,
    ExportOutput,
    ExportRequest,
    MoodleIdentifier,
    csv_safe_text,
    max_total,
    ordered_students,
    roster_entry,
)
from grader.feedback.values import format_number
from grader.results import Status, StudentGrades
from grader.roster import Roster
from grader.rubric.catalogue import QuestionCatalogue, natural_key

__all__ = ["FORMAT", "MoodleIdentifier", "export_moodle", "moodle_unidentified"]


def export_moodle(
    all_grades: Sequence[StudentGrades],
    questions: QuestionCatalogue,
    *,
    roster: Roster,
    identifier: MoodleIdentifier = MoodleIdentifier.email,
) -> str:
    """Moodle grade import CSV: an identifier column (email address or ID number), the grade
    and the feedback; a student the roster cannot identify is left out (the caller warns)."""
    column = "Email address" if identifier is MoodleIdentifier.email else "ID number"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column, "Grade", "Feedback"])
    for grades in ordered_students(all_grades, roster):
        entry = roster_entry(roster, grades.student_id)
        key = entry.email if identifier is MoodleIdentifier.email else entry.sis_user_id
        if not key:
            continue
        writer.writerow(
            [
                csv_safe_text(key),
                format_number(grades.total) if grades.submitted else "",
                csv_safe_text(_moodle_feedback(grades, questions)),
            ]
        )
    return buffer.getvalue()


def moodle_unidentified(
    all_grades: Sequence[StudentGrades], roster: Roster, identifier: MoodleIdentifier
) -> list[str]:
    """Graded students Moodle cannot be told about: no email / ID number in the roster."""
    missing = []
    for grades in all_grades:
        entry = roster_entry(roster, grades.student_id)
        if not (entry.email if identifier is MoodleIdentifier.email else entry.sis_user_id):
            missing.append(grades.student_id)
    return sorted(missing, key=natural_key)


def _moodle_feedback(grades: StudentGrades, questions: QuestionCatalogue) -> str:
    """What the student sees in Moodle's feedback column: the total and, in words, whether it
    may still change; never the grader's internal states or question lists."""
    waiting = [q.question_id for q in grades.questions if q.status is Status.NEEDS_REVIEW]
    errors = [q.question_id for q in grades.questions if q.status is Status.ERROR]
    missing = all(q.status is Status.MISSING for q in grades.questions)
    if not grades.submitted:
        return "no submission"
    parts = [f"{format_number(grades.total)} / {format_number(max_total(grades, questions))}"]
    if grades.late is not None and grades.late.is_late:
        parts.append(grades.late.words.rstrip("."))
    if missing:
        parts.append("no submission")
    if waiting:
        parts.append(
            f"{len(waiting)} answer{'s' if len(waiting) != 1 else ''} still being reviewed; "
            "the grade may change"
        )
    if errors:
        parts.append(
            f"{len(errors)} answer{'s' if len(errors) != 1 else ''} could not be graded yet; "
            "staff have been told"
        )
    return "; ".join(parts) + ". See your feedback report for each question."


def _export(request: ExportRequest) -> ExportOutput:
    roster = request.roster
    assert roster is not None  # needs_roster: the service refuses an export without one
    text = export_moodle(
        request.grades, request.catalogue, roster=roster, identifier=request.identifier
    )
    unknown = moodle_unidentified(request.grades, roster, request.identifier)
    warnings: tuple[str, ...] = ()
    if unknown:
        warnings = (
            f"{len(unknown)} student(s) left out: no {request.identifier.value} in the roster: "
            f"{', '.join(unknown[:20])} (fix: fill in that roster column)",
        )
    return ExportOutput(text=text, warnings=warnings)


FORMAT = ExportFormat(
    "moodle",
    "Moodle grade import CSV (needs --roster; --identifier email|idnumber)",
    _export,
    needs_roster=True,
)
