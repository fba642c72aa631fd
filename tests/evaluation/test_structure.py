"""Structure checks per question, on summaries made by inside_predict.py and on forged ones."""

from __future__ import annotations

import pytest

from grader.evaluation import EvaluationError, check_structure, read_summary, structure_check_for
from grader.evaluation.structure import StructureFacts, describe_frozen


def _summary(predict_runs, name: str) -> dict:
    return read_summary(predict_runs[name].out / "summary.json", 1 << 20)


def test_plain_cnn_passes_the_scratch_check(predict_runs):
    passed, message = check_structure("p1.scratch", _summary(predict_runs, "plain_binary1"))
    assert passed
    assert message == (
        "CNN from scratch with 2 convolution, 2 pooling, 2 normalization, 1 dense (Linear) layers."
    )


def test_a_cnn_without_normalization_fails_the_scratch_check(predict_runs):
    passed, message = check_structure("p1.scratch", _summary(predict_runs, "dense_concat"))
    assert not passed
    assert message.startswith("missing layers: normalization (has 0, needs 1).")


def test_functional_pooling_counts_as_pooling(predict_runs):
    facts = StructureFacts.from_summary(_summary(predict_runs, "dense_concat"))
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
    result, message = check_structure("p2.inception", _summary(predict_runs, name))
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
    result, message = check_structure("p2.residual", _summary(predict_runs, name))
    assert result is passed
    assert ("skip connection(s) added back" in message) is passed


def test_a_failed_evaluation_fails_every_check():
    for question in ("p1.scratch", "p2.inception", "p2.residual"):
        passed, message = check_structure(question, {"error": "RuntimeError: boom"})
        assert not passed and "could not be evaluated" in message


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
    assert check_structure("p2.residual", forged) == (
        False,
        "no skip connection (x + f(x) with convolutions in f) was found in the forward pass.",
    )
    assert check_structure("p1.scratch", {"structure": None})[0] is False


def test_missing_graph_is_said_so():
    summary = {"structure": {"layer_counts": {"conv": 3}, "graph_error": "RuntimeError: x"}}
    passed, message = check_structure("p2.inception", summary)
    assert not passed and "could not be analysed" in message


def test_questions_without_a_structure_check():
    assert structure_check_for("p1.transfer") is None
    with pytest.raises(
        EvaluationError, match=r"model p2\.baseline: this question has no structure check"
    ):
        check_structure("p2.baseline", {})


def test_describe_frozen(predict_runs):
    text = describe_frozen(_summary(predict_runs, "frozen_base"))
    assert text == "2 frozen and 2 trainable parameter tensors."
