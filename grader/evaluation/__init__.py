"""Hidden-test evaluation of the models a notebook saved: predict in the sandbox, score outside.

`inside_predict.py` is the standalone script the sandbox runs on `artifacts/<id>.pt` and the hidden
test inputs; everything else here runs on the host: reading what the sandbox wrote (safely),
accuracy and the partial-credit curve, structure checks, figures, and the accuracies a student
reports. This package never runs student code itself and never shows labels to the sandbox.
"""

from __future__ import annotations

from pathlib import Path

from grader.evaluation.accuracy import accuracy, predicted_classes
from grader.evaluation.errors import EvaluationError
from grader.evaluation.figures import count_figures
from grader.evaluation.predictions import (
    read_capped_file,
    read_predictions,
    read_summary,
    summary_error,
)
from grader.evaluation.reported import (
    ReportedAccuracy,
    accuracy_gap_flag,
    find_reported_accuracies,
)
from grader.evaluation.structure import StructureFacts


def inside_predict_script() -> Path:
    """Path of the standalone script to copy into the sandbox and run as `python inside_predict.py`."""
    return Path(__file__).with_name("inside_predict.py")


__all__ = [
    "EvaluationError",
    "ReportedAccuracy",
    "StructureFacts",
    "accuracy",
    "accuracy_gap_flag",
    "count_figures",
    "find_reported_accuracies",
    "inside_predict_script",
    "predicted_classes",
    "read_capped_file",
    "read_predictions",
    "read_summary",
    "summary_error",
]
