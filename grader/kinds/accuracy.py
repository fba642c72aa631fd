"""The `accuracy` kind: a saved model (`artifacts/<id>.pt`) measured on the hidden test split of
its dataset by the rubric's measure (accuracy by default; `grader.measures`), scored on the
rubric's curve, with its required structure and the gap to the accuracy the student reports.

One formula (`model_result`) serves grading, from a fresh measurement, and re-scoring,
from what the gradebook stored, so the two never drift apart. Takes measurements (from
`grader.evaluation`); never runs anything itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import Field, model_validator

from grader.data.perturbations import WORDS as PERTURBATION_WORDS
from grader.evaluation import (
    ReportedAccuracy,
    accuracy_gap_flag,
    find_reported_accuracies,
)
from grader.evaluation.structure import (
    PRESETS,
    StructureFacts,
    check_structure,
    requirement_problem,
)
from grader.kinds.base import AnswerLayout, Kind, NotebookQuestion, RescoreContext, _Strict
from grader.kinds.evidence import NotebookEvidence
from grader.measures import MEASURES
from grader.results import Part, QuestionResult, ReviewReason, Status

STRUCTURE_CHECKS = PRESETS
GAP_FLAG = "reported_accuracy_gap"
PERTURBATION_FLAG = "perturbation_drop"


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


class ErrorCurve(_Strict):
    """For an error (lower is better): full points at or below `full_at`, linear up to zero
    points at `zero_at`."""

    full_at: float = Field(ge=0)
    zero_at: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> ErrorCurve:
        if self.full_at >= self.zero_at:
            raise ValueError("for an error, full_at must be below zero_at (lower is better)")
        return self

    def share(self, measured: float) -> float:
        """Share of the question's points (0…1) for a measured error; NaN earns nothing."""
        if not math.isfinite(measured) or measured >= self.zero_at:
            return 0.0
        if measured <= self.full_at:
            return 1.0
        return (self.zero_at - measured) / (self.zero_at - self.full_at)


#: Structure requirements a question may name: preset names, or minimum counts per op kind
#: and the graph facts `parallel_branches` / `skip_connection` (grader.evaluation.structure).
StructureRequirement = str | dict[str, int | bool]


class ModelQuestion(NotebookQuestion):
    """A saved model (`artifacts/<id>.pt`) measured on the hidden test split of its dataset."""

    kind: Literal["accuracy"] = "accuracy"
    dataset: str = Field(description="a dataset the rubric declares in [datasets.<name>]")
    classes: int | None = Field(
        default=None,
        ge=2,
        description="classes the model tells apart (default: the dataset's): 2 reads N×1 "
        "logits as one binary output",
    )
    measure: str = Field(default="accuracy", description="a row of grader.measures.MEASURES")
    k: int = Field(default=5, ge=1, description="top_k_accuracy: how many guesses count")
    thresholds: dict[str, AccuracyCurve | ErrorCurve] = Field(
        min_length=1, description="per dataset name (dataset.toml `name`): synthetic, real, ..."
    )
    structure: StructureRequirement | None = None
    structure_share: float = Field(
        default=0.25, ge=0, le=1, description="share of the points for the required structure"
    )

    @model_validator(mode="after")
    def _measure_and_curves_agree(self) -> ModelQuestion:
        measure = MEASURES.get(self.measure)
        if measure is None:
            raise ValueError(f"measure '{self.measure}' is not one of {', '.join(MEASURES)}")
        for name, curve in self.thresholds.items():
            if measure.higher_is_better and not isinstance(curve, AccuracyCurve):
                raise ValueError(
                    f"thresholds.{name}: zero_at must be below full_at, both between 0 and 1 "
                    f"({measure.words}: higher is better)"
                )
            if not measure.higher_is_better and not isinstance(curve, ErrorCurve):
                raise ValueError(
                    f"thresholds.{name}: full_at must be below zero_at ({measure.words}: lower "
                    "is better)"
                )
        if self.structure is not None:
            problem = requirement_problem(self.structure)
            if problem:
                raise ValueError(f"structure: {problem}")
        return self

    @property
    def structure_label(self) -> str:
        """How the required structure is named in details and messages."""
        if isinstance(self.structure, str) or self.structure is None:
            return self.structure or ""
        return ", ".join(
            f"{k} ≥ {v}" if not isinstance(v, bool) else k for k, v in self.structure.items()
        )


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
    value: float | None  # the measure's value (accuracy by default)
    measure: str = "accuracy"
    error: str | None = None
    infrastructure_failure: bool = False
    inference_seconds: float | None = None
    structure: StructureOutcome | None = None
    reported: ReportedAccuracy | None = None
    reported_tolerance: float = 0.05
    perturbed_value: float | None = None  # the measure on the perturbed copy of the inputs
    perturbation: str = "none"
    margin: float = 0.15


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
        passed, message = check_structure(facts, question.structure)
        structure = StructureOutcome(
            question.structure_label, passed, message, not passed and not facts.executed_available
        )
    return ModelMeasurement(
        dataset=evidence.dataset_name,
        value=evaluation.value,
        measure=question.measure,
        error=evaluation.error,
        infrastructure_failure=evaluation.infrastructure_failure,
        inference_seconds=evaluation.inference_seconds,
        structure=structure,
        reported=_reported_test_accuracy(evidence.run.executed_notebook, question_id),
        reported_tolerance=evidence.reported_tolerance,
        perturbed_value=evaluation.perturbed_value,
        perturbation=evaluation.perturbation,
        margin=evaluation.margin,
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
    measure = str(details.get("measure") or "accuracy")
    value = details.get("value", details.get("accuracy"))  # "accuracy" alone: stored before #18
    perturbed = details.get("perturbed_value")
    margin = details.get("perturbation_margin")
    return ModelMeasurement(
        dataset=str(details.get("dataset") or dataset),
        value=float(value) if isinstance(value, int | float) else None,
        measure=measure,
        perturbed_value=float(perturbed) if isinstance(perturbed, int | float) else None,
        perturbation=str(details.get("perturbation") or "none"),
        margin=float(margin) if isinstance(margin, int | float) else 0.15,
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
        "measure": question.measure,
        "value": measurement.value,
        "threshold": thresholds.full_at,
        "zero_at": thresholds.zero_at,
        "dataset": dataset_name,
        "inference_seconds": measurement.inference_seconds,
        "flags": [],
    }
    if question.measure == "accuracy":
        details["accuracy"] = measurement.value
    if measurement.value is None:
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
    value = measurement.value
    value_share = thresholds.share(value)
    structure = measurement.structure
    structure_share = question.structure_share if question.structure else 0.0
    structure_ok = True
    structure_unconfirmed = False
    feedback = measured_sentence(question, thresholds, value)
    if question.structure and structure is not None:
        structure_ok = structure.passed
        structure_unconfirmed = structure.unconfirmed
        details["structure"] = {
            "required": question.structure_label,
            "passed": structure.passed,
            "message": structure.message,
            "unconfirmed": structure.unconfirmed,
        }
        feedback += f" Structure: {structure.message}"
        if structure_unconfirmed:
            feedback += " A person will check the structure."
    share = (1 - structure_share) * value_share + structure_share * (1.0 if structure_ok else 0.0)
    # The notebook's own figure is compared for accuracy only: other measures are seldom printed
    # in one agreed form.
    reported = measurement.reported if question.measure == "accuracy" else None
    details["reported_accuracy"] = reported.value if reported else None
    if reported is not None:
        details["reported_text"] = reported.text
        tolerance = measurement.reported_tolerance
        if accuracy_gap_flag(reported.value, value, tolerance):
            details["flags"].append(GAP_FLAG)
            feedback += (
                f" The notebook reports {reported.value:.3f} (“{reported.text}”), more than "
                f"{tolerance:.2f} away from the measured accuracy."
            )
    copied = _perturbation_check(measurement, details)
    feedback += copied
    waits = structure_unconfirmed or bool(copied)
    return QuestionResult(
        question_id=question_id,
        points=round(share * question.points, 2),
        max_points=question.points,
        status=Status.NEEDS_REVIEW if waits else Status.GRADED,
        feedback=feedback,
        review_reason=ReviewReason.AMBIGUOUS if waits else None,
        details=details,
    )


def _perturbation_check(measurement: ModelMeasurement, details: dict[str, Any]) -> str:
    """The memorisation check (issue #19): the measure on a label-preserving perturbed copy of
    the inputs, mixed in with them. A drop past the dataset's margin is a sentence for the
    feedback (and a person decides); otherwise "". Checked for higher-is-better measures."""
    if measurement.perturbed_value is None or measurement.value is None:
        return ""
    details["perturbation"] = measurement.perturbation
    details["perturbed_value"] = measurement.perturbed_value
    details["perturbation_margin"] = measurement.margin
    measure = MEASURES[measurement.measure]
    drop = measurement.value - measurement.perturbed_value
    if not measure.higher_is_better or drop <= measurement.margin:
        return ""
    details["flags"].append(PERTURBATION_FLAG)
    words = PERTURBATION_WORDS.get(measurement.perturbation, "perturbed")
    return (
        f" On a copy of the test inputs {words} (labels unchanged), the {measure.words} falls "
        f"to {measurement.perturbed_value:.3f}, more than {measurement.margin:.2f} below: "
        "answers that depend on the exact test inputs (memorised or looked up) do this, a "
        "model that learned the task does not. A person will check this."
    )


def measured_sentence(
    question: ModelQuestion, thresholds: AccuracyCurve | ErrorCurve, value: float
) -> str:
    """The feedback's first sentence: what was measured, and the curve."""
    if question.measure == "accuracy":  # HW4's wording, kept word for word
        return (
            f"Measured accuracy on the hidden test split: {value:.3f} "
            f"(full credit at ≥ {thresholds.full_at:.2f}, none at ≤ {thresholds.zero_at:.2f})."
        )
    measure = MEASURES[question.measure]
    words = measure.words.replace("top-k", f"top-{question.k}")
    if measure.higher_is_better:  # a share, shown like accuracy
        full, none = f"≥ {thresholds.full_at:.2f}", f"≤ {thresholds.zero_at:.2f}"
    else:  # an error, in the targets' units
        full, none = f"≤ {thresholds.full_at:g}", f"≥ {thresholds.zero_at:g}"
    return (
        f"Measured {words} on the hidden test split: {value:.3f} "
        f"(full credit at {full}, none at {none})."
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
        if (
            measurement.value is None
            or measurement.dataset not in question.thresholds
            or measurement.measure != question.measure
        ):
            return replace(stored, max_points=question.points)
        result = model_result(question_id, question, measurement)
        kept = {k: v for k, v in stored.details.items() if k not in result.details}
        return replace(
            result,
            answer_text=stored.answer_text,
            details={**kept, **result.details},
        )


KIND = AccuracyKind()
