"""`accuracy`: the share of examples whose predicted class is the label (N×1 binary logits read
as class 1 when > 0, N×K logits by their argmax)."""

from __future__ import annotations

import numpy as np

from grader.evaluation.accuracy import accuracy
from grader.measures.base import Measure, MeasureOptions


def _compute(outputs: np.ndarray, targets: np.ndarray, options: MeasureOptions) -> float:
    return accuracy(outputs, targets, binary=options.binary)


MEASURE = Measure("accuracy", "accuracy", "class", True, _compute)
