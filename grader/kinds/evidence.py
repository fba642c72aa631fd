"""What a notebook question is scored from, and what every notebook kind says the same way: the
notebook's run (advisory status), the model's measurement, and a question that cannot be
measured. Must not run anything; `grader.pipeline` builds the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.evaluation.hidden_test import ModelEvaluation
from grader.notebooks import NotebookRun
from grader.results import NotebookRunStatus, QuestionResult, Status


@dataclass(frozen=True)
class NotebookEvidence:
    """What a notebook question is scored from: the notebook's run and, for a model, its measurement."""

    run: NotebookRun
    evaluation: ModelEvaluation | None = None  # set for questions that need a saved model
    dataset_name: str = ""
    reported_tolerance: float = 0.05


def unavailable_model(
    question_id: str, question: Any, status: Status, message: str
) -> QuestionResult:
    """No model (or no notebook) to measure: zero with the reason."""
    return QuestionResult(
        question_id=question_id,
        points=0.0,
        max_points=question.points,
        status=status,
        feedback=message,
        details={"accuracy": None, "flags": []},
    )


#: Said wherever the run status is shown: student code can rewrite what the runner reports.
RUN_STATUS_ADVISORY = (
    "advisory only: code in the notebook can change this report, and no points depend on it"
)


def notebook_details(run: NotebookRun) -> dict[str, Any]:
    if run.status == NotebookRunStatus.OK:
        return {}
    return {
        "notebook_status": run.status,
        "notebook_message": run.message,
        "notebook_status_note": RUN_STATUS_ADVISORY,
        "failed_cell": run.failed_cell,
        "traceback": (run.traceback or "")[-4000:],
    }


def run_status_note(run: NotebookRun) -> str:
    """' The notebook run was reported as ... (advisory only: ...).' for a run that was not ok."""
    if run.status == NotebookRunStatus.OK:
        return ""
    return f" The notebook run was reported as {run.status}: {run.message} ({RUN_STATUS_ADVISORY})."


def stored_run_note(details: dict[str, Any]) -> str:
    """The same sentence, rebuilt from a stored result's details (re-scoring reads no notebook)."""
    status = details.get("notebook_status")
    if not status or status == NotebookRunStatus.OK:
        return ""
    message = details.get("notebook_message")
    said = f": {message}" if message else ""
    return f" The notebook run was reported as {status}{said} ({RUN_STATUS_ADVISORY})."
