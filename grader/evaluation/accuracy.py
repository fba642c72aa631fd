"""Score predictions against the hidden labels: accuracy (the partial-credit curve is the rubric's).

Runs on the host with the labels, never in the sandbox. It knows nothing about files, models or
students: logits and labels in, numbers out.
"""

from __future__ import annotations

import numpy as np

from grader.evaluation.errors import EvaluationError


def predicted_classes(logits: np.ndarray, *, binary: bool) -> np.ndarray:
    """Class per row: binary N×1 reads `logit > 0` as class 1, N×2 and N×K take the argmax."""
    if logits.ndim != 2 or logits.shape[0] == 0 or logits.shape[1] < 1:
        raise EvaluationError(
            f"logits must be a non-empty N×K array, got shape {list(logits.shape)}"
        )
    classes = logits.shape[1]
    if binary:
        if classes == 1:
            return (logits[:, 0] > 0).astype(np.int64)
        if classes != 2:
            raise EvaluationError(
                f"a binary classifier must return N×1 or N×2 logits, not N×{classes}",
                hint="return one logit (class 1 when > 0) or two logits per image",
            )
    elif classes < 2:
        raise EvaluationError(
            f"a multi-class classifier must return N×K logits with K ≥ 2, not N×{classes}"
        )
    return np.argmax(logits, axis=1)


def accuracy(logits: np.ndarray, labels: np.ndarray, *, binary: bool) -> float:
    """Share of images whose predicted class equals the label (labels: N integers)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iub":
        raise EvaluationError(f"labels must be N integers, got {labels.dtype} {list(labels.shape)}")
    predicted = predicted_classes(np.asarray(logits), binary=binary)
    if predicted.shape[0] != labels.shape[0]:
        raise EvaluationError(f"{predicted.shape[0]} predictions for {labels.shape[0]} labels")
    classes = 2 if binary else logits.shape[1]
    if labels.min() < 0 or labels.max() >= classes:
        raise EvaluationError(
            f"labels outside 0…{classes - 1}: the model returns {logits.shape[1]} logits",
            hint="p1 models return 1 or 2 logits, p2 models 10",
        )
    return float(np.mean(predicted == labels))
