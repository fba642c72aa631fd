"""The measures table: each measure's value on outputs whose answer is worked out by hand, its
refusals, and what a rubric may and may not ask of it."""

from __future__ import annotations

import numpy as np
import pytest

from grader.evaluation.errors import EvaluationError
from grader.measures import MEASURES, MeasureOptions
from tests.rubric.test_rubric_loading import GOOD, error_line

LABELS = np.array([0, 0, 1, 1, 2, 2])
# Rows: logits for three classes. Predicted: 0, 1, 1, 1, 2, 0 (four of six right).
LOGITS = np.array(
    [[3, 1, 0], [0, 2, 1], [0, 5, 1], [1, 4, 0], [0, 1, 6], [2, 0, 1]], dtype=np.float64
)


def value(name: str, outputs=LOGITS, targets=LABELS, **options) -> float:
    return MEASURES[name].compute(outputs, targets, MeasureOptions(**options))


def test_the_table_lists_each_measure_with_its_direction_and_target():
    rows = {m.name: (m.words, m.target, m.higher_is_better) for m in MEASURES.values()}
    assert rows == {
        "accuracy": ("accuracy", "class", True),
        "top_k_accuracy": ("top-k accuracy", "class", True),
        "macro_f1": ("macro-F1", "class", True),
        "mse": ("mean squared error", "real", False),
        "mae": ("mean absolute error", "real", False),
    }


def test_accuracy_counts_the_argmax_and_binary_logits():
    assert value("accuracy") == pytest.approx(4 / 6)
    binary = np.array([[2.0], [-1.0], [0.5], [-3.0]])
    assert value("accuracy", binary, np.array([1, 0, 0, 0]), binary=True) == pytest.approx(0.75)


def test_top_k_accuracy_counts_a_label_among_the_k_highest():
    # Second choices: row 1 → 2, row 5 → 2 (label 2: yes), row 1's label 0 is its third.
    assert value("top_k_accuracy", k=1) == pytest.approx(4 / 6)
    assert value("top_k_accuracy", k=2) == pytest.approx(5 / 6)
    with pytest.raises(EvaluationError, match="top-3 accuracy needs more than 3 classes"):
        value("top_k_accuracy", k=3)


def test_macro_f1_averages_the_classes_with_equal_weight():
    # class 0: tp 1, predicted 2, actual 2 → F1 0.5; class 1: tp 2, predicted 3, actual 2 → 0.8;
    # class 2: tp 1, predicted 1, actual 2 → 2/3.
    assert value("macro_f1") == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    # Always the majority class: accuracy 0.75, macro-F1 far lower.
    majority = np.tile([5.0, 0.0], (8, 1))
    labels = np.array([0] * 6 + [1] * 2)
    assert value("accuracy", majority, labels) == 0.75
    assert value("macro_f1", majority, labels) == pytest.approx((2 * 6 / 14 + 0) / 2)


def test_errors_compare_every_value_of_every_example():
    targets = np.array([[1.0, 2.0], [0.0, -1.0]])
    outputs = np.array([[1.5, 2.0], [0.0, 1.0]])
    assert value("mse", outputs, targets) == pytest.approx((0.25 + 0 + 0 + 4) / 4)
    assert value("mae", outputs, targets) == pytest.approx((0.5 + 0 + 0 + 2) / 4)
    # One number per example: N targets, N×1 outputs.
    assert value("mae", np.array([[1.0], [3.0]]), np.array([2.0, 2.0])) == 1.0
    with pytest.raises(
        EvaluationError, match="returned 3 value\\(s\\) per example; the targets have 2"
    ):
        value("mse", np.zeros((2, 3)), targets)


MODEL = """
[notebooks]

[datasets.seq]
format = "npz"
input_shape = [5, 2]
classes = 4

[datasets.series]
format = "npz"
input_shape = [5, 2]
target = "real"

[models."p1.m"]
title = "m"
notebook = "p1.ipynb"
points = 2
"""


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ('dataset = "seq"\nmeasure = "f1"\nthresholds.synthetic = { full_at = 0.9, zero_at = 0.5 }',
         "measure 'f1' is not one of accuracy, top_k_accuracy, macro_f1, mse, mae"),
        ('dataset = "seq"\nmeasure = "macro_f1"\nthresholds.synthetic = { full_at = 0.5, zero_at = 0.9 }',
         "thresholds.synthetic: zero_at must be below full_at, both between 0 and 1 (macro-F1: "
         "higher is better)"),
        ('dataset = "series"\nmeasure = "mse"\nthresholds.synthetic = { full_at = 0.9, zero_at = 0.5 }',
         "thresholds.synthetic: full_at must be below zero_at (mean squared error: lower is "
         "better)"),
        ('dataset = "series"\nthresholds.synthetic = { full_at = 0.9, zero_at = 0.5 }',
         "question p1.m: accuracy measures class predictions, but series has real targets"),
        ('dataset = "seq"\nmeasure = "mae"\nthresholds.synthetic = { full_at = 0.1, zero_at = 0.5 }',
         "question p1.m: mean absolute error measures real predictions, but seq has class "
         "targets"),
        ('dataset = "seq"\nmeasure = "top_k_accuracy"\nk = 4\n'
         "thresholds.synthetic = { full_at = 0.9, zero_at = 0.5 }",
         "question p1.m: top-4 accuracy over 4 classes is always 1; set k below 4"),
        ('dataset = "sequences"\nthresholds.synthetic = { full_at = 0.9, zero_at = 0.5 }',
         "question p1.m: dataset 'sequences' is not declared in [datasets] (seq, series)"),
        ('dataset = "seq"\nclasses = 3\nthresholds.synthetic = { full_at = 0.9, zero_at = 0.5 }',
         "question p1.m: classes = 3 but seq has 4 classes"),
    ],
    ids=["unknown", "f1 curve upside down", "error curve upside down", "accuracy of reals",
         "error of classes", "top-k too wide", "undeclared dataset", "classes disagree"],
)  # fmt: skip
def test_a_rubric_asking_a_measure_what_it_cannot_give_is_refused(tmp_path, fields, said):
    text = GOOD.replace("total_points = 5", "total_points = 7") + MODEL + fields + "\n"
    assert said in error_line(tmp_path, text)
