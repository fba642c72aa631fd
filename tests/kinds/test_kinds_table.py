"""The one table of question kinds: each kind one module with its own rubric model, and every
caller dispatching through it; re-scoring uses the kind's own formula, so a stored result
re-scored with the same rubric is the same result."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import grader.kinds
from grader.evaluation import ReportedAccuracy
from grader.kinds.accuracy import ModelMeasurement, StructureOutcome, model_result
from grader.kinds.base import Kind, RescoreContext
from grader.kinds.figures import figures_result
from grader.kinds.table import QUESTION_KINDS, UnknownKind, kind_names, kind_of
from grader.results import Part, Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader

ROOT = Path(__file__).resolve().parents[2]
NOT_KINDS = {"base", "table", "evidence"}  # the shared base, the table, notebook evidence


def test_every_kind_module_is_one_row_of_the_table():
    modules = {
        info.name
        for info in pkgutil.iter_modules(grader.kinds.__path__)
        if info.name not in NOT_KINDS
    }
    rows = {type(kind).__module__.rsplit(".", 1)[-1] for kind in QUESTION_KINDS.values()}
    assert modules == rows
    for name in modules:
        module = importlib.import_module(f"grader.kinds.{name}")
        assert QUESTION_KINDS[module.KIND.name] is module.KIND
        assert isinstance(module.KIND, Kind)


def test_an_unknown_kind_is_named_with_the_closest_one():
    with pytest.raises(UnknownKind) as caught:
        kind_of("tensr")
    assert str(caught.value) == (
        "kind 'tensr' is not a question kind — did you mean 'tensor'? "
        "(kinds: matrix, tensor, shape, number, concept, accuracy, figures)"
    )
    assert kind_names(Part.NOTEBOOKS) == ["accuracy", "figures"]


@pytest.fixture(scope="module")
def context() -> RescoreContext:
    rubric = load_rubric(ROOT / "rubrics" / "hw4.toml")
    return RescoreContext(AnswerGrader(rubric), rubric, "synthetic")


@pytest.mark.parametrize("unconfirmed", [False, True])
def test_a_model_result_rescored_with_the_same_rubric_is_the_same(context, unconfirmed):
    question = context.rubric.models["p1.scratch"]
    measurement = ModelMeasurement(
        dataset="synthetic",
        value=0.8,
        inference_seconds=1.5,
        structure=StructureOutcome(
            "scratch_cnn", not unconfirmed, "2 conv layers ran", unconfirmed
        ),
        reported=ReportedAccuracy("p1.scratch", 0.95, "test", 3, "output", "Test accuracy: 95%"),
    )
    stored = model_result("p1.scratch", question, measurement)
    assert "The notebook reports 0.950 (“Test accuracy: 95%”)" in stored.feedback
    assert ("A person will check the structure." in stored.feedback) is unconfirmed
    rescored = kind_of("accuracy").rescore(context, "p1.scratch", question, stored)
    assert rescored == stored


def test_a_model_rescored_on_a_stricter_curve_keeps_every_sentence(context):
    question = context.rubric.models["p1.scratch"]
    measurement = ModelMeasurement(
        dataset="synthetic",
        value=0.8,
        structure=StructureOutcome("scratch_cnn", False, "no count of the ops", True),
        reported=ReportedAccuracy("p1.scratch", 0.95, "test", 3, "output", "acc 95%"),
    )
    stored = model_result("p1.scratch", question, measurement)
    stricter = question.model_copy(
        update={
            "thresholds": {
                "synthetic": question.thresholds["synthetic"].model_copy(update={"full_at": 0.9})
            }
        }
    )
    rescored = kind_of("accuracy").rescore(context, "p1.scratch", stricter, stored)
    assert rescored.points < stored.points
    assert rescored.status is Status.NEEDS_REVIEW  # the structure still waits for a person
    assert "A person will check the structure." in rescored.feedback
    assert "The notebook reports 0.950 (“acc 95%”)" in rescored.feedback
    assert "full credit at ≥ 0.90" in rescored.feedback


def test_figures_rescored_with_the_same_rubric_are_the_same(context):
    from grader.kinds.evidence import stored_run_note

    question = context.rubric.models["p1.visualize"]
    details = {
        "flags": [],
        "images_too_small": ["cell 3: 20×20 px"],
        "images_unmeasured": [],
        "notebook_status": "error",
        "notebook_message": "cell 5 raised ValueError",
    }
    stored = figures_result(
        "p1.visualize", question, 1, ["cell 3: 20×20 px"], stored_run_note(details), details
    )
    assert stored.status is Status.NEEDS_REVIEW and "cell 5 raised ValueError" in stored.feedback
    assert kind_of("figures").rescore(context, "p1.visualize", question, stored) == stored


@pytest.fixture(scope="module")
def hw5() -> RescoreContext:
    rubric = load_rubric(ROOT / "rubrics" / "hw5.toml")
    return RescoreContext(AnswerGrader(rubric), rubric, "synthetic")


def test_another_measure_is_named_and_scored_on_its_own_curve(hw5):
    question = hw5.rubric.models["p1.attention"]  # macro-F1, full at 0.85, none at 0.40
    measurement = ModelMeasurement(
        dataset="synthetic",
        value=0.625,
        measure="macro_f1",
        structure=StructureOutcome("attention ≥ 1", True, "the required layers ran", False),
        # Never compared: the notebook's figure is for accuracy, this question is macro-F1.
        reported=ReportedAccuracy("p1.attention", 0.95, "test", 3, "output", "accuracy 95%"),
    )
    result = model_result("p1.attention", question, measurement)
    assert result.feedback == (
        "Measured macro-F1 on the hidden test split: 0.625 (full credit at ≥ 0.85, none at "
        "≤ 0.40). Structure: the required layers ran"
    )
    assert result.points == round(6 * (0.75 * 0.5 + 0.25), 2) == 3.75
    assert result.details["measure"] == "macro_f1" and result.details["value"] == 0.625
    assert "accuracy" not in result.details and result.details["flags"] == []
    assert kind_of("accuracy").rescore(hw5, "p1.attention", question, result) == result


def test_an_error_measure_reads_lower_as_better():
    from grader.kinds.accuracy import ErrorCurve, ModelQuestion

    question = ModelQuestion(
        title="forecast",
        notebook="p.ipynb",
        points=4,
        dataset="series",
        measure="mae",
        thresholds={"real": ErrorCurve(full_at=0.1, zero_at=0.5)},
    )
    measurement = ModelMeasurement(dataset="real", value=0.3, measure="mae")
    result = model_result("p.forecast", question, measurement)
    assert result.points == 2.0
    assert result.feedback == (
        "Measured mean absolute error on the hidden test split: 0.300 (full credit at ≤ 0.1, "
        "none at ≥ 0.5)."
    )


def test_a_result_stored_before_measures_rescores_as_accuracy(context):
    """Runs stored before #18 hold `accuracy` alone: re-scoring reads it as the value."""
    question = context.rubric.models["p2.baseline"]
    fresh = model_result("p2.baseline", question, ModelMeasurement(dataset="synthetic", value=0.4))
    old_details = {k: v for k, v in fresh.details.items() if k not in ("measure", "value")}
    old = fresh.__class__(**{**fresh.__dict__, "details": old_details})
    rescored = kind_of("accuracy").rescore(context, "p2.baseline", question, old)
    assert (rescored.points, rescored.feedback) == (fresh.points, fresh.feedback)
    assert rescored.details["measure"] == "accuracy" and rescored.details["value"] == 0.4
