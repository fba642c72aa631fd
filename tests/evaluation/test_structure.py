"""Structure checks as grading runs them: the rubric's `structure` name picks the check
(`STRUCTURE_CHECKS`), applied to `StructureFacts.from_summary` of summaries made by
inside_predict.py and of forged ones."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import get_args

import pytest

from grader.evaluation import StructureFacts, read_summary
from grader.evaluation.structure import check_inception, check_residual, check_scratch_cnn
from grader.rubric.model import ModelQuestion
from grader.scoring.models import STRUCTURE_CHECKS

RUBRIC = Path(__file__).parents[2] / "rubrics" / "hw4.toml"


def _facts(predict_runs, name: str) -> StructureFacts:
    return StructureFacts.from_summary(
        read_summary(predict_runs[name].out / "summary.json", 1 << 20)
    )


def test_plain_cnn_passes_the_scratch_check(predict_runs):
    passed, message = check_scratch_cnn(_facts(predict_runs, "plain_binary1"))
    assert passed
    assert message == (
        "CNN from scratch with 2 convolution, 2 pooling, 2 normalization, 1 dense (Linear) layers."
    )


def test_a_cnn_without_normalization_fails_the_scratch_check(predict_runs):
    passed, message = check_scratch_cnn(_facts(predict_runs, "dense_concat"))
    assert not passed
    assert message.startswith("missing layers: normalization (has 0, needs 1).")


def test_functional_pooling_counts_as_pooling(predict_runs):
    facts = _facts(predict_runs, "dense_concat")
    assert facts.layers["pooling"] == 1  # F.max_pool2d: an op in the graph, no module


@pytest.mark.parametrize(
    ("name", "passed"),
    [
        ("inception", True),
        ("inception_traced", True),
        ("plain10", False),
        ("dense_concat", False),
        ("residual", False),
    ],
)
def test_inception_check(predict_runs, name, passed):
    result, message = check_inception(_facts(predict_runs, name))
    assert result is passed
    if passed:
        assert message == "inception-style block: 3 parallel convolution branches concatenated."
    else:
        assert "no parallel convolution branches" in message


@pytest.mark.parametrize(
    ("name", "passed"),
    [
        ("residual", True),
        ("residual_scripted", True),
        ("projection", True),
        ("plain10", False),
        ("inception", False),
    ],
)
def test_residual_check(predict_runs, name, passed):
    result, message = check_residual(_facts(predict_runs, name))
    assert result is passed
    assert ("skip connection(s) added back" in message) is passed


def test_a_failed_evaluation_fails_every_check():
    # A failed evaluation is scored before any structure check (no accuracy, no points);
    # should its summary ever reach one, it still shows no structure at all.
    facts = StructureFacts.from_summary({"error": "RuntimeError: boom"})
    outcomes = {name: check(facts) for name, check in STRUCTURE_CHECKS.items()}
    assert {name: passed for name, (passed, _) in outcomes.items()} == {
        "scratch_cnn": False,
        "inception": False,
        "residual": False,
    }
    assert outcomes["scratch_cnn"][1].startswith("missing layers: convolution (has 0, needs 2);")
    assert "could not be analysed" in outcomes["inception"][1]
    assert "could not be analysed" in outcomes["residual"][1]


def test_forged_or_odd_values_read_as_absent():
    forged = {
        "structure": {
            "layer_counts": {"conv": "9", "pooling": True, "normalization": -3, "linear": 2.0},
            "graph": {"concat_parallel_branches": "yes", "residual_skip": 1, "op_counts": []},
            "parameters": "many",
        }
    }
    facts = StructureFacts.from_summary(forged)
    assert facts.layers == {"conv": 0, "pooling": 0, "normalization": 0, "linear": 0, "dropout": 0}
    assert not facts.concat_parallel_branches and not facts.residual_skip
    assert check_residual(facts) == (
        False,
        "no skip connection (x + f(x) with convolutions in f) was found in the forward pass.",
    )
    assert check_scratch_cnn(StructureFacts.from_summary({"structure": None}))[0] is False


def test_missing_graph_is_said_so():
    summary = {"structure": {"layer_counts": {"conv": 3}, "graph_error": "RuntimeError: x"}}
    passed, message = check_inception(StructureFacts.from_summary(summary))
    assert not passed and "could not be analysed" in message


def test_the_rubric_names_which_questions_have_a_structure_check():
    models = tomllib.loads(RUBRIC.read_text())["models"]
    required = {qid: model["structure"] for qid, model in models.items() if "structure" in model}
    assert required == {
        "p1.scratch": "scratch_cnn",
        "p2.inception": "inception",
        "p2.residual": "residual",
    }
    checks = dict(STRUCTURE_CHECKS)
    assert checks == {
        "scratch_cnn": check_scratch_cnn,
        "inception": check_inception,
        "residual": check_residual,
    }
    # No check for the others (p1.transfer, p2.baseline, …), and no structure name a
    # rubric may use lacks one: the rubric model accepts exactly the checks' names.
    assert "structure" not in models["p1.transfer"] and "structure" not in models["p2.baseline"]
    annotation = ModelQuestion.model_fields["structure"].annotation  # Literal[...] | None
    allowed = {name for part in get_args(annotation) for name in get_args(part)}
    assert allowed == set(checks)
