"""Score the notebook part: a model's measured hidden-test accuracy against the rubric's curve,
its required structure, figures in the executed notebook, and the gap to the accuracy the student reports.

Takes measurements (from `grader.evaluation`) and notebook runs; never runs anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.evaluation import (
    ReportedAccuracy,
    accuracy_gap_flag,
    find_reported_accuracies,
)
from grader.evaluation.figures import MIN_FIGURE_PIXELS, survey_figures
from grader.evaluation.hidden_test import ModelEvaluation
from grader.evaluation.structure import (
    StructureFacts,
    check_inception,
    check_residual,
    check_scratch_cnn,
)
from grader.notebooks import NotebookRun
from grader.results import NotebookRunStatus, QuestionResult, ReviewReason, Status
from grader.rubric.model import FiguresQuestion, ModelQuestion

STRUCTURE_CHECKS = {
    "scratch_cnn": check_scratch_cnn,
    "inception": check_inception,
    "residual": check_residual,
}
GAP_FLAG = "reported_accuracy_gap"


@dataclass(frozen=True)
class NotebookEvidence:
    """What a notebook question is scored from: the notebook's run and, for a model, its measurement."""

    run: NotebookRun
    evaluation: ModelEvaluation | None = None  # set for questions that need a saved model
    dataset_name: str = ""
    reported_tolerance: float = 0.05


def unavailable_model(
    question_id: str, question: ModelQuestion | FiguresQuestion, status: Status, message: str
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


def _notebook_details(run: NotebookRun) -> dict[str, Any]:
    if run.status == NotebookRunStatus.OK:
        return {}
    return {
        "notebook_status": run.status,
        "notebook_status_note": RUN_STATUS_ADVISORY,
        "failed_cell": run.failed_cell,
        "traceback": (run.traceback or "")[-4000:],
    }


def _run_status_note(run: NotebookRun) -> str:
    """' The notebook run was reported as ... (advisory only: ...).' for a run that was not ok."""
    if run.status == NotebookRunStatus.OK:
        return ""
    return f" The notebook run was reported as {run.status}: {run.message} ({RUN_STATUS_ADVISORY})."


def score_figures(question_id: str, question: FiguresQuestion, run: NotebookRun) -> QuestionResult:
    """Share of the required figures found in the executed notebook's outputs.

    Only real figures (at least MIN_FIGURE_PIXELS on each side, read from the image header)
    earn points. When images too small or of unreadable size would make up the count, the
    question waits for a person (needs_review) with the points of the real figures so far.
    """
    survey = survey_figures(run.executed_notebook or {})
    figures = survey.real
    share = min(figures / question.min_figures, 1.0)
    points = round(share * question.points, 2)
    feedback = f"{figures} figure(s) in the executed notebook; {question.min_figures} expected."
    doubtful = [*survey.too_small, *survey.unmeasured]
    needs_person = figures < question.min_figures and bool(doubtful)
    if needs_person:
        shown = "; ".join(doubtful[:5]) + (
            f"; and {len(doubtful) - 5} more" if len(doubtful) > 5 else ""
        )
        feedback += (
            f" {len(doubtful)} more image(s) were not counted, being smaller than "
            f"{MIN_FIGURE_PIXELS}×{MIN_FIGURE_PIXELS} px or of unknown size ({shown}); "
            "a person will check them."
        )
    feedback += _run_status_note(run)
    return QuestionResult(
        question_id=question_id,
        points=points,
        max_points=question.points,
        status=Status.NEEDS_REVIEW if needs_person else Status.GRADED,
        feedback=feedback,
        review_reason=ReviewReason.AMBIGUOUS if needs_person else None,
        details={
            "figures": figures,
            "images_too_small": list(survey.too_small),
            "images_unmeasured": list(survey.unmeasured),
            "flags": [],
            **_notebook_details(run),
        },
    )


def _reported_test_accuracy(
    executed_notebook: dict[str, Any] | None, question_id: str
) -> ReportedAccuracy | None:
    """The last test (or unqualified) accuracy the student reports for this model.

    Validation accuracies are left out: on small splits they differ from the hidden
    test accuracy by more than the tolerance without anything being wrong.
    """
    mentions = [
        mention
        for mention in find_reported_accuracies(executed_notebook or {}, [question_id])
        if mention.model_id == question_id and mention.qualifier in ("test", "unqualified")
    ]
    if not mentions:
        return None
    return max(mentions, key=lambda m: (m.qualifier == "test", mentions.index(m)))


def score_model(
    question_id: str, question: ModelQuestion, evidence: NotebookEvidence
) -> QuestionResult:
    """Points from the accuracy curve (and the structure share), with the reported-accuracy check."""
    evaluation = evidence.evaluation
    if evaluation is None:
        raise ValueError(f"{question_id}: a model question is scored from its evaluation")
    dataset_name = evidence.dataset_name
    executed_notebook = evidence.run.executed_notebook
    tolerance = evidence.reported_tolerance
    thresholds = question.thresholds[dataset_name]
    details: dict[str, Any] = {
        "accuracy": evaluation.accuracy,
        "threshold": thresholds.full_at,
        "zero_at": thresholds.zero_at,
        "dataset": dataset_name,
        "inference_seconds": evaluation.inference_seconds,
        "flags": [],
    }
    if evaluation.accuracy is None:
        reason = ReviewReason.AMBIGUOUS if evaluation.infrastructure_failure else None
        feedback = f"The saved model could not be evaluated: {evaluation.error}."
        if reason is not None:
            feedback += " A person will check this."
        return QuestionResult(
            question_id=question_id,
            points=0.0,
            max_points=question.points,
            status=Status.NEEDS_REVIEW if reason else Status.GRADED,
            feedback=feedback,
            review_reason=reason,
            details=details,
        )
    accuracy_share = thresholds.share(evaluation.accuracy)
    structure_share = question.structure_share if question.structure else 0.0
    structure_ok = True
    structure_unconfirmed = False
    feedback = (
        f"Measured accuracy on the hidden test split: {evaluation.accuracy:.3f} "
        f"(full credit at ≥ {thresholds.full_at:.2f}, none at ≤ {thresholds.zero_at:.2f})."
    )
    if question.structure:
        facts = StructureFacts.from_summary(evaluation.summary)
        structure_ok, structure_message = STRUCTURE_CHECKS[question.structure](facts)
        # No count of the ops that ran: neither a pass nor a confident zero; a person decides.
        structure_unconfirmed = not structure_ok and not facts.executed_available
        details["structure"] = {
            "required": question.structure,
            "passed": structure_ok,
            "message": structure_message,
        }
        feedback += f" Structure: {structure_message}"
        if structure_unconfirmed:
            feedback += " A person will check the structure."
    share = (1 - structure_share) * accuracy_share + structure_share * (
        1.0 if structure_ok else 0.0
    )
    reported = _reported_test_accuracy(executed_notebook, question_id)
    details["reported_accuracy"] = reported.value if reported else None
    if reported is not None and accuracy_gap_flag(reported.value, evaluation.accuracy, tolerance):
        details["flags"].append(GAP_FLAG)
        details["reported_text"] = reported.text
        feedback += (
            f" The notebook reports {reported.value:.3f} (“{reported.text}”), more than "
            f"{tolerance:.2f} away from the measured accuracy."
        )
    return QuestionResult(
        question_id=question_id,
        points=round(share * question.points, 2),
        max_points=question.points,
        status=Status.NEEDS_REVIEW if structure_unconfirmed else Status.GRADED,
        feedback=feedback,
        review_reason=ReviewReason.AMBIGUOUS if structure_unconfirmed else None,
        details=details,
    )
