"""Use cases over an existing gradebook: export the grades, one student's report, an override.

Job: open the gradebook (which must exist), read current grades in rubric order
with overrides applied, and hand them to `grader.feedback` for text; record a
person's override. Must not print or write files (callers decide where text goes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from grader.errors import GradebookError, GraderError
from grader.feedback import export_csv, export_json, render_student_html, render_student_markdown
from grader.rubric import load_rubric
from grader.service.gradebooks import open_existing


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


@dataclass(frozen=True)
class Export:
    """Exported grades as text, and how many students it holds."""

    text: str
    students: int


def export_grades(db: Path, *, rubric: Path, format: ExportFormat) -> Export:
    """Current grades (latest run per student and part, overrides applied) as CSV or JSON."""
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    grades = gradebook.latest_grades(catalogue=catalogue)
    render = export_json if format is ExportFormat.json else export_csv
    return Export(render(grades, catalogue), len(grades))


def student_report(db: Path, student: str, *, rubric: Path, format: ReportFormat) -> str:
    """One student's feedback report (Markdown or self-contained HTML) from the gradebook."""
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    grades = gradebook.latest_grades(student, catalogue=catalogue)
    if not grades:
        raise GradebookError(
            f"no grades for student '{student}'",
            path=db,
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
    db: Path, student: str, question: str, points: float, *, reason: str, actor: str
) -> OverrideSet:
    """Set a question's points by hand; kept across regrades and recorded in the audit log."""
    if not reason.strip():
        raise GraderError(
            "--reason must not be empty",
            hint="say why, e.g. --reason 'confirmed key points 1 and 3'",
        )
    open_existing(db).add_override(student, question, points, reason=reason, actor=actor)
    return OverrideSet(student, question, points, reason, actor)
