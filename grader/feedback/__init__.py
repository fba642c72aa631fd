"""Reports: per-student feedback (Markdown, HTML) and the class summary (exports for learning
platforms are `grader.exports`).

Everything here turns StudentGrades into text or files. Nothing here scores,
reads submissions or touches the gradebook database; callers load grades
and the rubric's question catalogue and pass them in.
"""

from grader.feedback.files import ReportError, report_file_stems, write_reports
from grader.feedback.student import render_student_html, render_student_markdown
from grader.feedback.summary import render_class_summary_html, render_class_summary_markdown

__all__ = [
    "ReportError",
    "render_class_summary_html",
    "render_class_summary_markdown",
    "render_student_html",
    "render_student_markdown",
    "report_file_stems",
    "write_reports",
]
