"""Exact convolution and pooling agree with torch.nn.functional on random shapes and parameters."""

from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reference import exact_ops


@st.composite
def conv_cases(draw: st.DrawFn):
    channels = draw(st.integers(1, 3))
    out_channels = draw(st.integers(1, 2))
    kernel_h, kernel_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, 2))
    min_h = max(1, dilation * (kernel_h - 1) + 1 - 2 * padding)
    min_w = max(1, dilation * (kernel_w - 1) + 1 - 2 * padding)
    height, width = draw(st.integers(min_h, min_h + 4)), draw(st.integers(min_w, min_w + 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    image = rng.integers(-5, 6, size=(channels, height, width))
    filters = rng.integers(-3, 4, size=(out_channels, channels, kernel_h, kernel_w))
    return image, filters, stride, padding, dilation


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_matches_torch(case):
    image, filters, stride, padding, dilation = case
    exact = exact_ops.conv2d(
        exact_ops.exact_array(image), exact_ops.exact_array(filters),
        stride=stride, padding=padding, dilation=dilation,
    )  # fmt: skip
    expected = F.conv2d(
        torch.tensor(image, dtype=torch.float64)[None], torch.tensor(filters, dtype=torch.float64),
        stride=stride, padding=padding, dilation=dilation,
    )[0]  # fmt: skip
    assert exact.shape == tuple(expected.shape)
    assert [int(v) for v in exact.flat] == [int(v) for v in expected.flatten().tolist()]


@st.composite
def pool_cases(draw: st.DrawFn):
    kernel = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, kernel // 2))
    channels = draw(st.integers(1, 3))
    height, width = draw(st.integers(kernel, kernel + 5)), draw(st.integers(kernel, kernel + 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.integers(-9, 10, size=(channels, height, width)), kernel, stride, padding


@settings(max_examples=60, deadline=None)
@given(pool_cases())
def test_max_pool_matches_torch(case):
    image, kernel, stride, padding = case
    exact = exact_ops.max_pool2d(
        exact_ops.exact_array(image), kernel, stride=stride, padding=padding
    )
    expected = F.max_pool2d(
        torch.tensor(image, dtype=torch.float64)[None], kernel, stride, padding
    )[0]
    assert exact.shape == tuple(expected.shape)
    assert [int(v) for v in exact.flat] == [int(v) for v in expected.flatten().tolist()]


@settings(max_examples=60, deadline=None)
@given(pool_cases())
def test_avg_pool_is_exact_and_matches_torch(case):
    image, kernel, stride, padding = case
    exact = exact_ops.avg_pool2d(
        exact_ops.exact_array(image), kernel, stride=stride, padding=padding
    )
    expected = F.avg_pool2d(
        torch.tensor(image, dtype=torch.float64)[None], kernel, stride, padding
    )[0]
    assert exact.shape == tuple(expected.shape)
    assert all(isinstance(v, Fraction) for v in exact.flat)
    assert np.allclose([float(v) for v in exact.flat], expected.flatten().tolist())


@settings(max_examples=100, deadline=None)
@given(
    size=st.integers(1, 300), kernel=st.integers(1, 7), stride=st.integers(1, 4),
    padding=st.integers(0, 3), dilation=st.integers(1, 3),
)  # fmt: skip
def test_output_size_matches_torch(size, kernel, stride, padding, dilation):
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        with pytest.raises(ValueError, match="exceeds padded input"):
            exact_ops.output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
        return
    conv = torch.nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    with torch.no_grad():
        out = conv(torch.zeros(1, 1, size, 1 + 2 * 0 + span))
    assert (
        exact_ops.output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
        == out.shape[2]
    )


def test_conv_output_shape_valid_and_same():
    assert exact_ops.conv_output_shape((128, 128, 32), 16, 3, stride=1, padding="valid") == (
        126,
        126,
        16,
    )
    assert exact_ops.conv_output_shape((128, 128, 32), 16, 3, stride=2, padding="valid") == (
        63,
        63,
        16,
    )
    assert exact_ops.conv_output_shape((128, 128, 32), 16, 3, stride=2, padding="same") == (
        64,
        64,
        16,
    )
    assert exact_ops.unfloored_output_size(128, 3, stride=2) == Fraction(127, 2)


def test_channel_mismatch_is_rejected():
    image = exact_ops.exact_array(np.ones((3, 4, 4), dtype=int))
    filters = exact_ops.exact_array(np.ones((1, 2, 3, 3), dtype=int))
    with pytest.raises(ValueError, match="3 channels but filters expect 2"):
        exact_ops.conv2d(image, filters)
