"""Exports in the formats learning platforms import: Canvas gradebook CSV, Moodle grade CSV,
Gradescope autograder `results.json` per student.

Pure functions from StudentGrades, the rubric's question catalogue and the course roster
to text. Students are named as the roster names them; roster students without grades
appear with a missing grade (the caller adds them as missing `StudentGrades`). A score
that still waits for a person is exported, but its status says so (Gradescope output,
Moodle feedback); Canvas has no status column, so `pending_students` lets the caller
warn. Must not write files, read the gradebook or include student answers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from grader.feedback.exports import csv_safe_text, max_total
from grader.feedback.values import format_number
from grader.results import Status, StudentGrades
from grader.roster import Roster, RosterEntry
from grader.rubric.catalogue import QuestionCatalogue, natural_key

CANVAS_FIXED_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


class MoodleIdentifier(StrEnum):
    """Which roster column Moodle maps to its users: email address or ID number."""

    email = "email"
    idnumber = "idnumber"


def _entry(roster: Roster | None, student_id: str) -> RosterEntry:
    found = roster.get(student_id) if roster is not None else None
    return found or RosterEntry(student_id=student_id)


def _ordered(all_grades: Sequence[StudentGrades], roster: Roster | None) -> list[StudentGrades]:
    """Roster order when there is a roster (then anyone else), else natural id order."""
    by_id = {g.student_id: g for g in all_grades}
    if roster is None:
        return [by_id[sid] for sid in sorted(by_id, key=natural_key)]
    listed = [by_id[e.student_id] for e in roster if e.student_id in by_id]
    others = sorted(set(by_id) - roster.ids(), key=natural_key)
    return listed + [by_id[sid] for sid in others]


def pending_students(all_grades: Sequence[StudentGrades]) -> list[str]:
    """Students with a score that still waits for a person (suggestions, errors)."""
    return sorted(
        (
            g.student_id
            for g in all_grades
            if any(
                q.status is not Status.GRADED and q.status is not Status.MISSING
                for q in g.questions
            )
        ),
        key=natural_key,
    )


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
    ordered = _ordered(all_grades, roster)
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
        entry = _entry(roster, grades.student_id)
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
    for grades in _ordered(all_grades, roster):
        entry = _entry(roster, grades.student_id)
        key = entry.email if identifier is MoodleIdentifier.email else entry.sis_user_id
        if not key:
            continue
        writer.writerow(
            [
                csv_safe_text(key),
                format_number(grades.total),
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
        entry = _entry(roster, grades.student_id)
        if not (entry.email if identifier is MoodleIdentifier.email else entry.sis_user_id):
            missing.append(grades.student_id)
    return sorted(missing, key=natural_key)


def _moodle_feedback(grades: StudentGrades, questions: QuestionCatalogue) -> str:
    waiting = [q.question_id for q in grades.questions if q.status is Status.NEEDS_REVIEW]
    errors = [q.question_id for q in grades.questions if q.status is Status.ERROR]
    missing = all(q.status is Status.MISSING for q in grades.questions)
    parts = [f"{format_number(grades.total)} / {format_number(max_total(grades, questions))}"]
    if missing:
        parts.append("no submission")
    if waiting:
        parts.append(f"awaiting a person: {', '.join(waiting)}")
    if errors:
        parts.append(f"errors: {', '.join(errors)}")
    return "; ".join(parts)


def gradescope_results(
    all_grades: Sequence[StudentGrades], questions: QuestionCatalogue
) -> dict[str, str]:
    """One Gradescope autograder results.json per student id: a test per question with its
    name, score, max_score, visibility (the rubric's, e.g. hidden checks stay hidden) and
    output (feedback and status)."""
    results: dict[str, str] = {}
    for grades in all_grades:
        tests: list[dict[str, Any]] = []
        for number, question in enumerate(
            sorted(grades.questions, key=lambda q: questions.order_key(q.question_id)), start=1
        ):
            info = questions.describe(question.question_id)
            output = question.feedback
            if question.status is not Status.GRADED:
                output = f"[{question.status.value}] {output}".strip()
            tests.append(
                {
                    "name": f"{question.question_id}: {info.title}"
                    if info.title
                    else question.question_id,
                    "number": str(number),
                    "score": question.points,
                    "max_score": question.max_points,
                    "visibility": info.visibility,
                    "output": output,
                }
            )
        waiting = sum(1 for q in grades.questions if q.status is Status.NEEDS_REVIEW)
        document = {
            "score": grades.total,
            "output": (
                f"{waiting} answer(s) await a person; the score may change."
                if waiting
                else "All answers graded."
            ),
            "visibility": "visible",
            "tests": tests,
        }
        results[grades.student_id] = (
            json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        )
    return results
