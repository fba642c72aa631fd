"""An override is tied to what it judged: a changed answer or maximum flags it for a person
instead of applying it blindly (the "3 / 2 after the maximum drops to 2" bug)."""

from __future__ import annotations

from grader.results import Part, QuestionResult, ReviewReason, Status, SubmissionResult
from grader.storage import Gradebook


def _written(text: str, max_points: float, points: float = 1.0) -> SubmissionResult:
    result = QuestionResult(
        "q4", points, max_points, Status.NEEDS_REVIEW, answer_text=text,
        review_reason=ReviewReason.CONCEPT, feedback="Suggested.",
    )  # fmt: skip
    return SubmissionResult("s1", Part.WRITTEN, "s1/written.md", None, (result,))


def _q4(gradebook: Gradebook):
    [grades] = gradebook.latest_grades("s1")
    [question] = grades.questions
    return question


def test_an_override_counts_while_the_answer_and_maximum_are_the_same(gradebook, start_run):
    gradebook.record_submissions(start_run(), [_written("The filter is a template.", 3)])
    gradebook.add_override("s1", "q4", 3, reason="all key points", actor="ta")
    gradebook.record_submissions(start_run(), [_written("The filter is a template.", 3)])
    question = _q4(gradebook)
    assert (question.points, question.status, question.overridden) == (3, Status.GRADED, True)
    assert question.stale_override is None


def test_a_lower_maximum_flags_the_override_instead_of_showing_3_of_2(gradebook, start_run):
    gradebook.record_submissions(start_run(), [_written("The filter is a template.", 3)])
    gradebook.add_override("s1", "q4", 3, reason="all key points", actor="ta")
    gradebook.record_submissions(start_run(), [_written("The filter is a template.", 2)])
    question = _q4(gradebook)
    assert question.points == 1.0 and question.max_points == 2  # the grader's, not 3 / 2
    assert question.status is Status.NEEDS_REVIEW
    assert question.review_reason is ReviewReason.STALE_OVERRIDE and question.needs_attention
    assert not question.overridden
    assert "maximum changed from 3 to 2" in question.feedback
    assert "3 points: all key points" in question.feedback


def test_a_replaced_answer_flags_the_override(gradebook, start_run):
    gradebook.record_submissions(start_run(), [_written("The filter is a template.", 3)])
    gradebook.add_override("s1", "q4", 3, reason="all key points", actor="ta")
    gradebook.record_submissions(start_run(), [_written("I do not know.", 3, points=0)])
    question = _q4(gradebook)
    assert (question.points, question.status) == (0, Status.NEEDS_REVIEW)
    assert question.stale_override == "the student's answer changed since the override"
    # A new decision on the new answer counts again.
    gradebook.add_override("s1", "q4", 0, reason="no answer", actor="ta")
    again = _q4(gradebook)
    assert (again.points, again.status, again.stale_override) == (0, Status.GRADED, None)
