"""Use case: record when students submitted and who has an extension, from the course's files.

Job: check the assignment's rubric sets a due date, read the submission-times CSV (an LMS
export or the roster) and the extensions CSV (`grader.deadlines`), store them in the
gradebook for the assignment, and say who is late and what it costs as the gradebook
now reads. Must not print, write reports or change any question's points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grader.deadlines import Deadline, read_extensions, read_submission_times
from grader.errors import GraderError
from grader.rubric import Rubric
from grader.service.assignments import open_assignment
from grader.storage import Gradebook, GradebookTarget


@dataclass(frozen=True)
class LateStanding:
    student_id: str
    words: str  # the report's sentence
    penalty: float


@dataclass(frozen=True)
class DeadlineRecord:
    assignment: str
    times: int  # submission times recorded
    extensions: int
    late: tuple[LateStanding, ...]  # graded students who are late, as the gradebook reads now
    unknown: tuple[str, ...]  # ids in the files the gradebook has no grades for
    notes: tuple[str, ...] = ()


def deadline_of(rubric: Rubric) -> Deadline:
    """The rubric's deadline, or a one-line error saying how to set one."""
    deadline = rubric.assignment.deadline
    if deadline is None:
        raise GraderError(
            "the rubric sets no due date, so submission times and extensions mean nothing",
            path=rubric.path,
            hint="add due = 2026-11-20T23:59:00+01:00 (and optionally late = {...}) to its "
            "[assignment] table; a gradebook already graded reads it after `grader rescore`",
        )
    return deadline


def read_deadline_files(
    rubric: Rubric, submission_times: Path | None, extensions: Path | None
) -> tuple[dict[str, datetime], dict[str, datetime]]:
    """Both files read and checked (before anything is graded or stored)."""
    if submission_times is None and extensions is None:
        return {}, {}
    deadline = deadline_of(rubric)
    times = (
        read_submission_times(submission_times, deadline.timezone)
        if submission_times is not None
        else {}
    )
    extended = read_extensions(extensions, deadline) if extensions is not None else {}
    return times, extended


def store_deadline_files(
    gradebook: Gradebook,
    times: dict[str, datetime],
    extensions: dict[str, datetime],
    *,
    actor: str,
) -> None:
    if times or extensions:
        gradebook.record_submission_times(times=times, extensions=extensions, actor=actor)


def record_deadlines(
    db: GradebookTarget,
    *,
    assignment: str | None = None,
    submission_times: Path | None = None,
    extensions: Path | None = None,
    actor: str = "",
) -> DeadlineRecord:
    """`grader late`: record the files for the assignment (rubric of record) and report who is
    late now. Nothing is re-graded: reports and exports read the penalty from here on."""
    if submission_times is None and extensions is None:
        raise GraderError(
            "nothing to record",
            hint="pass --times FILE and/or --extensions FILE",
        )
    scope = open_assignment(db, assignment=assignment)
    times, extended = read_deadline_files(scope.rubric, submission_times, extensions)
    store_deadline_files(scope.gradebook, times, extended, actor=actor)
    grades = scope.gradebook.latest_grades(catalogue=scope.rubric.catalogue)
    graded = {g.student_id for g in grades}
    late = tuple(
        LateStanding(g.student_id, g.late.words, g.late.penalty)
        for g in grades
        if g.late is not None and g.late.is_late
    )
    return DeadlineRecord(
        assignment=scope.assignment,
        times=len(times),
        extensions=len(extended),
        late=late,
        unknown=tuple(sorted((set(times) | set(extended)) - graded)),
        notes=scope.notes,
    )
