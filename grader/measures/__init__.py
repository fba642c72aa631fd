"""The one table of measures a model question is scored by: accuracy, top-k accuracy and
macro-F1 for classifiers, mean squared and mean absolute error for real targets.

The rubric names one per question (`measure = "macro_f1"`) with its curve (full credit at,
none at; for an error, full credit at the lower value). Computed outside the sandbox from
the hidden targets. Adding a measure is one module and one line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from grader.measures import accuracy, errors, macro_f1, top_k_accuracy
from grader.measures.base import Measure, MeasureOptions

MEASURES: Mapping[str, Measure] = MappingProxyType(
    {
        measure.name: measure
        for measure in (
            accuracy.MEASURE,
            top_k_accuracy.MEASURE,
            macro_f1.MEASURE,
            errors.MSE,
            errors.MAE,
        )
    }
)

__all__ = ["MEASURES", "Measure", "MeasureOptions"]
