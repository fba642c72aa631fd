"""Plain result records that flow one way: reading → scoring → storage → reports.

These dataclasses are the contract between the subpackages. They hold data
only (no I/O, no database handles) so every stage can be tested alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.deadlines import Lateness


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
    STALE_OVERRIDE = "stale_override"  # a person's override judged another answer or maximum


class NotebookRunStatus(StrEnum):
    """How one notebook ran in the sandbox (or why it did not run)."""

    OK = "ok"
    ERROR = "error"  # a cell raised
    TIMEOUT = "timeout"
    KILLED = "killed"  # a limit, a signal, the output cap
    SANDBOX_ERROR = "sandbox_error"  # the sandbox could not run it: not the student's doing
    MISSING = "missing"  # the student did not hand the notebook in
    UNREADABLE = "unreadable"  # handed in, but not a notebook that can be read (not JSON, …)


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


def answer_fingerprint(result: QuestionResult) -> str:
    """A hash of what a person judges in an override: the answer as read (text and value)
    and, for a notebook question, the measured value (its accuracy, or its measure's value)."""
    details = result.details if isinstance(result.details, dict) else {}
    accuracy = details.get("accuracy", details.get("value"))
    payload = json.dumps(
        [result.answer_text, result.answer_read, accuracy], sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Override:
    """Points a person set for one question; they replace the grader's until undone.

    It remembers what it judged (the maximum, the answer's fingerprint): when either has
    changed since, the override is stale and waits for a person instead of counting.
    """

    points: float
    reason: str
    actor: str = ""
    judged_max_points: float | None = None  # None: made before overrides remembered it
    judged_answer_hash: str | None = None
    override_id: int = 0  # the stored row; a newer decision has a larger id
    #: Concept questions: the key points the person ticked, in rubric order (None: not said).
    key_points: tuple[bool, ...] | None = None
    comment: str = ""  # for the student, shown in reports and exports beside the points


@dataclass(frozen=True)
class GradedQuestion:
    """One question's standing in the gradebook: the latest stored result plus any active override.

    Everything a report or export shows is read through here, so an override is
    applied in exactly one place.
    """

    result: QuestionResult
    override: Override | None = None

    @property
    def stale_override(self) -> str | None:
        """Why the override no longer applies, or None (no override, or still valid)."""
        override = self.override
        if override is None:
            return None
        if override.judged_max_points is not None and round(override.judged_max_points, 6) != round(
            self.result.max_points, 6
        ):
            return (
                f"the question's maximum changed from {override.judged_max_points:g} to "
                f"{self.result.max_points:g} since the override"
            )
        if (
            override.judged_answer_hash is not None
            and override.judged_answer_hash != answer_fingerprint(self.result)
        ):
            return "the student's answer changed since the override"
        return None

    @property
    def version(self) -> str:
        """What a reviewer saw: changes when the answer, the grader's points or the override change.

        A decision sent with an older version is refused (two reviewers, one answer).
        """
        override_id = self.override.override_id if self.override is not None else 0
        return (
            f"{answer_fingerprint(self.result)[:16]}-{self.result.points:g}-"
            f"{self.result.status.value}-{override_id}"
        )

    @property
    def _applied(self) -> Override | None:
        return self.override if self.override is not None and self.stale_override is None else None

    @property
    def question_id(self) -> str:
        return self.result.question_id

    @property
    def points(self) -> float:
        """What counts: the person's points when overridden, else the grader's."""
        applied = self._applied
        return applied.points if applied is not None else self.result.points

    @property
    def max_points(self) -> float:
        return self.result.max_points

    @property
    def status(self) -> Status:
        """An overridden question is graded (a person decided); a stale override waits."""
        if self.override is not None and self.stale_override is not None:
            return Status.NEEDS_REVIEW
        return Status.GRADED if self.override is not None else self.result.status

    @property
    def review_reason(self) -> ReviewReason | None:
        if self.override is not None and self.stale_override is not None:
            return ReviewReason.STALE_OVERRIDE
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
    def decision(self) -> Override | None:
        """The person's decision that counts for this question, or None (none, or stale)."""
        return self._applied

    @property
    def decided_key_points(self) -> tuple[tuple[str, bool | None], ...]:
        """Concept key points as the person's decision marks them, in rubric order.

        Ticked points are covered; with no ticks recorded, full points cover every key point,
        0 points none, and anything between leaves each point unmarked (None). Empty when
        no decision counts or the question has no key points.
        """
        applied = self._applied
        raw = self.result.details.get("evidence") if isinstance(self.result.details, dict) else None
        if applied is None or not isinstance(raw, list):
            return ()
        names = [str(item.get("key_point") or "") for item in raw if isinstance(item, dict)]
        ticks = applied.key_points
        if ticks is not None and len(ticks) == len(names):
            return tuple(zip(names, ticks, strict=True))
        if round(applied.points, 6) >= round(self.result.max_points, 6):
            return tuple((name, True) for name in names)
        if applied.points <= 0:
            return tuple((name, False) for name in names)
        return tuple((name, None) for name in names)

    @property
    def feedback(self) -> str:
        applied = self._applied
        if applied is not None:
            return self._decision_words(applied)
        stale = self.stale_override
        if stale is None or self.override is None:
            return self.result.feedback
        return (
            f"{self.result.feedback} An earlier decision by a person "
            f"({self.override.points:g} points: {self.override.reason}) no longer applies: "
            f"{stale}. A person will look again."
        ).strip()

    def _decision_words(self, applied: Override) -> str:
        """What a student reads once a person decided: the points, ticked key points, comment.

        Replaces the grader's suggestion ("Suggested 2/3 … a person will confirm"), which
        would contradict the decision.
        """
        words = [f"A person graded this answer: {applied.points:g} of {self.max_points:g} points"]
        if applied.reason:
            words[0] += f" ({applied.reason.rstrip('.')})"
        words[0] += "."
        marks = self.decided_key_points
        covered = [name.rstrip(". ") for name, mark in marks if mark is True and name]
        missed = [name.rstrip(". ") for name, mark in marks if mark is False and name]
        if covered:
            words.append("Key points covered: " + "; ".join(covered) + ".")
        if missed:
            words.append("Key points missing: " + "; ".join(missed) + ".")
        if applied.comment.strip():
            words.append(f"Comment: {applied.comment.strip()}")
        return " ".join(words)

    @property
    def expected(self) -> Any:
        return self.result.expected

    @property
    def details(self) -> dict[str, Any]:
        return self.result.details

    @property
    def overridden(self) -> bool:
        """A person's override counts for this question (not when it is stale)."""
        return self._applied is not None

    @property
    def override_reason(self) -> str | None:
        applied = self._applied
        return applied.reason if applied is not None else None

    @property
    def suggested_points(self) -> float | None:
        """What the grader proposed, shown beside an override; None when not overridden."""
        return self.result.points if self._applied is not None else None

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
    #: False for a roster student with no submission at all: exports leave the score blank
    #: (not a real 0), so the platform shows "no submission".
    submitted: bool = True
    #: Against the deadline (issue #21), when the rubric has a due date and the gradebook a
    #: submission time; its penalty is taken off the total as a line of its own.
    late: Lateness | None = None

    @property
    def questions_total(self) -> float:
        """The questions' points, before any late penalty."""
        return round(sum(q.points for q in self.questions), 2)

    @property
    def late_penalty(self) -> float:
        return self.late.penalty if self.late is not None else 0.0

    @property
    def total(self) -> float:
        """What counts: the questions' points less the late penalty (which never exceeds them)."""
        return round(self.questions_total - self.late_penalty, 2)

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
