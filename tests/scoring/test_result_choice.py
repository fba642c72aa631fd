"""Which value is the answer: PyTorch conventions for shapes, and the result among several matrices."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.results import ReviewReason, Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def grader() -> AnswerGrader:
    return AnswerGrader(load_rubric(ROOT / "rubrics/hw4.toml"))


@pytest.mark.parametrize(
    ("question", "text", "convention"),
    [
        ("q7", "torch.Size([1, 16, 126, 126])", "valid, channels first (C×H×W)"),
        ("q7", "out.shape == (N, 16, 126, 126)", "valid, channels first (C×H×W)"),
        ("q7", "(16, 126, 126)", "valid, channels first (C×H×W)"),
        ("q7", "16 × 128 × 128 with same padding", "same, channels first (C×H×W)"),
        ("q8", "torch.Size([1, 16, 63, 63])", "valid, channels first (C×H×W)"),
    ],
)
def test_channels_first_is_an_accepted_convention_shown_in_the_feedback(
    grader, question, text, convention
):
    result = grader.grade(question, text)
    assert (result.points, result.status) == (2, Status.GRADED)
    assert result.convention == convention
    assert convention in result.feedback


def test_a_shape_cut_short_by_damage_goes_to_a_person(grader):
    result = grader.grade("q7", "126 x 126 x ?6")
    assert result.status is Status.NEEDS_REVIEW and result.review_reason is ReviewReason.UNREADABLE
    assert "cut short" in result.feedback
    assert grader.grade("q7", "126 x 126").status is Status.GRADED  # depth forgotten: a mistake


def test_ocr_damaged_shape_is_suggested_for_a_person(grader):
    result = grader.grade("q7", "l26 x 126 x l6")
    assert result.status is Status.NEEDS_REVIEW and result.points == 2
    assert "low confidence" in result.feedback and "another shape" not in result.feedback


RIGHT_Q2 = "18 27 27 18\n30 45 45 30\n36 54 54 36\n26 39 39 26"
SLIP_Q2 = "18 27 27 18\n30 45 45 30\n36 54 54 36\n26 39 39 25"
PADDED = "0 0 0 0 0 0\n0 1 1 1 1 0\n0 1 1 1 1 0\n0 1 1 1 1 0\n0 1 1 1 1 0\n0 0 0 0 0 0"


@pytest.mark.parametrize(
    ("text", "status", "points"),
    [
        (f"Padded input:\n{PADDED}\nResult:\n{RIGHT_Q2}", Status.GRADED, 3),
        (f"Attempt:\n{SLIP_Q2}\n\nThe result is\n{RIGHT_Q2}", Status.GRADED, 3),
        # The text calls the second one the answer: that one is graded, slip and all.
        (f"{RIGHT_Q2}\n\nCorrected:\n{SLIP_Q2}", Status.GRADED, 2.01),
        # Nothing says which is the answer and they disagree: a person decides.
        (f"{RIGHT_Q2}\n\n{SLIP_Q2}", Status.NEEDS_REVIEW, 3),
    ],
)
def test_the_matrix_the_text_calls_the_result_counts(grader, text, status, points):
    result = grader.grade("q2", text)
    assert result.status is status and result.points == pytest.approx(points)
    if status is Status.NEEDS_REVIEW:
        assert result.review_reason is ReviewReason.AMBIGUOUS


def test_per_channel_steps_then_the_sum(grader):
    text = "R:\n9 9\n9 9\nG:\n18 18\n18 18\nB:\n18 18\n27 27\nsum:\n45 45\n54 54"
    result = grader.grade("q1", text)
    assert (result.points, result.status) == (3, Status.GRADED)
