"""Use cases over an existing gradebook: export the grades, one student's report, an override.

Job: open the gradebook (which must exist), read current grades in rubric order
with overrides applied, and hand them to `grader.feedback` for text; record a
person's override. Must not print or write files (callers decide where text goes).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from grader.errors import GradebookError, GraderError
from grader.feedback import (
    export_csv,
    export_json,
    render_student_html,
    render_student_markdown,
    write_reports,
)
from grader.feedback.lms_exports import (
    MoodleIdentifier,
    export_canvas,
    export_moodle,
    gradescope_results,
    moodle_unidentified,
    pending_students,
)
from grader.results import GradedQuestion, QuestionResult, Status, StudentGrades
from grader.roster import load_roster
from grader.rubric import QuestionCatalogue, load_rubric
from grader.service.gradebooks import open_existing
from grader.storage import Gradebook, GradebookTarget, gradebook_label


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    canvas = "canvas"
    moodle = "moodle"
    gradescope = "gradescope"


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


@dataclass(frozen=True)
class ExportOptions:
    """What an LMS export needs beyond the grades."""

    roster: Path | None = None
    assignment_id: str | None = None  # Canvas assignment id, shown as "<title> (<id>)"
    per_question: bool = False  # Canvas: one column per question too
    identifier: MoodleIdentifier = MoodleIdentifier.email


def missing_grades(student_id: str, catalogue: QuestionCatalogue) -> StudentGrades:
    """A roster student with no submission: every question missing, 0 points."""
    return StudentGrades(
        student_id=student_id,
        run_id=0,
        source_path=None,
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
    rubric: Path,
    format: ExportFormat,
    options: ExportOptions = ExportOptions(),
) -> Export:
    """Current grades (latest run per student and part, overrides applied) in `format`.

    With a roster, students are named as the platform knows them, roster students without
    a submission are exported as missing, and graded students the roster lacks are named
    in a warning.
    """
    gradebook = open_existing(db)
    loaded = load_rubric(rubric)
    catalogue = loaded.catalogue
    grades = gradebook.latest_grades(catalogue=catalogue)
    roster = load_roster(options.roster) if options.roster is not None else None
    warnings: list[str] = []
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
    title = loaded.assignment.title
    if format is ExportFormat.json:
        text = export_json(grades, catalogue)
    elif format is ExportFormat.csv:
        text = export_csv(grades, catalogue)
    elif format is ExportFormat.canvas:
        text = export_canvas(
            grades,
            catalogue,
            roster=roster,
            assignment_title=title,
            assignment_id=options.assignment_id,
            per_question=options.per_question,
        )
        pending = pending_students(grades)
        if pending:
            warnings.append(
                f"{len(pending)} student(s) have scores that still wait for a person: "
                f"{', '.join(pending[:20])} (fix: confirm them with `grader review` or "
                "`grader override` before the import)"
            )
    elif format is ExportFormat.moodle:
        if roster is None:
            raise GraderError(
                "a Moodle export needs the roster (email or ID number per student)",
                hint="pass --roster ROSTER.csv",
            )
        text = export_moodle(grades, catalogue, roster=roster, identifier=options.identifier)
        unknown = moodle_unidentified(grades, roster, options.identifier)
        if unknown:
            warnings.append(
                f"{len(unknown)} student(s) left out: no {options.identifier.value} in the roster: "
                f"{', '.join(unknown[:20])} (fix: fill in that roster column)"
            )
    else:
        files = gradescope_results(grades, catalogue)
        return Export("", len(grades), files=files, warnings=tuple(warnings))
    return Export(text, len(grades), warnings=tuple(warnings))


def student_report(db: GradebookTarget, student: str, *, rubric: Path, format: ReportFormat) -> str:
    """One student's feedback report (Markdown or self-contained HTML) from the gradebook."""
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    grades = gradebook.latest_grades(student, catalogue=catalogue)
    if not grades:
        raise GradebookError(
            f"no grades for student '{student}'",
            path=gradebook_label(db),
            hint="check the id with `grader export --format csv`",
        )
    render = render_student_html if format is ReportFormat.html else render_student_markdown
    return render(grades[0], catalogue)


@dataclass(frozen=True)
class OverrideSet:
    """An override as recorded."""

    student_id: str
    question_id: str
    points: float
    reason: str
    actor: str


def set_override(
    db: GradebookTarget, student: str, question: str, points: float, *, reason: str, actor: str
) -> OverrideSet:
    """Set a question's points by hand; kept across regrades and recorded in the audit log."""
    if not reason.strip():
        raise GraderError(
            "--reason must not be empty",
            hint="say why, e.g. --reason 'confirmed key points 1 and 3'",
        )
    open_existing(db).add_override(student, question, points, reason=reason, actor=actor)
    return OverrideSet(student, question, points, reason, actor)


def rebuild_reports(
    db: GradebookTarget | Gradebook,
    *,
    rubric: Path,
    reports_dir: Path,
    students: Collection[str] | None = None,
    review_url: str | None = None,
) -> list[Path]:
    """Rewrite the report files from the gradebook as it is now (overrides applied).

    Every student's files (or only `students`') and always the class summary, so a
    report never says an answer awaits a person after someone decided it. Raises
    ReportError when some files could only be written in short form. `review_url`: the
    review service's address, linked from the class summary.
    """
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    everyone = gradebook.latest_grades(catalogue=catalogue)
    if students is not None:
        known = {g.student_id for g in everyone}
        unknown = sorted(set(students) - known)
        if unknown:
            raise GradebookError(
                f"no grades for student(s) {', '.join(unknown[:10])}",
                hint="check the ids with `grader export --format csv`",
            )
    try:
        return write_reports(
            everyone, catalogue, reports_dir, students=students, review_url=review_url
        )
    except OSError as exc:
        raise GraderError(
            f"cannot write the reports: {exc.strerror or exc}",
            path=Path(exc.filename) if exc.filename else reports_dir,
            hint="give a --reports folder you can write to",
        ) from exc
