"""Every key value of HW5 (reference/hw5, rubrics/hw5.toml), checked against torch itself."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader.reference.values import flatten
from grader.rubric import load_rubric

RUBRIC = Path("rubrics/hw5.toml")


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(RUBRIC)


def array(rubric, name: str) -> torch.Tensor:
    return torch.tensor(rubric.parameters.named_arrays()[name].values, dtype=torch.double)


def value(rubric, question: str) -> torch.Tensor:
    key = rubric.keys[rubric.questions[question].key]
    return torch.tensor([float(v) for v in flatten(key.accepted[0].value)], dtype=torch.double)


def test_q1_elman_state_is_torch_rnn_with_those_weights(rubric):
    rnn = torch.nn.RNN(2, 2, nonlinearity="tanh").double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(array(rubric, "W_xh"))
        rnn.weight_hh_l0.copy_(array(rubric, "W_hh"))
        rnn.bias_ih_l0.copy_(array(rubric, "b_h"))
        rnn.bias_hh_l0.zero_()
        _, h_n = rnn(array(rubric, "x")[:, None])
    assert torch.allclose(value(rubric, "q1"), h_n.flatten(), atol=1e-12)


def test_q2_attention_is_torch_scaled_dot_product_attention(rubric):
    q, k, v = (array(rubric, name)[None] for name in ("Q", "K", "V"))
    expected = F.scaled_dot_product_attention(q, k, v)[0]
    assert torch.allclose(value(rubric, "q2"), expected.flatten(), atol=1e-12)
    assert rubric.questions["q2"].tolerance == 0.01


@pytest.mark.parametrize(
    ("question", "module", "shape"),
    [
        ("q3", torch.nn.LSTM(10, 20, num_layers=2, batch_first=True), (4, 7, 10)),
        ("q4", torch.nn.GRU(8, 16, bidirectional=True), (5, 3, 8)),
        ("q6", torch.nn.MaxPool2d(3, stride=2, padding=1), (1, 1, 7, 7)),
    ],
)
def test_output_shapes_are_what_torch_returns(rubric, question, module, shape):
    output = module(torch.zeros(shape))
    output = output[0] if isinstance(output, tuple) else output
    key = rubric.keys[rubric.questions[question].key]
    expected = tuple(output.shape) if question != "q6" else tuple(output.shape)[2:]
    assert key.accepted[0].value == tuple(Fraction(d) for d in expected)
    assert key.kind == "shape" and all("channels first" not in a.convention for a in key.accepted)


def test_q5_parameter_count_is_torch_s(rubric):
    key = rubric.keys["q5"]
    assert key.accepted[0].value == sum(p.numel() for p in torch.nn.LSTM(10, 20).parameters())


def test_q9_positional_encoding_from_the_course_s_reference_module(rubric):
    position, d_model = 2, 4
    index = torch.arange(d_model, dtype=torch.double)
    angle = position / torch.pow(10000.0, (index - index % 2) / d_model)
    expected = torch.where(index % 2 == 0, torch.sin(angle), torch.cos(angle))
    assert torch.allclose(value(rubric, "q9"), expected, atol=1e-12)
    assert rubric.reference is not None and rubric.reference.path.name == "answers.py"
    assert "positional_encoding" in rubric.sources["reference"]
    assert math.isclose(float(flatten(rubric.keys["q9"].accepted[0].value)[1]), math.cos(2))
