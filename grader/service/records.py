"""Use cases over an existing gradebook: export the grades, one student's report, an override.

Job: open the gradebook (which must exist) on one assignment with its rubric of record
(`grader.service.assignments`), read current grades in rubric order with overrides
applied, and hand them to `grader.exports` or `grader.feedback` for text; record a
person's override. An export never mixes two rubrics. Must not print or write files
(callers decide where text goes).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from grader.errors import GradebookError, GraderError
from grader.exports import EXPORT_FORMATS, ExportRequest, MoodleIdentifier
from grader.feedback import render_student_html, render_student_markdown, write_reports
from grader.results import GradedQuestion, QuestionResult, Status, StudentGrades
from grader.roster import load_roster
from grader.rubric import QuestionCatalogue
from grader.service.assignments import RubricChoice, mixed_rubrics, mixing_error, open_assignment
from grader.storage import Gradebook, GradebookTarget, gradebook_label


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


@dataclass(frozen=True)
class Export:
    """Exported grades: the text (or one text per student for Gradescope), and warnings."""

    text: str
    students: int
    files: dict[str, str] = field(default_factory=dict)  # gradescope: student id -> results.json
    warnings: tuple[str, ...] = ()
    assignment: str = ""


@dataclass(frozen=True)
class ExportOptions:
    """What an LMS export needs beyond the grades."""

    roster: Path | None = None
    assignment_id: str | None = None  # Canvas assignment id, shown as "<title> (<id>)"
    per_question: bool = False  # Canvas: one column per question too
    identifier: MoodleIdentifier = MoodleIdentifier.email


def missing_grades(student_id: str, catalogue: QuestionCatalogue) -> StudentGrades:
    """A roster student with no submission: every question missing; exports leave the score
    blank (issue #19: not a real 0)."""
    return StudentGrades(
        student_id=student_id,
        run_id=0,
        source_path=None,
        submitted=False,
        problems=("no submission",),
        questions=tuple(
            GradedQuestion(
                QuestionResult(q.id, 0.0, q.points, Status.MISSING, feedback="No submission.")
            )
            for q in catalogue
        ),
    )


def export_grades(
    db: GradebookTarget,
    *,
    format: str,
    rubric: RubricChoice = None,
    assignment: str | None = None,
    options: ExportOptions = ExportOptions(),
) -> Export:
    """Current grades of one assignment (latest run per student and part, overrides applied)
    in `format` (a row of `grader.exports.EXPORT_FORMATS`).

    Refused when the grades were scored with another rubric than the one exported with
    (per-question points and totals would disagree). With a roster, students are named as
    the platform knows them, roster students without a submission are exported as
    missing, and graded students the roster lacks are named in a warning.
    """
    spec = EXPORT_FORMATS.get(format)
    if spec is None:
        raise GraderError(
            f"unknown export format {format!r}", hint=f"use one of: {', '.join(EXPORT_FORMATS)}"
        )
    if spec.needs_roster and options.roster is None:
        raise GraderError(
            f"a {spec.name} export needs the roster (how the platform names each student)",
            hint="pass --roster ROSTER.csv",
        )
    scope = open_assignment(db, assignment=assignment, rubric=rubric)
    refusal = mixing_error(scope, "this export")
    if refusal is not None:
        raise refusal
    catalogue = scope.rubric.catalogue
    grades = scope.gradebook.latest_grades(catalogue=catalogue)
    roster = load_roster(options.roster) if options.roster is not None else None
    warnings: list[str] = list(scope.notes)
    if roster is not None:
        graded = {g.student_id for g in grades}
        outside = roster.not_in_roster(graded)
        if outside:
            warnings.append(
                f"{len(outside)} graded student(s) are not in the roster {roster.path}: "
                f"{', '.join(outside[:20])} (fix: add them to the roster, or check the folder names)"
            )
        grades = grades + [
            missing_grades(entry.student_id, catalogue)
            for entry in roster
            if entry.student_id not in graded
        ]
    output = spec.export(
        ExportRequest(
            grades=grades,
            catalogue=catalogue,
            roster=roster,
            assignment_title=scope.rubric.assignment.title,
            assignment_id=options.assignment_id,
            per_question=options.per_question,
            identifier=options.identifier,
        )
    )
    return Export(
        output.text,
        len(grades),
        files=dict(output.files),
        warnings=(*warnings, *output.warnings),
        assignment=scope.assignment,
    )


@dataclass(frozen=True)
class StudentReport:
    text: str
    notes: tuple[str, ...] = ()


def student_report(
    db: GradebookTarget,
    student: str,
    *,
    format: ReportFormat,
    rubric: RubricChoice = None,
    assignment: str | None = None,
) -> StudentReport:
    """One student's feedback report (Markdown or self-contained HTML) from the gradebook."""
    scope = open_assignment(db, assignment=assignment, rubric=rubric)
    catalogue = scope.rubric.catalogue
    grades = scope.gradebook.latest_grades(student, catalogue=catalogue)
    if not grades:
        raise GradebookError(
            f"no grades for student '{student}'",
            path=gradebook_label(db),
            hint="check the id with `grader export --format csv`",
        )
    render = render_student_html if format is ReportFormat.html else render_student_markdown
    notes = list(scope.notes)
    other = mixed_rubrics(scope).get(student)
    if other is not None:
        notes.append(
            f"{student}'s grades were scored with another rubric ({other}); the report shows "
            f"them with {scope.rubric.path}'s titles"
        )
    return StudentReport(render(grades[0], catalogue), tuple(notes))


@dataclass(frozen=True)
class OverrideSet:
    """An override as recorded."""

    student_id: str
    question_id: str
    points: float
    reason: str
    actor: str


def set_override(
    db: GradebookTarget,
    student: str,
    question: str,
    points: float,
    *,
    reason: str,
    actor: str,
    assignment: str | None = None,
    ticked: Sequence[int] | None = None,
    comment: str = "",
) -> OverrideSet:
    """Set a question's points by hand; kept across regrades and recorded in the audit log.

    `ticked`: the key points (1-based) of a concept answer the person found; `comment`: for
    the student's report."""
    if not reason.strip():
        raise GraderError(
            "--reason must not be empty",
            hint="say why, e.g. --reason 'confirmed key points 1 and 3'",
        )
    gradebook = open_assignment(db, assignment=assignment).gradebook
    from grader.service.review import decide

    current = next(
        (
            q
            for g in gradebook.latest_grades(student)
            for q in g.questions
            if q.question_id == question
        ),
        None,
    )
    decide(
        gradebook,
        student=student,
        question=question,
        points=points,
        reason=reason,
        actor=actor,
        version=current.version if current is not None else "",
        ticked=ticked,
        comment=comment,
    )
    return OverrideSet(student, question, points, reason, actor)


@dataclass(frozen=True)
class RebuiltReports:
    paths: list[Path]
    notes: tuple[str, ...] = ()


def rebuild_reports(
    db: GradebookTarget | Gradebook,
    *,
    reports_dir: Path,
    rubric: RubricChoice = None,
    assignment: str | None = None,
    students: Collection[str] | None = None,
    review_url: str | None = None,
) -> RebuiltReports:
    """Rewrite the report files of one assignment from the gradebook as it is now.

    Every student's files (or only `students`') and always the class summary, so a
    report never says an answer awaits a person after someone decided it. Raises
    ReportError when some files could only be written in short form. `review_url`: the
    review service's address, linked from the class summary.
    """
    scope = open_assignment(db, assignment=assignment, rubric=rubric)
    catalogue = scope.rubric.catalogue
    everyone = scope.gradebook.latest_grades(catalogue=catalogue)
    if students is not None:
        known = {g.student_id for g in everyone}
        unknown = sorted(set(students) - known)
        if unknown:
            raise GradebookError(
                f"no grades for student(s) {', '.join(unknown[:10])}",
                hint="check the ids with `grader export --format csv`",
            )
    notes = list(scope.notes)
    mixed = mixed_rubrics(scope)
    if mixed:
        notes.append(
            f"{len(mixed)} student(s) were scored with another rubric than {scope.rubric.path} "
            f"({', '.join(list(mixed)[:10])}); their reports show its titles (fix: grader "
            f"rescore{' --assignment ' + scope.assignment if scope.assignment else ''})"
        )
    try:
        paths = write_reports(
            everyone,
            catalogue,
            reports_dir,
            students=students,
            review_url=review_url,
            assignment=scope.assignment,
        )
    except OSError as exc:
        raise GraderError(
            f"cannot write the reports: {exc.strerror or exc}",
            path=Path(exc.filename) if exc.filename else reports_dir,
            hint="give a --reports folder you can write to",
        ) from exc
    return RebuiltReports(paths, tuple(notes))
