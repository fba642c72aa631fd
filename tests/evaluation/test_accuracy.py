"""Accuracy from logits (N×1, N×2, N×10) and the partial-credit curve."""

from __future__ import annotations

import numpy as np
import pytest

from grader.evaluation import EvaluationError, accuracy


def test_binary_single_logit_is_class_one_above_zero():
    logits = np.array([[2.0], [-1.0], [0.0], [0.5]])
    labels = np.array([1, 0, 1, 0])  # logit 0 is class 0; the last is wrong
    assert accuracy(logits, labels, binary=True) == 0.5


def test_binary_two_logits_take_the_argmax():
    logits = np.array([[0.1, 0.9], [3.0, -3.0], [0.2, 0.1], [-1.0, 1.0]])
    labels = np.array([1, 0, 0, 0])
    assert accuracy(logits, labels, binary=True) == 0.75


def test_ten_classes_take_the_argmax():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, size=200)
    logits = rng.normal(size=(200, 10))
    logits[np.arange(150), labels[:150]] += 100  # the first 150 are surely right
    expected = (150 + np.sum(np.argmax(logits[150:], axis=1) == labels[150:])) / 200
    assert accuracy(logits, labels, binary=False) == pytest.approx(expected)
    assert accuracy(logits[:150], labels[:150], binary=False) == 1.0


@pytest.mark.parametrize(
    ("logits", "labels", "binary", "message"),
    [
        (np.zeros((3, 3)), np.zeros(3, dtype=int), True, "N×1 or N×2 logits, not N×3"),
        (np.zeros((3, 1)), np.zeros(3, dtype=int), False, "K ≥ 2, not N×1"),
        (np.zeros((3, 10)), np.zeros(4, dtype=int), False, "3 predictions for 4 labels"),
        (np.zeros((3, 2)), np.array([0, 1, 2]), False, "labels outside 0…1"),
        (np.zeros((3, 1)), np.array([0, 1, 2]), True, "labels outside 0…1"),
        (np.zeros((0, 10)), np.zeros(0, dtype=int), False, "non-empty"),
        (np.zeros((3, 10)), np.zeros(3), False, "labels must be N integers"),
    ],
)
def test_unusable_logits_or_labels(logits, labels, binary, message):
    with pytest.raises(EvaluationError, match=message):
        accuracy(logits, labels, binary=binary)
