"""`mse` and `mae`: the mean squared and mean absolute error of real-valued outputs against the
targets (both flattened per example; the shapes must match)."""

from __future__ import annotations

import numpy as np

from grader.evaluation.errors import EvaluationError
from grader.measures.base import Measure, MeasureOptions


def _difference(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    flat_targets = np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)
    if outputs.shape != flat_targets.shape:
        raise EvaluationError(
            f"the model returned {outputs.shape[1]} value(s) per example; the targets have "
            f"{flat_targets.shape[1]}",
            hint="return one value per target entry",
        )
    return outputs - flat_targets


def _mse(outputs: np.ndarray, targets: np.ndarray, options: MeasureOptions) -> float:
    return float(np.mean(_difference(outputs, targets) ** 2))


def _mae(outputs: np.ndarray, targets: np.ndarray, options: MeasureOptions) -> float:
    return float(np.mean(np.abs(_difference(outputs, targets))))


MSE = Measure("mse", "mean squared error", "real", False, _mse)
MAE = Measure("mae", "mean absolute error", "real", False, _mae)
