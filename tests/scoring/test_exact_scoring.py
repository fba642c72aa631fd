"""Scoring exact questions from answer text: conventions, partial credit, named mistakes, review routing."""

from pathlib import Path

import pytest

from grader.results import ReviewReason, Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader


@pytest.fixture(scope="module")
def grader():
    return AnswerGrader(load_rubric(Path("rubrics/hw4.toml")))


def test_q1_correct_as_unevaluated_arithmetic(grader):
    result = grader.grade("q1", "9 + 18 + 18    9 + 18 + 18\n9 + 18 + 27    9 + 18 + 27")
    assert (result.points, result.status, result.convention) == (3, Status.GRADED, "no padding")
    assert result.answer_read == [[45, 45], [54, 54]]


@pytest.mark.parametrize(
    ("text", "convention"),
    [
        ("\\begin{bmatrix} 24 & 24 \\\\ 20 & 20 \\end{bmatrix}", "padding=1"),
        ("20 20 20 20\n24 24 24 24\n20 20 20 20\n24 24 24 24", "padding=2 (same)"),
    ],
)
def test_q3_accepts_both_paddings(grader, text, convention):
    result = grader.grade("q3", text)
    assert (result.points, result.convention) == (4, convention)
    assert f"accepted convention: {convention}" in result.feedback


def test_padding_forgotten_is_named_and_gets_its_share(grader):
    result = grader.grade("q2", "45 45\n54 54")
    assert result.diagnosis == "padding forgotten"
    assert result.points == pytest.approx(0.6)  # partial.mistakes = 0.2 of 3
    assert result.expected == [
        [18, 27, 27, 18],
        [30, 45, 45, 30],
        [36, 54, 54, 36],
        [26, 39, 39, 26],
    ]


def test_right_shape_wrong_entries_partial_and_differences_listed(grader):
    text = "18 27 27 18\n30 45 45 30\n36 54 54 36\n26 39 39 99"
    result = grader.grade("q2", text)
    # shape 0.2 + entries 0.5 × 15/16 = 0.66875 of 3 points
    assert result.points == pytest.approx(2.01)
    assert result.details["differing_entries"] == [{"index": [3, 3], "expected": "26", "got": "99"}]
    assert "1 entry differs" in result.feedback


def test_one_channel_only_is_diagnosed(grader):
    result = grader.grade("q1", "18 18\n27 27")
    assert result.diagnosis == "only the B channel used (image treated as a 2-D matrix)"
    assert result.status is Status.GRADED


def test_channels_not_summed_is_diagnosed(grader):
    text = "R: 9 9 / \n9 9\n9 9\n\n18 18\n18 18\n\n18 18\n27 27"
    result = grader.grade("q1", text)
    assert result.diagnosis == "channels not summed (one output per channel)"
    assert result.points == 0


def test_no_matrix_in_text_goes_to_a_person(grader):
    result = grader.grade("q1", "I could not finish this one, the values are around forty")
    assert result.status is Status.NEEDS_REVIEW
    assert result.review_reason is ReviewReason.UNREADABLE
    assert result.points == 0


def test_missing_answer(grader):
    result = grader.grade("q2", "   ")
    assert result.status is Status.MISSING and result.points == 0


@pytest.mark.parametrize(
    ("text", "points", "convention", "diagnosis"),
    [
        ("126x126x16", 2, "valid", None),
        ("$128 \\times 128 \\times 16$ with same padding", 2, "same", None),
        ("The input 128x128x32 with 3x3x32 filters gives (126, 126, 16)", 2, "valid", None),
        ("16 x 126 x 126", 2, "valid, channels first (C×H×W)", None),
        ("126x126x32", 0.67, None, "depth kept from the input instead of the number of filters"),
    ],
)
def test_q7_shapes(grader, text, points, convention, diagnosis):
    result = grader.grade("q7", text)
    assert result.points == pytest.approx(points)
    assert result.convention == convention
    assert result.diagnosis == diagnosis


def test_q8_not_floored_is_not_full_credit(grader):
    result = grader.grade("q8", "Not possible: 63.5 x 63.5 x 16")
    assert result.points == 1  # partial.mistakes share 0.5 of 2
    assert result.diagnosis == "output size not floored (not an integer)"


def test_q8_both_conventions(grader):
    result = grader.grade("q8", "valid: 63x63x16, same: 64x64x16")
    assert result.points == 2 and result.convention == "valid and same"
    assert result.status is Status.GRADED


def test_q8_hedged_answer_goes_to_a_person(grader):
    result = grader.grade("q8", "either 63x63x16 or 126x126x16")
    assert result.status is Status.NEEDS_REVIEW and result.review_reason is ReviewReason.AMBIGUOUS
    assert result.points == 2
    assert "stride ignored" in result.feedback


@pytest.mark.parametrize(
    "text",
    [
        "R:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n2 2\n4 4",
        "B:\n2 2\n4 4\nR:\n1 1\n1 1\nG:\n2 2\n2 2",  # any order when labelled
        "(1,2,2) (1,2,2)\n(1,2,4) (1,2,4)",  # one H×W×C block
        "[[[1, 1], [1, 1]], [[2, 2], [2, 2]], [[2, 2], [4, 4]]]",  # one C×H×W block
    ],
)
def test_q11_every_accepted_layout(grader, text):
    result = grader.grade("q11", text)
    assert result.points == 3, result.feedback
    assert result.status is Status.GRADED
    assert result.answer_read == {
        "R": [[1, 1], [1, 1]],
        "G": [[2, 2], [2, 2]],
        "B": [[2, 2], [4, 4]],
    }


def test_q11_unlabelled_out_of_order_goes_to_a_person(grader):
    result = grader.grade("q11", "2 2     1 1     2 2\n4 4     1 1     2 2")
    assert result.status is Status.NEEDS_REVIEW and result.review_reason is ReviewReason.AMBIGUOUS
    assert result.points == 3
    assert "B, R, G" in result.feedback


def test_q11_one_channel_only(grader):
    result = grader.grade("q11", "2 2\n4 4")
    assert result.points == 1  # one channel of three right
    assert result.diagnosis in {
        "pooled across channels (image treated as a 2-D matrix)",
        "only the B channel given",
    }


def test_q11_average_pooling_mistake(grader):
    result = grader.grade("q11", "R:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n1.5 1.5\n3.5 3.5")
    assert result.diagnosis == "average pooling used instead of max"
    assert result.points == pytest.approx(
        2.2
    )  # (1 + 1 + shape share 0.2) / 3 channels, of 3 points


def test_ocr_noise_is_read_but_reviewed(grader):
    noisy = grader.grade("q2", "18 27 27 18\n3O 45 45 3O\n36 54 54 36\n26 39 39 26")
    assert noisy.status is Status.NEEDS_REVIEW and noisy.review_reason is ReviewReason.UNREADABLE
    assert noisy.points == 3  # suggested: the repaired reading is right


def test_expected_hidden_when_rubric_says_so(tmp_path):
    text = (
        Path("rubrics/hw4.toml")
        .read_text()
        .replace("show_expected = true", "show_expected = false")
    )
    text = text.replace(
        'parameters = "../reference/hw4/parameters.toml"',
        f'parameters = "{Path("reference/hw4/parameters.toml").resolve()}"',
    )
    rubric_path = tmp_path / "r.toml"
    rubric_path.write_text(text)
    grader = AnswerGrader(load_rubric(rubric_path))
    assert grader.grade("q2", "45 45\n54 54").expected is None
    assert grader.grade("q2", "").expected is None


def test_unexplained_wrong_size_goes_to_a_person(grader):
    result = grader.grade("q2", "[18, 27, 27, 18]")
    assert result.status is Status.NEEDS_REVIEW and result.review_reason is ReviewReason.AMBIGUOUS
    assert "read as a 1×4 matrix" in result.feedback


def test_ocr_noise_in_nested_list_is_repaired_and_reviewed(grader):
    result = grader.grade(
        "q2", "[[18, 27, 27, 18], [3O, 45, 45, 3O], [36, 54, 54, 36], [26, 39, 39, 26]]"
    )
    assert result.status is Status.NEEDS_REVIEW and result.review_reason is ReviewReason.UNREADABLE
    assert result.points == 3 and result.details["confidence"] == 0.7
