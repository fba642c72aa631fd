"""Every operation of the table computes what torch computes: convolutions (1-D, 2-D, groups,
dilation, stride, transposed), matrix products, activations and softmax, normalisation,
attention, recurrent steps, and the shapes and parameter counts of torch.nn modules."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reference import AssignmentParameters, compute_key
from grader.reference.operations import OPERATIONS
from grader.reference.values import flatten, shape_of

small = st.integers(min_value=-3, max_value=3)


def key_of(question: dict, **arrays) -> object:
    """The accepted value of one question computed through the operations table."""
    parameters = AssignmentParameters.model_validate(
        {
            "arrays": {name: {"values": values} for name, values in arrays.items()},
            "questions": {"q1": question},
        }
    )
    return compute_key(parameters)["q1"]


def as_tensor(value) -> torch.Tensor:
    return torch.tensor(np.array(flatten(value), dtype=float)).reshape(shape_of(value))


def close(value, expected: torch.Tensor, atol: float = 1e-9) -> bool:
    return torch.allclose(as_tensor(value), expected.double(), atol=atol)


def test_each_row_of_the_table_names_itself_and_validates_its_own_parameters():
    from typing import get_args

    for name, operation in OPERATIONS.items():
        assert operation.name == name
        assert name in get_args(operation.parameters.model_fields["operation"].annotation), name


@settings(max_examples=25, deadline=None)
@given(
    data=st.data(),
    stride=st.integers(1, 2),
    dilation=st.integers(1, 2),
    padding=st.integers(0, 2),
    groups=st.sampled_from([1, 2]),
)
def test_conv2d_with_groups_matches_torch(data, stride, dilation, padding, groups):
    channels, out = 2 * groups, 2 * groups
    image = data.draw(
        st.lists(
            st.lists(st.lists(small, min_size=5, max_size=5), min_size=5, max_size=5),
            min_size=channels,
            max_size=channels,
        )
    )
    weight = data.draw(st.lists(st.lists(st.lists(st.lists(small, min_size=2, max_size=2), min_size=2, max_size=2), min_size=channels // groups, max_size=channels // groups), min_size=out, max_size=out))  # fmt: skip
    key = key_of(
        {"operation": "conv2d", "input": "x", "weight": "w", "stride": stride,
         "dilation": dilation, "groups": groups, "conventions": [{"name": "p", "padding": padding}]},
        x=image, w=weight,
    )  # fmt: skip
    expected = F.conv2d(
        torch.tensor(image, dtype=torch.double)[None],
        torch.tensor(weight, dtype=torch.double),
        stride=stride, padding=padding, dilation=dilation, groups=groups,
    )[0]  # fmt: skip
    assert key.kind == "tensor" and close(key.accepted[0].value, expected)


@settings(max_examples=25, deadline=None)
@given(
    sequence=st.lists(st.lists(small, min_size=7, max_size=7), min_size=2, max_size=2),
    kernel=st.lists(st.lists(small, min_size=3, max_size=3), min_size=2, max_size=2),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
    convolution=st.booleans(),
)
def test_conv1d_and_true_convolution_match_torch(
    sequence, kernel, stride, padding, dilation, convolution
):
    key = key_of(
        {"operation": "conv1d", "input": "x", "weight": "w", "stride": stride, "dilation": dilation,
         "mode": "convolution" if convolution else "correlation",
         "conventions": [{"name": "p", "padding": padding}]},
        x=sequence, w=kernel,
    )  # fmt: skip
    weight = torch.tensor(kernel, dtype=torch.double)[None]
    if convolution:
        weight = weight.flip(-1)
    expected = F.conv1d(
        torch.tensor(sequence, dtype=torch.double)[None], weight,
        stride=stride, padding=padding, dilation=dilation,
    )[0, 0]  # fmt: skip
    assert key.kind == "matrix" and close(key.accepted[0].value, expected)
    if convolution:
        assert "kernel not flipped (cross-correlation instead of convolution)" in key.mistake_names


@settings(max_examples=25, deadline=None)
@given(
    data=st.data(),
    stride=st.integers(1, 3),
    padding=st.integers(0, 1),
    output_padding=st.integers(0, 1),
)
def test_conv_transpose2d_matches_torch(data, stride, padding, output_padding):
    output_padding = min(output_padding, stride - 1)
    image = data.draw(
        st.lists(
            st.lists(st.lists(small, min_size=3, max_size=3), min_size=3, max_size=3),
            min_size=2,
            max_size=2,
        )
    )
    weight = data.draw(st.lists(st.lists(st.lists(st.lists(small, min_size=3, max_size=3), min_size=3, max_size=3), min_size=2, max_size=2), min_size=2, max_size=2))  # fmt: skip
    key = key_of(
        {"operation": "conv_transpose2d", "input": "x", "weight": "w", "stride": stride,
         "padding": padding, "output_padding": output_padding},
        x=image, w=weight,
    )  # fmt: skip
    expected = F.conv_transpose2d(
        torch.tensor(image, dtype=torch.double)[None], torch.tensor(weight, dtype=torch.double),
        stride=stride, padding=padding, output_padding=output_padding,
    )[0]  # fmt: skip
    assert close(key.accepted[0].value, expected)


@settings(max_examples=25, deadline=None)
@given(
    a=st.lists(st.lists(small, min_size=3, max_size=3), min_size=2, max_size=2),
    b=st.lists(st.lists(small, min_size=4, max_size=4), min_size=3, max_size=3),
)
def test_matmul_and_linear_are_exact_and_match_torch(a, b):
    key = key_of({"operation": "matmul", "left": "a", "right": "b"}, a=a, b=b)
    assert key.exact and close(
        key.accepted[0].value, torch.tensor(a).double() @ torch.tensor(b).double()
    )
    weight = [row[:3] for row in b]  # 3 outputs × 3 inputs
    linear = key_of(
        {"operation": "linear", "input": "x", "weight": "w", "bias": [1, 2, 3]}, x=a, w=weight
    )
    expected = F.linear(
        torch.tensor(a).double(), torch.tensor(weight).double(), torch.tensor([1.0, 2, 3]).double()
    )
    assert linear.exact and close(linear.accepted[0].value, expected)


@pytest.mark.parametrize(
    ("function", "reference"),
    [
        ("relu", F.relu),
        ("leaky_relu", lambda x: F.leaky_relu(x, 0.01)),
        ("sigmoid", torch.sigmoid),
        ("tanh", torch.tanh),
        ("gelu", F.gelu),
        ("softplus", F.softplus),
        ("silu", F.silu),
        ("elu", F.elu),
        ("softmax", lambda x: F.softmax(x, dim=-1)),
        ("log_softmax", lambda x: F.log_softmax(x, dim=-1)),
    ],
)
def test_activations_match_torch(function, reference):
    values = [[-2, -0.5, 0, 1.5], [3, -1, 0.25, 2]]
    key = key_of({"operation": "activation", "function": function, "input": "x"}, x=values)
    assert close(key.accepted[0].value, reference(torch.tensor(values, dtype=torch.double)))
    assert key.exact is (function in ("relu", "leaky_relu"))


def test_softmax_over_the_other_dimension_is_a_named_mistake():
    values = [[1, 2], [3, 5]]
    key = key_of({"operation": "activation", "function": "softmax", "input": "x"}, x=values)
    [wrong] = [m for m in key.mistakes if m.name == "softmax taken over the wrong dimension"]
    assert close(wrong.value, F.softmax(torch.tensor(values, dtype=torch.double), dim=0))


def test_batch_and_layer_norm_match_torch():
    values = [[1, 2, 3], [2, 0, -1], [4, 4, 1], [0, 1, 2]]
    x = torch.tensor(values, dtype=torch.double)
    batch = key_of(
        {"operation": "batch_norm", "input": "x", "weight": [1, 2, 0.5], "bias": [0, 1, -1]},
        x=values,
    )
    expected = F.batch_norm(
        x,
        None,
        None,
        torch.tensor([1, 2, 0.5]).double(),
        torch.tensor([0.0, 1, -1]).double(),
        training=True,
    )
    assert close(batch.accepted[0].value, expected)
    layer = key_of({"operation": "layer_norm", "input": "x"}, x=values)
    assert close(layer.accepted[0].value, F.layer_norm(x, (3,)))
    assert "unbiased variance (N−1) used" in batch.mistake_names


@pytest.mark.parametrize("causal", [False, True])
def test_attention_matches_torch(causal):
    q, k, v = [[1, 0, 2], [0, 1, -1]], [[1, 0, 0], [0, 1, 1], [1, 1, 0]], [[1, 2], [3, 4], [5, -6]]
    if causal:
        k, v = k[:2], v[:2]
    key = key_of(
        {"operation": "attention", "query": "q", "key": "k", "value": "v", "causal": causal},
        q=q, k=k, v=v,
    )  # fmt: skip
    expected = F.scaled_dot_product_attention(
        *(torch.tensor(t, dtype=torch.double)[None] for t in (q, k, v)), is_causal=causal
    )[0]
    assert close(key.accepted[0].value, expected)
    assert "scores not scaled by 1/√d" in key.mistake_names


INPUTS = [[1, 0], [0, 1], [1, 1]]


@pytest.mark.parametrize("cell", ["elman", "gru", "lstm"])
def test_recurrent_steps_match_torch(cell):
    gates = {"elman": 1, "gru": 3, "lstm": 4}[cell]
    generator = torch.Generator().manual_seed(7)
    w_ih = (torch.randint(-4, 5, (gates * 3, 2), generator=generator) / 4).tolist()
    w_hh = (torch.randint(-4, 5, (gates * 3, 3), generator=generator) / 4).tolist()
    b_ih = (torch.randint(-4, 5, (gates * 3,), generator=generator) / 4).tolist()
    b_hh = (torch.randint(-4, 5, (gates * 3,), generator=generator) / 4).tolist()
    key = key_of(
        {"operation": "rnn", "cell": cell, "inputs": "x", "w_ih": "a", "w_hh": "b",
         "b_ih": "c", "b_hh": "d", "output": "all_h"},
        x=INPUTS, a=w_ih, b=w_hh, c=b_ih, d=b_hh,
    )  # fmt: skip
    layer = {"elman": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell](2, 3).double()
    with torch.no_grad():
        for name, value in (
            ("weight_ih_l0", w_ih),
            ("weight_hh_l0", w_hh),
            ("bias_ih_l0", b_ih),
            ("bias_hh_l0", b_hh),
        ):
            getattr(layer, name).copy_(torch.tensor(value, dtype=torch.double))
        expected, _ = layer(torch.tensor(INPUTS, dtype=torch.double)[:, None])
    assert close(key.accepted[0].value, expected[:, 0], atol=1e-12)


@pytest.mark.parametrize(
    ("module", "shapes"),
    [
        ("nn.LSTM(10, 20, num_layers=2, batch_first=True)", [(4, 7, 10)]),
        ("nn.GRU(8, 16, bidirectional=True)", [(5, 3, 8)]),
        ("nn.Conv2d(3, 8, 5, stride=2, padding=1, dilation=2)", [(1, 3, 17, 13)]),
        ("nn.MaxPool2d(3, stride=2, padding=1)", [(1, 1, 7, 7)]),
        ("nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)", [(1, 4, 5, 5)]),
        (
            "nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten())",
            [(2, 1, 9, 9)],
        ),
        ("nn.MultiheadAttention(8, 2, batch_first=True)", [(2, 5, 8), (2, 6, 8), (2, 6, 8)]),
        ("nn.Embedding(30, 4)", [(3, 5)]),
    ],
)
def test_module_shapes_and_parameter_counts_are_torch_s_own(module, shapes):
    """Built on the meta device by the grader; checked here against a real module on real input."""
    questions = {"operation": "module_shape", "module": module, "inputs": [list(s) for s in shapes]}
    key = key_of(questions)
    real = eval(module, {"nn": torch.nn})  # the test's own, fixed expressions
    integer = "Embedding" in module
    inputs = [
        torch.zeros(shape, dtype=torch.long) if integer else torch.zeros(shape) for shape in shapes
    ]
    output = real(*inputs)
    first = output[0] if isinstance(output, tuple) else output
    assert key.accepted[0].value == tuple(Fraction(d) for d in first.shape)
    count = key_of({"operation": "parameter_count", "module": module})
    assert count.accepted[0].value == sum(p.numel() for p in real.parameters())


def test_module_shape_of_a_returned_state_and_selected_dims():
    key = key_of({"operation": "module_shape", "module": "nn.LSTM(10, 20, num_layers=2)",
                  "input_shape": [7, 4, 10], "output": [1, 0]})  # fmt: skip
    assert key.accepted[0].value == (2, 4, 20)  # h_n: layers × batch × hidden
    pool = key_of({"operation": "module_shape", "module": "nn.MaxPool2d(3, stride=2, padding=1)",
                   "input_shape": [1, 1, 7, 7], "dims": [-2, -1]})  # fmt: skip
    assert [a.value for a in pool.accepted] == [(4, 4), (1, 1, 4, 4)]
    assert {m.name: m.value for m in pool.mistakes} == {
        "stride ignored": (7, 7),
        "padding ignored": (3, 3),
    }


def test_parameter_count_mistakes_are_computed_by_rebuilding_the_module():
    key = key_of({"operation": "parameter_count", "module": "nn.LSTM(10, 20, 2)"})
    mistakes = {m.name: m.value for m in key.mistakes}
    assert key.accepted[0].value == 4 * (20 * 10 + 20 * 20 + 40) + 4 * (20 * 20 + 20 * 20 + 40)
    assert mistakes["only the first layer counted"] == 4 * (20 * 10 + 20 * 20 + 40)
    assert mistakes["biases left out"] == 4 * (200 + 400) + 4 * (400 + 400)
    assert (
        mistakes["one bias vector per gate (torch keeps two: b_ih and b_hh)"]
        == key.accepted[0].value - 160
    )


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("nn.LSTMM(10, 20)", "nn.LSTMM is not a torch.nn module"),
        ("os.system('x')", "is not a torch.nn class"),
        ("nn.Linear(__import__('os'), 2)", "nn.__import__ is not a torch.nn module"),
        ("nn.Linear(open, 2)", "only numbers, strings"),
        ("nn.Linear(*[1, 2])", "write every argument out"),
        ("nn.Linear(3", "is not valid Python"),
    ],
)
def test_a_module_text_is_parsed_never_evaluated(module, message):
    from grader.errors import ParametersError
    from grader.reference.parameters import parameters_from_text

    text = f'[questions.q1]\noperation = "parameter_count"\nmodule = "{module}"\n'
    with pytest.raises(ParametersError, match=message):
        parameters = parameters_from_text(text, path=__import__("pathlib").Path("p.toml"))
        compute_key(parameters)
