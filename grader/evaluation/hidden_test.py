"""Evaluate one saved model on a hidden test split: predictions in a second sandbox, accuracy outside.

The sandbox gets the model file, the test INPUTS (mounted read-only from a
folder holding nothing else) and the standalone predict script; it returns
logits. Labels never enter it. Everything read back is size-capped and
parsed without pickle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.evaluation.accuracy import accuracy
from grader.evaluation.errors import EvaluationError
from grader.evaluation.predictions import read_predictions, read_summary, summary_error
from grader.sandbox import ReadOnlyMount, Sandbox, SandboxLimits, SandboxRequest

MAX_SUMMARY_BYTES = 256 * 1024
INPUTS_INSIDE = "/hidden-inputs"


@dataclass(frozen=True)
class ModelEvaluation:
    """What measuring one model gave: accuracy, timing and structure facts, or why it failed."""

    accuracy: float | None
    inference_seconds: float | None
    summary: dict[str, Any]  # the structure summary the predict script wrote ({} on failure)
    error: str | None  # one line, for the report
    infrastructure_failure: bool = False  # a timeout or kill: not clearly the student's fault


def evaluate_model(
    model_file: Path,
    *,
    inputs_path: Path,
    labels: np.ndarray,
    binary: bool,
    sandbox: Sandbox,
    limits: SandboxLimits,
    out_dir: Path,
) -> ModelEvaluation:
    """Run the predict script on `model_file` in the sandbox and score its logits against `labels`."""
    script = Path(__file__).with_name("inside_predict.py")
    request = SandboxRequest(
        argv=(
            "python", "inside_predict.py", "--model", "model.pt",
            "--inputs", f"{INPUTS_INSIDE}/{inputs_path.name}", "--out", "out",
        ),
        extra_files={"model.pt": model_file, "inside_predict.py": script},
        mounts=(ReadOnlyMount(inputs_path.parent, INPUTS_INSIDE),),
        collect=("out/predictions.npy", "out/summary.json"),
        limits=limits,
    )  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    result = sandbox.run(request, out_dir)
    summary: dict[str, Any] = {}
    summary_path = result.collected.get("out/summary.json")
    try:
        if summary_path is not None:
            summary = read_summary(summary_path, MAX_SUMMARY_BYTES)
    except EvaluationError as exc:
        return ModelEvaluation(None, None, {}, f"unreadable evaluation summary: {exc.message}")
    if result.timed_out or result.killed_reason:
        return ModelEvaluation(
            None, None, summary, f"evaluation stopped: {result.killed_reason or 'timed out'}", True
        )
    error = summary_error(summary) if summary else "the model produced no predictions"
    predictions_path = result.collected.get("out/predictions.npy")
    if error or predictions_path is None:
        return ModelEvaluation(None, None, summary, error or "the model produced no predictions")
    try:
        logits = read_predictions(
            predictions_path, n=len(labels), max_bytes=len(labels) * 4 * 1024 + 4096
        )
        measured = accuracy(logits, labels, binary=binary)
    except EvaluationError as exc:
        return ModelEvaluation(None, None, summary, exc.message)
    seconds = summary.get("inference_seconds")
    return ModelEvaluation(
        round(measured, 4),
        float(seconds) if isinstance(seconds, int | float) else None,
        summary,
        None,
    )
