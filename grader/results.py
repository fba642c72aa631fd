"""Plain result records that flow one way: reading → scoring → storage → reports.

These dataclasses are the contract between the subpackages. They hold data
only (no I/O, no database handles) so every stage can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of one question for one student."""

    GRADED = "graded"
    NEEDS_REVIEW = "needs_review"
    MISSING = "missing"
    ERROR = "error"


class ReviewReason(StrEnum):
    """Why a result waits for a person. Only CONCEPT is routine work."""

    CONCEPT = "concept"  # suggested key points await confirmation
    UNREADABLE = "unreadable"  # the answer could not be read with confidence
    AMBIGUOUS = "ambiguous"  # several readings, or a reading that needs a person
    NO_TEXT_LAYER = "no_text_layer"  # a scanned PDF
    SUBMISSION = "submission"  # something about the whole submission


@dataclass(frozen=True)
class QuestionResult:
    """What the grader decided for one question of one submission."""

    question_id: str
    points: float
    max_points: float
    status: Status
    answer_text: str = ""  # the student's text for this question, as read
    answer_read: Any = None  # parsed value (matrix, channels, shape), JSON-able
    convention: str | None = None  # the accepted convention the answer matched
    diagnosis: str | None = None  # a named mistake, e.g. "padding forgotten"
    feedback: str = ""  # one or two sentences for the student
    expected: Any = None  # the expected answer shown when the rubric allows it
    review_reason: ReviewReason | None = None
    details: dict[str, Any] = field(default_factory=dict)  # evidence, differing entries, confidence

    @property
    def needs_attention(self) -> bool:
        """True when a person must act for a reason other than routine concept review."""
        if self.status is Status.ERROR:
            return True
        return self.status is Status.NEEDS_REVIEW and self.review_reason is not ReviewReason.CONCEPT


@dataclass(frozen=True)
class SubmissionResult:
    """Every question result for one student's written submission, plus file facts."""

    student_id: str
    part: str  # "written" (later: "notebooks")
    source_path: str | None  # the file that was read, relative to the submissions dir
    content_hash: str | None  # sha256 of the file bytes
    results: tuple[QuestionResult, ...]
    problems: tuple[str, ...] = ()  # submission-level messages (encoding, scan, size)

    @property
    def points(self) -> float:
        return round(sum(r.points for r in self.results), 2)

    @property
    def max_points(self) -> float:
        return round(sum(r.max_points for r in self.results), 2)

    @property
    def needs_attention(self) -> bool:
        return any(r.needs_attention for r in self.results)


@dataclass(frozen=True)
class GradedQuestion:
    """One question's standing in the gradebook: the latest run's result with any override applied."""

    question_id: str
    points: float
    max_points: float
    status: Status
    answer_text: str = ""
    answer_read: Any = None
    convention: str | None = None
    diagnosis: str | None = None
    feedback: str = ""
    expected: Any = None
    review_reason: ReviewReason | None = None
    details: dict[str, Any] = field(default_factory=dict)
    overridden: bool = False  # True when a manual override set the points
    override_reason: str | None = None
    suggested_points: float | None = None  # what the grader proposed, kept when overridden


@dataclass(frozen=True)
class StudentGrades:
    """A student's current grades as stored: what exports and reports are made from."""

    student_id: str
    run_id: int
    source_path: str | None
    problems: tuple[str, ...]
    questions: tuple[GradedQuestion, ...]

    @property
    def total(self) -> float:
        return round(sum(q.points for q in self.questions), 2)

    @property
    def max_total(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)


@dataclass(frozen=True)
class NotebookRunRecord:
    """How one student's notebook ran in the sandbox, as stored per run."""

    student_id: str
    notebook: str  # file name, e.g. "p1_cats_dogs.ipynb"
    status: str  # "ok" | "error" | "timeout" | "killed" | "sandbox_error" | "missing"
    message: str  # one line for the report
    failed_cell: int | None = None
    error_name: str | None = None
    error_value: str | None = None
    traceback: str | None = None
    wall_seconds: float | None = None
    executed_notebook: bytes | None = None  # the executed .ipynb JSON, size-capped
