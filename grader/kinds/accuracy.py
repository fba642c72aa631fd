"""The `accuracy` kind: a saved model (`artifacts/<id>.pt`) measured on the hidden test split,
scored on the rubric's accuracy curve, with its required structure and the gap to the
accuracy the student reports.

One formula (`model_result`) serves grading, from a fresh measurement, and re-scoring,
from what the gradebook stored, so the two never drift apart. Takes measurements (from
`grader.evaluation`); never runs anything itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import Field, model_validator

from grader.evaluation import (
    ReportedAccuracy,
    accuracy_gap_flag,
    find_reported_accuracies,
)
from grader.evaluation.structure import (
    StructureFacts,
    check_inception,
    check_residual,
    check_scratch_cnn,
)
from grader.kinds.base import AnswerLayout, Kind, NotebookQuestion, RescoreContext, _Strict
from grader.kinds.evidence import NotebookEvidence
from grader.results import Part, QuestionResult, ReviewReason, Status

STRUCTURE_CHECKS = {
    "scratch_cnn": check_scratch_cnn,
    "inception": check_inception,
    "residual": check_residual,
}
GAP_FLAG = "reported_accuracy_gap"


class AccuracyCurve(_Strict):
    """Full points at or above `full_at`, linear down to zero at `zero_at`."""

    full_at: float = Field(gt=0, le=1)
    zero_at: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> AccuracyCurve:
        if self.zero_at >= self.full_at:
            raise ValueError("zero_at must be below full_at")
        return self

    def share(self, measured: float) -> float:
        """Share of the question's points (0…1) for a measured accuracy; NaN earns nothing."""
        if not math.isfinite(measured) or measured <= self.zero_at:
            return 0.0
        if measured >= self.full_at:
            return 1.0
        return (measured - self.zero_at) / (self.full_at - self.zero_at)

    def points(self, measured: float, max_points: float) -> float:
        """Points for a measured accuracy, rounded to 2 decimals like every score."""
        return round(self.share(measured) * max_points, 2)


class ModelQuestion(NotebookQuestion):
    """A saved model (`artifacts/<id>.pt`) measured on the hidden test split."""

    kind: Literal["accuracy"] = "accuracy"
    dataset: Literal["cats_vs_dogs", "cifar10"]
    classes: int = Field(
        ge=2,
        description="classes the model tells apart: 2 reads N×1 logits as one binary output",
    )
    thresholds: dict[str, AccuracyCurve] = Field(
        min_length=1, description="per dataset name (dataset.toml `name`): synthetic, real, ..."
    )
    structure: Literal["scratch_cnn", "inception", "residual"] | None = None
    structure_share: float = Field(
        default=0.25, ge=0, le=1, description="share of the points for the required structure"
    )

    @property
    def binary(self) -> bool:
        return self.classes == 2


@dataclass(frozen=True)
class StructureOutcome:
    required: str
    passed: bool
    message: str
    unconfirmed: bool  # no count of the ops that ran: a person decides


@dataclass(frozen=True)
class ModelMeasurement:
    """Everything a model question is scored from, fresh or as stored."""

    dataset: str
    accuracy: float | None
    error: str | None = None
    infrastructure_failure: bool = False
    inference_seconds: float | None = None
    structure: StructureOutcome | None = None
    reported: ReportedAccuracy | None = None
    reported_tolerance: float = 0.05


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


def measured(
    question_id: str, question: ModelQuestion, evidence: NotebookEvidence
) -> ModelMeasurement:
    """The measurement of a model just evaluated, with its structure checked."""
    evaluation = evidence.evaluation
    if evaluation is None:
        raise ValueError(f"{question_id}: a model question is scored from its evaluation")
    structure = None
    if question.structure:
        facts = StructureFacts.from_summary(evaluation.summary)
        passed, message = STRUCTURE_CHECKS[question.structure](facts)
        structure = StructureOutcome(
            question.structure, passed, message, not passed and not facts.executed_available
        )
    return ModelMeasurement(
        dataset=evidence.dataset_name,
        accuracy=evaluation.accuracy,
        error=evaluation.error,
        infrastructure_failure=evaluation.infrastructure_failure,
        inference_seconds=evaluation.inference_seconds,
        structure=structure,
        reported=_reported_test_accuracy(evidence.run.executed_notebook, question_id),
        reported_tolerance=evidence.reported_tolerance,
    )


def stored_measurement(stored: QuestionResult, dataset: str, tolerance: float) -> ModelMeasurement:
    """The measurement as the gradebook holds it in a result's details."""
    details = stored.details
    structure = details.get("structure")
    outcome = None
    if isinstance(structure, dict) and structure.get("required"):
        passed = bool(structure.get("passed"))
        unconfirmed = structure.get("unconfirmed")
        if unconfirmed is None:  # stored before this was recorded: the status tells
            unconfirmed = not passed and stored.review_reason is ReviewReason.AMBIGUOUS
        outcome = StructureOutcome(
            str(structure["required"]),
            passed,
            str(structure.get("message") or ""),
            bool(unconfirmed),
        )
    reported_value = details.get("reported_accuracy")
    reported = None
    if isinstance(reported_value, int | float):
        text = details.get("reported_text") or f"{reported_value:.3f}"
        reported = ReportedAccuracy(
            stored.question_id, float(reported_value), "test", -1, "stored", str(text)
        )
    accuracy = details.get("accuracy")
    return ModelMeasurement(
        dataset=str(details.get("dataset") or dataset),
        accuracy=float(accuracy) if isinstance(accuracy, int | float) else None,
        inference_seconds=details.get("inference_seconds"),
        structure=outcome,
        reported=reported,
        reported_tolerance=tolerance,
    )


def model_result(
    question_id: str, question: ModelQuestion, measurement: ModelMeasurement
) -> QuestionResult:
    """Points from the accuracy curve (and the structure share), with the reported-accuracy check."""
    dataset_name = measurement.dataset
    thresholds = question.thresholds[dataset_name]
    details: dict[str, Any] = {
        "accuracy": measurement.accuracy,
        "threshold": thresholds.full_at,
        "zero_at": thresholds.zero_at,
        "dataset": dataset_name,
        "inference_seconds": measurement.inference_seconds,
        "flags": [],
    }
    if measurement.accuracy is None:
        reason = ReviewReason.AMBIGUOUS if measurement.infrastructure_failure else None
        feedback = f"The saved model could not be evaluated: {measurement.error}."
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
    accuracy = measurement.accuracy
    accuracy_share = thresholds.share(accuracy)
    structure = measurement.structure
    structure_share = question.structure_share if question.structure else 0.0
    structure_ok = True
    structure_unconfirmed = False
    feedback = (
        f"Measured accuracy on the hidden test split: {accuracy:.3f} "
        f"(full credit at ≥ {thresholds.full_at:.2f}, none at ≤ {thresholds.zero_at:.2f})."
    )
    if question.structure and structure is not None:
        structure_ok = structure.passed
        structure_unconfirmed = structure.unconfirmed
        details["structure"] = {
            "required": question.structure,
            "passed": structure.passed,
            "message": structure.message,
            "unconfirmed": structure.unconfirmed,
        }
        feedback += f" Structure: {structure.message}"
        if structure_unconfirmed:
            feedback += " A person will check the structure."
    share = (1 - structure_share) * accuracy_share + structure_share * (
        1.0 if structure_ok else 0.0
    )
    reported = measurement.reported
    details["reported_accuracy"] = reported.value if reported else None
    if reported is not None:
        details["reported_text"] = reported.text
        tolerance = measurement.reported_tolerance
        if accuracy_gap_flag(reported.value, accuracy, tolerance):
            details["flags"].append(GAP_FLAG)
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


def score_model(
    question_id: str, question: ModelQuestion, evidence: NotebookEvidence
) -> QuestionResult:
    """A model just measured, scored (the notebook's run details kept beside the measurement)."""
    return model_result(question_id, question, measured(question_id, question, evidence))


class AccuracyKind(Kind):
    name = "accuracy"
    part = Part.NOTEBOOKS
    layout = AnswerLayout.MEASUREMENT
    model = ModelQuestion
    needs_saved_model = True

    def score_notebook(
        self, question_id: str, question: Any, evidence: NotebookEvidence
    ) -> QuestionResult:
        return score_model(question_id, question, evidence)

    def rescore(
        self, context: RescoreContext, question_id: str, question: Any, stored: QuestionResult
    ) -> QuestionResult:
        measurement = stored_measurement(
            stored, context.dataset, context.rubric.notebooks.reported_accuracy_tolerance
        )
        if measurement.accuracy is None or measurement.dataset not in question.thresholds:
            return replace(stored, max_points=question.points)
        result = model_result(question_id, question, measurement)
        kept = {k: v for k, v in stored.details.items() if k not in result.details}
        return replace(
            result,
            answer_text=stored.answer_text,
            details={**kept, **result.details},
        )


KIND = AccuracyKind()
