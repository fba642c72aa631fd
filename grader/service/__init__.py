"""Use cases shared by the `grader` CLI and the web review service: one function each.

grade (submissions → a stored run, read back from the gradebook), the answer key,
export, one student's report, the review queue, overrides and the list of runs; each
reading command works on one assignment with its rubric of record (`assignments`).
Each takes plain arguments (paths, options, already-resolved settings) and returns
plain dataclasses or text; problems a user can fix are raised as `GraderError`.

Must not print, exit, read the environment or hold state between calls: the
callers (typer commands, web handlers) do the talking.
"""

from grader.service.answer_key import AcceptedAnswer, AnswerKey, answer_key
from grader.service.assignments import (
    AssignmentScope,
    RubricChoice,
    mixed_rubrics,
    mixing_error,
    open_assignment,
)
from grader.service.gradebooks import open_existing, open_or_create
from grader.service.grading import GradeOutcome, GradeRequest, StudentStanding, grade
from grader.service.records import (
    Export,
    ExportOptions,
    OverrideSet,
    RebuiltReports,
    ReportFormat,
    StudentReport,
    export_grades,
    rebuild_reports,
    set_override,
    student_report,
)
from grader.service.review import (
    AnswerGroup,
    GroupDecision,
    QueueFilter,
    QueuePage,
    QueueSnapshot,
    ReviewAnswer,
    ReviewItem,
    ReviewKind,
    accept_suggestions,
    current_snapshot,
    decide,
    next_waiting,
    page_of,
    queue_snapshot,
    remove_saved_comment,
    review_answer,
    review_page,
    review_queue,
    undo_decision,
)
from grader.service.runs import RunInfo, list_runs, resume_command

__all__ = [
    "AcceptedAnswer",
    "AnswerGroup",
    "AnswerKey",
    "AssignmentScope",
    "Export",
    "ExportOptions",
    "GradeOutcome",
    "GradeRequest",
    "GroupDecision",
    "OverrideSet",
    "QueueFilter",
    "QueuePage",
    "QueueSnapshot",
    "RebuiltReports",
    "ReportFormat",
    "ReviewAnswer",
    "ReviewItem",
    "ReviewKind",
    "RubricChoice",
    "RunInfo",
    "StudentReport",
    "StudentStanding",
    "accept_suggestions",
    "answer_key",
    "current_snapshot",
    "decide",
    "export_grades",
    "grade",
    "list_runs",
    "mixed_rubrics",
    "mixing_error",
    "next_waiting",
    "open_assignment",
    "open_existing",
    "open_or_create",
    "page_of",
    "queue_snapshot",
    "rebuild_reports",
    "remove_saved_comment",
    "resume_command",
    "review_answer",
    "review_page",
    "review_queue",
    "set_override",
    "student_report",
    "undo_decision",
]
