"""What every export format shares: the request (grades, rubric catalogue, roster, options), the
output (text, or one file per student, and warnings), and the small rules all formats
follow (a spreadsheet-safe cell, the same maximum for every student, roster order).

Pure functions; must not write files or read the gradebook.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from grader.results import Status, StudentGrades
from grader.roster import Roster, RosterEntry
from grader.rubric.catalogue import QuestionCatalogue, assignment_maximum, natural_key

# A spreadsheet runs a cell starting with one of these as a formula ("=HYPERLINK(...)").
# Tab and carriage return are on OWASP's list too: some importers strip them first.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class MoodleIdentifier(StrEnum):
    """Which roster column Moodle maps to its users: email address or ID number."""

    email = "email"
    idnumber = "idnumber"


@dataclass(frozen=True)
class ExportRequest:
    """Everything a format may use: current grades (overrides applied) and the rubric's questions."""

    grades: Sequence[StudentGrades]
    catalogue: QuestionCatalogue
    roster: Roster | None = None
    assignment_title: str = ""
    assignment_id: str | None = None  # Canvas: the assignment column "<title> (<id>)"
    per_question: bool = False  # Canvas: one column per question too
    identifier: MoodleIdentifier = MoodleIdentifier.email


@dataclass(frozen=True)
class ExportOutput:
    """The exported text, or one text per student id (Gradescope), and warnings for the caller."""

    text: str = ""
    files: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportFormat:
    """One row of the export formats table."""

    name: str
    help: str  # shown by `grader export --help`
    export: Callable[[ExportRequest], ExportOutput]
    needs_roster: bool = False  # refused without --roster
    one_file_per_student: bool = False  # written under --out FOLDER


def json_number(value: float) -> int | float:
    """A whole number as a JSON int (2, not 2.0); non-finite values are refused by json.dumps."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def csv_safe_text(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character gets a quote prefix."""
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def max_total(grades: StudentGrades, questions: QuestionCatalogue) -> float:
    """The same maximum for every student: each rubric question's maximum (as stored for the
    student when graded, else the rubric's), plus any stored question the rubric lacks."""
    return assignment_maximum({q.question_id: q.max_points for q in grades.questions}, questions)


def roster_entry(roster: Roster | None, student_id: str) -> RosterEntry:
    found = roster.get(student_id) if roster is not None else None
    return found or RosterEntry(student_id=student_id)


def ordered_students(
    all_grades: Sequence[StudentGrades], roster: Roster | None
) -> list[StudentGrades]:
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
