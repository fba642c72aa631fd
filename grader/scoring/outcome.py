"""Turn a scoring decision into a `QuestionResult`: points from shares, feedback sentences.

Shared by the matrix, tensor and shape scorers so their results read alike.
"""

from __future__ import annotations

from typing import Any

from grader.kinds.base import ExactQuestion
from grader.results import QuestionResult, ReviewReason, Status


def points_for(share: float, question: ExactQuestion) -> float:
    return round(max(0.0, min(1.0, share)) * question.points, 2)


def exact_result(
    question_id: str,
    question: ExactQuestion,
    *,
    answer_text: str,
    share: float,
    answer_read: Any,
    expected: Any,
    convention: str | None = None,
    diagnosis: str | None = None,
    details: dict[str, Any] | None = None,
    confidence: float = 1.0,
    review_below: float = 0.8,
    review_reason: ReviewReason | None = None,
    review_note: str = "",
) -> QuestionResult:
    """Build the result: full/partial/zero feedback; a low-confidence reading goes to a person."""
    points = points_for(share, question)
    details = {**(details or {}), "confidence": round(confidence, 2)}
    if share >= 1:
        feedback = f"Correct (accepted convention: {convention})." if convention else "Correct."
    elif diagnosis:
        feedback = f"Not the expected answer. Likely mistake: {diagnosis}."
    elif share > 0:
        feedback = "Partly correct."
    else:
        feedback = "Not the expected answer."
    differing = details.get("differing_entries") or []
    if differing and share < 1:
        feedback += f" {len(differing)} entr{'y differs' if len(differing) == 1 else 'ies differ'} from the expected result."
    if review_reason is None and confidence < review_below:
        review_reason = ReviewReason.UNREADABLE
        review_note = review_note or f"read with low confidence ({confidence:.2f})"
    if review_reason is not None:
        feedback += f" A person will check this answer: {review_note}. Suggested {points:g}/{question.points:g}."
        status = Status.NEEDS_REVIEW
    else:
        status = Status.GRADED
    return QuestionResult(
        question_id=question_id,
        points=points,
        max_points=question.points,
        status=status,
        answer_text=answer_text,
        answer_read=answer_read,
        convention=convention if share >= 1 else None,
        diagnosis=diagnosis,
        feedback=feedback,
        expected=expected,
        review_reason=review_reason,
        details=details,
    )


def unreadable_result(
    question_id: str, question: ExactQuestion, answer_text: str, expected: Any, what: str
) -> QuestionResult:
    """Text is there but no answer could be read from it: a person decides, never a confident zero."""
    return QuestionResult(
        question_id=question_id,
        points=0.0,
        max_points=question.points,
        status=Status.NEEDS_REVIEW,
        answer_text=answer_text,
        feedback=f"The grader could not read {what} in this answer; a person will grade it.",
        expected=expected,
        review_reason=ReviewReason.UNREADABLE,
        details={"confidence": 0.0},
    )
