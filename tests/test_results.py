"""The result records: one graded-question record (stored result + optional override), one attention rule."""

from __future__ import annotations

import pytest

from grader.results import (
    GradedQuestion,
    Override,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    StudentGrades,
    SubmissionResult,
    awaits_confirmation,
    needs_attention,
)


def _result(status: Status, reason: ReviewReason | None = None, points: float = 1.0):
    return QuestionResult("q4", points, 3.0, status, review_reason=reason, feedback="f")


@pytest.mark.parametrize(
    ("status", "reason", "attention", "awaiting"),
    [
        (Status.GRADED, None, False, False),
        (Status.MISSING, None, False, False),
        (Status.ERROR, None, True, False),
        (Status.NEEDS_REVIEW, ReviewReason.CONCEPT, False, True),
        (Status.NEEDS_REVIEW, ReviewReason.UNREADABLE, True, False),
        (Status.NEEDS_REVIEW, ReviewReason.NO_TEXT_LAYER, True, False),
        (Status.NEEDS_REVIEW, None, True, False),
    ],
)
def test_one_attention_rule_everywhere(status, reason, attention, awaiting):
    result = _result(status, reason)
    graded = GradedQuestion(result)
    assert needs_attention(status, reason) is attention
    assert awaits_confirmation(status, reason) is awaiting
    assert result.needs_attention is attention and graded.needs_attention is attention
    assert graded.awaits_confirmation is awaiting
    submission = SubmissionResult("s1", Part.WRITTEN, None, None, (result,))
    assert submission.needs_attention is attention


def test_override_is_applied_in_one_place():
    result = _result(Status.NEEDS_REVIEW, ReviewReason.CONCEPT, points=1.0)
    graded = GradedQuestion(result, Override(points=3.0, reason="all three key points"))
    assert (graded.points, graded.status, graded.suggested_points) == (3.0, Status.GRADED, 1.0)
    assert graded.overridden and graded.override_reason == "all three key points"
    assert not graded.awaits_confirmation and not graded.needs_attention
    assert graded.max_points == 3.0 and graded.result.feedback == "f"
    assert graded.feedback == "A person graded this answer: 3 of 3 points (all three key points)."
    plain = GradedQuestion(result)
    assert (plain.points, plain.status, plain.suggested_points) == (1.0, Status.NEEDS_REVIEW, None)
    student = StudentGrades("s1", 1, None, (), (graded, plain))
    assert student.total == 4.0 and student.max_total == 6.0
    assert student.awaiting_confirmation == 1 and not student.needs_attention
