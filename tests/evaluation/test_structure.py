"""Structure checks as grading runs them: the rubric's `structure` name picks the check
(`STRUCTURE_CHECKS`), applied to `StructureFacts.from_summary` of summaries made by
inside_predict.py (as a subprocess, or its `structure_summary` on models built here, among them
hostile ones that fake a structure) and of forged ones."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import torch
from torch import nn

from grader.evaluation import StructureFacts, read_summary
from grader.evaluation.inside_predict import structure_summary
from grader.evaluation.structure import (
    LAYER_KINDS,
    REQUIREMENT_KINDS,
    UNCONFIRMED,
    check_inception,
    check_residual,
    check_scratch_cnn,
    check_structure,
    requirement_problem,
)
from grader.kinds.accuracy import STRUCTURE_CHECKS
from tests.evaluation import models

RUBRIC = Path(__file__).parents[2] / "rubrics" / "hw4.toml"


def _facts(predict_runs, name: str) -> StructureFacts:
    return StructureFacts.from_summary(
        read_summary(predict_runs[name].out / "summary.json", 1 << 20)
    )


def _facts_of(module: nn.Module, tmp_path: Path) -> StructureFacts:
    """Script, save and load `module`, then summarise it as inside_predict.py does."""
    path = tmp_path / "model.pt"
    models.save_scripted(module, path)
    batch = torch.rand(4, 3, models.IMAGE_SIZE, models.IMAGE_SIZE)  # images in [0, 1)
    return StructureFacts.from_summary({"structure": structure_summary(models.load(path), batch)})


@pytest.mark.parametrize("name", ["plain_binary1", "plain_binary2"])  # scripted, traced
def test_plain_cnn_passes_the_scratch_check(predict_runs, name):
    passed, message = check_scratch_cnn(_facts(predict_runs, name))
    assert passed
    assert message == (
        "CNN from scratch with 2 convolution, 2 pooling, 2 normalization, 1 dense (Linear) layers."
    )


def test_a_cnn_without_normalization_fails_the_scratch_check(predict_runs):
    passed, message = check_scratch_cnn(_facts(predict_runs, "dense_concat"))
    assert not passed
    assert message == (
        "missing layers: normalization (ran 0, needs 1). On the test inputs the model ran "
        "2 convolution, 1 pooling, 0 normalization, 1 dense (Linear) layers."
    )


def test_functional_pooling_counts_as_pooling(predict_runs):
    facts = _facts(predict_runs, "dense_concat")
    assert facts.layers["pooling"] == 1  # F.max_pool2d: an op that ran, no module
    assert facts.modules["pooling"] == 0


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
    outcomes = {name: check_structure(facts, name) for name in STRUCTURE_CHECKS}
    assert {name: passed for name, (passed, _) in outcomes.items()} == {
        "scratch_cnn": False,
        "inception": False,
        "residual": False,
    }
    assert outcomes["scratch_cnn"][1].startswith(UNCONFIRMED)
    assert "could not be analysed" in outcomes["inception"][1]
    assert "could not be analysed" in outcomes["residual"][1]


def test_forged_or_odd_values_read_as_absent():
    forged = {
        "structure": {
            "layer_counts": {"conv": "9", "pooling": True, "normalization": -3, "linear": 2.0},
            "graph": {
                "concat_parallel_branches": "yes",
                "residual_skip": 1,
                "op_counts": [],
                "live_op_counts": {"conv": "9", "linear": 2.0},
            },
            "executed": {"op_counts": {"conv": "9", "pooling": True, "linear": 2.0}},
            "parameters": "many",
        }
    }
    facts = StructureFacts.from_summary(forged)
    zeros = {"conv": 0, "pooling": 0, "normalization": 0, "linear": 0, "dropout": 0}
    assert facts.modules == zeros
    assert facts.layers == dict.fromkeys(REQUIREMENT_KINDS, 0)
    assert facts.executed_available
    assert not facts.concat_parallel_branches and not facts.residual_skip
    assert check_residual(facts) == (
        False,
        "no skip connection (x + f(x) with convolutions in f) was found in the forward pass.",
    )
    assert check_scratch_cnn(StructureFacts.from_summary({"structure": None}))[0] is False
    listed = {"structure": {"executed": {"op_counts": [["conv", 9]]}}}
    assert not StructureFacts.from_summary(listed).executed_available


def test_missing_graph_is_said_so():
    summary = {"structure": {"layer_counts": {"conv": 3}, "graph_error": "RuntimeError: x"}}
    passed, message = check_inception(StructureFacts.from_summary(summary))
    assert not passed and "could not be analysed" in message


# A summary whose graph shows every structure and whose modules are all there.
GRAPH_ALL_THERE = {
    "layer_counts": {"conv": 4, "pooling": 1, "normalization": 2, "linear": 1},
    "graph": {
        "concat_parallel_branches": True,
        "max_concat_branches": 2,
        "residual_skip": True,
        "identity_skip_adds": 1,
        # Every op on the path to the output: what ran decides (the smaller count).
        "live_op_counts": {
            "conv": 4,
            "pooling": 1,
            "normalization": 2,
            "linear": 1,
            "concat": 1,
            "add": 1,
        },
    },
}


@pytest.mark.parametrize(
    "executed",
    [{}, {"executed_error": "RuntimeError: profiler"}, {"executed": "many"}],
    ids=["missing", "error", "odd"],
)
def test_without_executed_counts_no_check_passes_or_gives_a_zero(executed):
    facts = StructureFacts.from_summary({"structure": {**GRAPH_ALL_THERE, **executed}})
    assert not facts.executed_available
    outcomes = {name: check_structure(facts, name) for name in STRUCTURE_CHECKS}
    assert outcomes["scratch_cnn"] == (
        False,
        "the structure could not be confirmed: the operations the model ran on the test inputs "
        "could not be counted, so its layers were not counted (torch.nn modules: "
        "4 convolution, 1 pooling, 2 normalization, 1 dense (Linear)).",
    )
    assert outcomes["inception"] == (
        False,
        f"{UNCONFIRMED}, so the parallel convolution branches joined by torch.cat seen in the "
        "model's graph was not confirmed.",
    )
    assert outcomes["residual"][0] is False
    assert outcomes["residual"][1].startswith(UNCONFIRMED)
    assert "missing layers" not in outcomes["scratch_cnn"][1]


def test_graph_flags_need_their_ops_to_have_run():
    executed = {"op_counts": {"conv": 1}, "concat_ops": 0, "add_ops": 0}
    facts = StructureFacts.from_summary({"structure": {**GRAPH_ALL_THERE, "executed": executed}})
    assert check_inception(facts) == (
        False,
        "the parallel convolution branches joined by torch.cat in the model's code did not run "
        "on the test inputs (ran 0 concatenation(s) and 1 convolution(s); needs "
        "1 concatenation(s) and 2 convolution(s)).",
    )
    assert check_residual(facts) == (
        False,
        "the skip connection in the model's code did not run on the test inputs (ran "
        "0 addition(s) and 1 convolution(s); needs 1 addition(s) and 1 convolution(s)).",
    )
    ran = {"op_counts": {"conv": 2}, "concat_ops": 1, "add_ops": 1}
    facts = StructureFacts.from_summary({"structure": {**GRAPH_ALL_THERE, "executed": ran}})
    assert check_inception(facts)[0] is True
    assert check_residual(facts)[0] is True


@pytest.mark.slow
def test_classes_named_like_torch_layers_fail_the_scratch_check(tmp_path):
    facts = _facts_of(models.LookalikeLayers(), tmp_path)
    assert facts.modules == {"conv": 0, "pooling": 0, "normalization": 0, "linear": 0, "dropout": 0}
    assert facts.lookalikes == {
        "conv": 2,
        "pooling": 1,
        "normalization": 1,
        "linear": 1,
        "dropout": 0,
    }
    assert check_scratch_cnn(facts) == (
        False,
        "missing layers: convolution (ran 0, needs 2); pooling (ran 0, needs 1); "
        "normalization (ran 0, needs 1); dense (Linear) (ran 0, needs 1). On the test inputs "
        "the model ran 0 convolution, 0 pooling, 0 normalization, 0 dense (Linear) layers. "
        "Layers count by the operation they run, not by their class name: classes named like "
        "torch.nn layers but defined elsewhere (2 convolution, 1 pooling, 1 normalization, "
        "1 dense (Linear)) do not count.",
    )


@pytest.mark.slow
def test_a_convolution_in_a_branch_that_never_runs_does_not_count(tmp_path):
    facts = _facts_of(models.DeadBranchCNN(), tmp_path)
    assert facts.modules["conv"] == 2  # both modules exist; one never runs
    assert {kind: facts.layers[kind] for kind in LAYER_KINDS} == {
        "conv": 1,
        "pooling": 1,
        "normalization": 1,
        "linear": 1,
        "dropout": 0,
    }
    passed, message = check_scratch_cnn(facts)
    assert not passed
    assert message.startswith("missing layers: convolution (ran 1, needs 2). On the test inputs")


@pytest.mark.slow
def test_blocks_in_a_data_dependent_branch_are_not_inception_or_residual(tmp_path):
    facts = _facts_of(models.DeadBranchResidual(), tmp_path)
    assert not facts.residual_skip and not facts.concat_parallel_branches
    assert check_residual(facts) == (
        False,
        "no skip connection (x + f(x) with convolutions in f) was found in the forward pass.",
    )
    assert check_inception(facts)[1] == (
        "no parallel convolution branches joined by torch.cat were found in the forward pass."
    )


@pytest.mark.slow
@pytest.mark.parametrize("use_block", [True, False])
def test_a_block_behind_a_bool_attribute_counts_when_it_runs(tmp_path, use_block):
    facts = _facts_of(models.GatedResidual(use_block), tmp_path)
    assert facts.residual_skip  # the graph cannot tell; the executed ops do
    passed, message = check_residual(facts)
    assert passed is use_block
    if use_block:
        assert message == "residual block: 1 skip connection(s) added back."
    else:
        assert message.startswith("the skip connection in the model's code did not run")


@pytest.mark.slow
def test_profiler_scopes_named_after_ops_do_not_count(tmp_path):
    facts = _facts_of(models.ForgedScopes(), tmp_path)
    assert {kind: facts.layers[kind] for kind in LAYER_KINDS} == {
        "conv": 1,
        "pooling": 0,
        "normalization": 0,
        "linear": 1,
        "dropout": 0,
    }
    assert facts.executed_concats == 0
    assert check_scratch_cnn(facts)[1].startswith(
        "missing layers: convolution (ran 1, needs 2); pooling (ran 0, needs 1); "
        "normalization (ran 0, needs 1)."
    )


def test_the_rubric_names_which_questions_have_a_structure_check():
    models = tomllib.loads(RUBRIC.read_text())["models"]
    required = {qid: model["structure"] for qid, model in models.items() if "structure" in model}
    assert required == {
        "p1.scratch": "scratch_cnn",
        "p2.inception": "inception",
        "p2.residual": "residual",
    }
    # HW4's checks are presets: named sets of requirements a rubric may also write out.
    presets = {name: dict(preset.requirements) for name, preset in STRUCTURE_CHECKS.items()}
    assert presets == {
        "scratch_cnn": {"conv": 2, "pooling": 1, "normalization": 1, "linear": 1},
        "inception": {"parallel_branches": True},
        "residual": {"skip_connection": True},
    }
    # No check for the others (p1.transfer, p2.baseline, …); a rubric names a preset or
    # its own requirements, and anything else is refused in words.
    assert "structure" not in models["p1.transfer"] and "structure" not in models["p2.baseline"]
    assert requirement_problem("scratch_cnn") is None
    assert requirement_problem({"lstm": 1, "skip_connection": True}) is None
    assert requirement_problem("resnet") == (
        "'resnet' is not a preset (scratch_cnn, inception, residual); or give counts per op kind"
    )
    assert requirement_problem({"lstm": 0}) == "lstm needs a count of at least 1"
    assert requirement_problem({"transformer": 1}).startswith(
        "unknown requirement 'transformer' (requirements: conv, pooling,"
    )
    assert requirement_problem({"skip_connection": 2}) == "skip_connection takes true"


def test_a_structure_that_could_not_be_confirmed_goes_to_a_person_not_to_zero():
    from pathlib import Path

    from grader.evaluation.hidden_test import ModelEvaluation
    from grader.kinds.accuracy import score_model
    from grader.kinds.evidence import NotebookEvidence
    from grader.notebooks.execute import NotebookRun
    from grader.results import NotebookRunStatus, ReviewReason, Status
    from grader.rubric import load_rubric

    rubric = load_rubric(Path(__file__).resolve().parents[2] / "rubrics" / "hw4.toml")
    question = rubric.models["p1.scratch"]
    dataset = sorted(question.thresholds)[0]
    summary = {"structure": {**GRAPH_ALL_THERE, "executed_error": "RuntimeError: profiler"}}
    evidence = NotebookEvidence(
        run=NotebookRun(status=NotebookRunStatus.OK, message="ran"),
        evaluation=ModelEvaluation(0.99, 0.1, summary, None),
        dataset_name=dataset,
        reported_tolerance=0.05,
    )
    result = score_model("p1.scratch", question, evidence)
    assert (result.status, result.review_reason) == (Status.NEEDS_REVIEW, ReviewReason.AMBIGUOUS)
    assert result.feedback.endswith("A person will check the structure.")
    assert result.details["structure"]["passed"] is False


@pytest.mark.slow
def test_ops_whose_result_is_thrown_away_count_for_nothing(tmp_path):
    """#19: dead conv, pool, norm, linear, concatenation and addition ops ran but do not count."""
    facts = _facts_of(models.ThrownAway(), tmp_path)
    assert facts.executed_available
    ran = {kind: facts.layers[kind] for kind in ("conv", "pooling", "normalization", "linear")}
    assert ran == {"conv": 0, "pooling": 0, "normalization": 0, "linear": 1}
    assert not check_scratch_cnn(facts)[0]
    assert not check_inception(facts)[0] and not check_residual(facts)[0]
    assert (facts.concat_parallel_branches, facts.residual_skip) == (False, False)


@pytest.mark.slow
def test_an_in_place_skip_connection_is_on_the_path_to_the_output(tmp_path):
    facts = _facts_of(models.InPlaceResidual(), tmp_path)
    assert check_residual(facts) == (True, "residual block: 1 skip connection(s) added back.")
    assert facts.layers["conv"] == 3 and facts.layers["normalization"] == 2
