"""`macro_f1`: the F1 score of each class (harmonic mean of precision and recall), averaged over
the classes with equal weight; a class never predicted and never present counts as 1."""

from __future__ import annotations

import numpy as np

from grader.evaluation.accuracy import predicted_classes
from grader.measures.base import Measure, MeasureOptions


def _compute(outputs: np.ndarray, targets: np.ndarray, options: MeasureOptions) -> float:
    predicted = predicted_classes(outputs, binary=options.binary)
    labels = np.asarray(targets)
    classes = 2 if options.binary else outputs.shape[1]
    scores = []
    for c in range(classes):
        true_positive = np.sum((predicted == c) & (labels == c))
        predicted_c, actual_c = np.sum(predicted == c), np.sum(labels == c)
        if predicted_c == 0 and actual_c == 0:
            scores.append(1.0)
            continue
        scores.append(float(2 * true_positive / (predicted_c + actual_c)))
    return float(np.mean(scores))


MEASURE = Measure("macro_f1", "macro-F1", "class", True, _compute)
