"""Plain result records that flow one way: reading → scoring → storage → reports.

These dataclasses are the contract between the subpackages. They hold data
only (no I/O, no database handles) so every stage can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Part(StrEnum):
    """The two halves of an assignment, in the order reports list them."""

    WRITTEN = "written"
    NOTEBOOKS = "notebooks"


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
    UNASSIGNED = "unassigned"  # no marker found, but text no question took may hold the answer


class NotebookRunStatus(StrEnum):
    """How one notebook ran in the sandbox (or why it did not run)."""

    OK = "ok"
    ERROR = "error"  # a cell raised
    TIMEOUT = "timeout"
    KILLED = "killed"  # a limit, a signal, the output cap
    SANDBOX_ERROR = "sandbox_error"  # the sandbox could not run it: not the student's doing
    MISSING = "missing"  # the student did not hand the notebook in


def needs_attention(status: Status, review_reason: ReviewReason | None) -> bool:
    """The one rule for "a person must act": an error, or review for a non-routine reason."""
    if status is Status.ERROR:
        return True
    return status is Status.NEEDS_REVIEW and review_reason is not ReviewReason.CONCEPT


def awaits_confirmation(status: Status, review_reason: ReviewReason | None) -> bool:
    """A concept suggestion waiting for routine confirmation by a person."""
    return status is Status.NEEDS_REVIEW and review_reason is ReviewReason.CONCEPT


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
        return needs_attention(self.status, self.review_reason)


@dataclass(frozen=True)
class SubmissionResult:
    """Every question result for one student's written submission, plus file facts."""

    student_id: str
    part: Part
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
class Override:
    """Points a person set for one question; they replace the grader's until undone."""

    points: float
    reason: str
    actor: str = ""


@dataclass(frozen=True)
class GradedQuestion:
    """One question's standing in the gradebook: the latest stored result plus any active override.

    Everything a report or export shows is read through here, so an override is
    applied in exactly one place.
    """

    result: QuestionResult
    override: Override | None = None

    @property
    def question_id(self) -> str:
        return self.result.question_id

    @property
    def points(self) -> float:
        """What counts: the person's points when overridden, else the grader's."""
        return self.override.points if self.override is not None else self.result.points

    @property
    def max_points(self) -> float:
        return self.result.max_points

    @property
    def status(self) -> Status:
        """An overridden question is graded: a person decided it."""
        return Status.GRADED if self.override is not None else self.result.status

    @property
    def review_reason(self) -> ReviewReason | None:
        return self.result.review_reason

    @property
    def answer_text(self) -> str:
        return self.result.answer_text

    @property
    def answer_read(self) -> Any:
        return self.result.answer_read

    @property
    def convention(self) -> str | None:
        return self.result.convention

    @property
    def diagnosis(self) -> str | None:
        return self.result.diagnosis

    @property
    def feedback(self) -> str:
        return self.result.feedback

    @property
    def expected(self) -> Any:
        return self.result.expected

    @property
    def details(self) -> dict[str, Any]:
        return self.result.details

    @property
    def overridden(self) -> bool:
        return self.override is not None

    @property
    def override_reason(self) -> str | None:
        return self.override.reason if self.override is not None else None

    @property
    def suggested_points(self) -> float | None:
        """What the grader proposed, shown beside an override; None when not overridden."""
        return self.result.points if self.override is not None else None

    @property
    def needs_attention(self) -> bool:
        return needs_attention(self.status, self.review_reason)

    @property
    def awaits_confirmation(self) -> bool:
        return awaits_confirmation(self.status, self.review_reason)


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

    @property
    def needs_attention(self) -> bool:
        return any(q.needs_attention for q in self.questions)

    @property
    def awaiting_confirmation(self) -> int:
        """Concept suggestions of this student that still wait for a person."""
        return sum(1 for q in self.questions if q.awaits_confirmation)


@dataclass(frozen=True)
class NotebookRunRecord:
    """How one student's notebook ran in the sandbox, as stored per run."""

    student_id: str
    notebook: str  # file name, e.g. "p1_cats_dogs.ipynb"
    status: NotebookRunStatus
    message: str  # one line for the report
    failed_cell: int | None = None
    error_name: str | None = None
    error_value: str | None = None
    traceback: str | None = None
    wall_seconds: float | None = None
    executed_notebook: bytes | None = None  # the executed .ipynb JSON, size-capped
