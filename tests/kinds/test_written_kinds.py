"""The written kinds as students answer them: vectors and matrices within the rubric's tolerance,
numbers with working, shapes of torch modules (no channels-first for an LSTM), the course's
own reference function, and named mistakes; HW5's sample class graded end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.results import ReviewReason, Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hw5() -> AnswerGrader:
    return AnswerGrader(load_rubric(ROOT / "rubrics" / "hw5.toml"))


@pytest.mark.parametrize(
    "answer",
    [
        "h3 = (0.24, 0.87)",
        "$h_3 = \\begin{bmatrix} 0.236 \\\\ 0.8685 \\end{bmatrix}$",
        "h_3 = [0.2360, 0.8685]",
        "h_3: 0.24 0.87",
        "h3 = (0.24; 0.87)",
    ],
)
def test_a_vector_is_read_in_the_ways_students_write_it(hw5, answer):
    result = hw5.grade("q1", answer)
    assert (result.points, result.status) == (4, Status.GRADED), result.feedback
    assert result.expected == [0.24, 0.87]  # shown rounded to the tolerance


def test_outside_the_tolerance_is_wrong_and_the_mistake_is_named(hw5):
    off = hw5.grade("q1", "h3 = (0.25, 0.87)")  # 0.014 from 0.236: more than 0.01
    assert off.points == 1 and off.details["differing_entries"][0]["got"] == "0.25"
    one_step_short = hw5.grade("q1", "h = (-0.02, 0.64)")
    assert one_step_short.diagnosis == "one step too few (the last input left out)"
    assert one_step_short.points == 2  # the rubric's share for that mistake
    assert one_step_short.answer_read == [-0.02, 0.64]


def test_a_matrix_within_tolerance_and_a_named_attention_mistake(hw5):
    assert hw5.grade("q2", "3 4\n3.41 4.41").points == 4
    unscaled = hw5.grade("q2", "3.00 4.00\n3.53 4.53")
    assert unscaled.diagnosis == "scores not scaled by 1/√d" and unscaled.points == 2


@pytest.mark.parametrize(
    ("answer", "points", "diagnosis"),
    [
        ("4 * (10*20 + 20*20 + 20 + 20) = 2560", 3, None),
        ("2,560 parameters", 3, None),
        ("4 × (10·20 + 20·20 + 20 + 20)", 3, None),  # left unevaluated
        ("each gate has 20*10 + 20*20 + 20 = 620, times 4 = 2480", 2.01, "one bias vector per gate (torch keeps two: b_ih and b_hh)"),
        ("2400", 0.99, "biases left out"),
    ],
)  # fmt: skip
def test_a_number_is_the_final_one_of_the_working(hw5, answer, points, diagnosis):
    result = hw5.grade("q5", answer)
    assert (result.points, result.diagnosis) == (points, diagnosis)


def test_a_number_right_in_the_working_but_not_at_the_end_goes_to_a_person(hw5):
    result = hw5.grade("q5", "I first got 2560, but then I think it is 2480")
    assert result.status is Status.NEEDS_REVIEW and result.review_reason is ReviewReason.AMBIGUOUS
    assert "the accepted value appears in the working" in result.feedback


def test_an_lstm_shape_in_another_order_is_not_full_marks(hw5):
    """The issue's wrong grade: every shape key accepted channels-first, so (20, 4, 7) scored 2/2."""
    assert hw5.grade("q3", "(4, 7, 20)").points == 2
    assert hw5.grade("q3", "torch.Size([4, 7, 20])").points == 2
    wrong = hw5.grade("q3", "(20, 4, 7)")
    assert wrong.points < 2 and wrong.convention is None
    swapped = hw5.grade("q3", "(7, 4, 20)")
    assert swapped.diagnosis == "batch and sequence dimensions swapped (batch_first ignored)"


def test_a_pooling_output_size_is_read_as_the_dims_asked_for(hw5):
    """The issue's HW4 variant: a correct '4 × 4' earned 1/3 when asked as a conv shape."""
    assert hw5.grade("q6", "4 × 4").points == 2
    assert hw5.grade("q6", "1 × 1 × 4 × 4").points == 2  # the whole output shape
    assert hw5.grade("q6", "3 x 3").diagnosis == "padding ignored"


def test_the_course_reference_function_grades_like_a_built_in(hw5):
    assert hw5.grade("q9", "(0.909, -0.416, 0.020, 1.000)").points == 3
    assert hw5.grade("q9", "(0.91, -0.42, 0.02, 1.0)").points == 3  # within 0.005
    assert hw5.grade("q9", "(0.91, 0.42, 0.02, 1.0)").points < 3


def test_hw4_shapes_still_accept_channels_first(tmp_path):
    """Channels-first is the convolution-over-an-image kind's own convention (HW4's q7)."""
    hw4 = AnswerGrader(load_rubric(ROOT / "rubrics" / "hw4.toml"))
    result = hw4.grade("q7", "16 × 126 × 126")
    assert result.points == 2 and result.convention == "valid, channels first (C×H×W)"


def test_hw5_sample_class_end_to_end(tmp_path):
    db = tmp_path / "g.sqlite"
    graded = CliRunner().invoke(
        app,
        ["grade", str(ROOT / "submissions-hw5"), "--rubric", str(ROOT / "rubrics" / "hw5.toml"),
         "--db", str(db), "--reports", str(tmp_path / "reports"), "--only", "written"],
    )  # fmt: skip
    assert graded.exit_code == 0, graded.output
    assert "Run 1: 6 students graded (hw5)" in graded.output  # the notebooks: tests/pipeline
    exported = CliRunner().invoke(app, ["export", "--db", str(db), "--format", "json"])
    students = {s["student"]: s for s in json.loads(exported.stdout)["students"]}
    totals = {sid: s["total"] for sid, s in students.items()}
    # ana (Markdown + LaTeX), chloe (.tex), dev (written.ipynb), eli (.docx): every point, the
    # concept answers suggested in full (a person confirms them).
    assert totals == {"ana": 26, "ben": 24.01, "chloe": 26, "dev": 26, "eli": 26, "farah": 9.11}
    farah = {q["id"]: q for q in students["farah"]["questions"]}
    assert "Likely mistake: batch and sequence dimensions swapped" in farah["q3"]["feedback"]
    assert "Likely mistake: one direction only (bidirectional ignored)" in farah["q4"]["feedback"]
    assert farah["q7"]["status"] == "needs_review" and farah["q7"]["points"] == 0
    report = (tmp_path / "reports" / "farah.md").read_text()
    assert "## q3: Output shape of nn.LSTM(10, 20, num\\_layers=2, batch\\_first=True)" in report
