"""`top_k_accuracy`: the share of examples whose label is among the k highest logits (the
rubric's `k`, default 5)."""

from __future__ import annotations

import numpy as np

from grader.evaluation.accuracy import predicted_classes
from grader.evaluation.errors import EvaluationError
from grader.measures.base import Measure, MeasureOptions


def _compute(outputs: np.ndarray, targets: np.ndarray, options: MeasureOptions) -> float:
    predicted_classes(outputs, binary=options.binary)  # the same shape checks as accuracy
    classes = outputs.shape[1]
    if options.k >= classes:
        raise EvaluationError(f"top-{options.k} accuracy needs more than {options.k} classes")
    top = np.argsort(-outputs, axis=1, kind="stable")[:, : options.k]
    return float(np.mean(np.any(top == np.asarray(targets)[:, None], axis=1)))


MEASURE = Measure("top_k_accuracy", "top-k accuracy", "class", True, _compute)
