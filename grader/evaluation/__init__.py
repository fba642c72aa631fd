"""Hidden-test evaluation of the models a notebook saved: predict in the sandbox, score outside.

`inside_predict.py` is the standalone script the sandbox runs on `artifacts/<id>.pt` and the hidden
test inputs; everything else here runs on the host: reading what the sandbox wrote (safely),
accuracy and the partial-credit curve, structure checks, figures, and the accuracies a student
reports. This package never runs student code itself and never shows labels to the sandbox.
"""

from __future__ import annotations

from pathlib import Path

from grader.evaluation.accuracy import AccuracyCurve, accuracy, predicted_classes
from grader.evaluation.errors import EvaluationError
from grader.evaluation.figures import check_figures, count_figures
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
    models_with_accuracy_gap,
    reported_accuracies,
)
from grader.evaluation.structure import StructureFacts, check_structure, structure_check_for

INSIDE_PREDICT_EXIT_FAILED = 3  # the script's exit code on any failure (summary.json has "error")


def inside_predict_script() -> Path:
    """Path of the standalone script to copy into the sandbox and run as `python inside_predict.py`."""
    return Path(__file__).with_name("inside_predict.py")


__all__ = [
    "INSIDE_PREDICT_EXIT_FAILED",
    "AccuracyCurve",
    "EvaluationError",
    "ReportedAccuracy",
    "StructureFacts",
    "accuracy",
    "accuracy_gap_flag",
    "check_figures",
    "check_structure",
    "count_figures",
    "find_reported_accuracies",
    "inside_predict_script",
    "models_with_accuracy_gap",
    "predicted_classes",
    "read_capped_file",
    "read_predictions",
    "read_summary",
    "reported_accuracies",
    "structure_check_for",
    "summary_error",
]
