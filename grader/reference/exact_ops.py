"""Exact (rational) convolution, pooling, matrix-product and output-size formulas.

Tensors are numpy object arrays of `Fraction`, channel-first (C×H×W), so
results are exact for any integer or rational input. Semantics follow
`torch.nn.functional` (cross-correlation, zero padding, floor division for
output sizes). Only the math lives here; nothing knows about questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from grader.reference.values import ExactArray, exact_array

__all__ = [
    "ExactArray",
    "avg_pool2d",
    "conv2d",
    "conv_output_shape",
    "conv_transpose2d",
    "exact_array",
    "matmul",
    "max_pool2d",
    "output_size",
    "same_output_size",
    "unfloored_output_size",
    "zero_pad",
]

Pair = int | tuple[int, int]


def _pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def output_size(
    size: int, kernel: int, *, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length along one axis: floor((n + 2p − d(k−1) − 1) / s) + 1, as PyTorch computes it."""
    if min(size, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("size, kernel, stride and dilation must be ≥ 1 and padding ≥ 0")
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(f"kernel span {span} exceeds padded input {size + 2 * padding}")
    return (size + 2 * padding - span) // stride + 1


def same_output_size(size: int, stride: int) -> int:
    """'same' padding output length (Keras/TensorFlow): ceil(n / s)."""
    return -(-size // stride)


def zero_pad(image: ExactArray, padding: Pair) -> ExactArray:
    """Zero-pad the two spatial axes of a C×H×W array (one padding, or (rows, columns))."""
    pad_h, pad_w = _pair(padding)
    if pad_h == 0 and pad_w == 0:
        return image
    channels, height, width = image.shape
    padded = exact_array(np.zeros((channels, height + 2 * pad_h, width + 2 * pad_w), dtype=int))
    padded[:, pad_h : pad_h + height, pad_w : pad_w + width] = image
    return padded


def conv2d(
    image: ExactArray,
    filters: ExactArray,
    *,
    stride: Pair = 1,
    padding: Pair = 0,
    dilation: Pair = 1,
    groups: int = 1,
    bias: Iterable[Fraction] | None = None,
) -> ExactArray:
    """Multi-channel 2-D cross-correlation: image C×H×W, filters O×(C/groups)×kh×kw → O×Ho×Wo.

    Each of stride, padding and dilation is one number or (rows, columns); a 1-D
    convolution is this with a height of one.
    """
    out_channels, group_channels, kernel_h, kernel_w = filters.shape
    in_channels = image.shape[0]
    if groups < 1 or in_channels % groups or out_channels % groups:
        raise ValueError(
            f"{groups} groups do not divide {in_channels} input and {out_channels} output channels"
        )
    if group_channels * groups != in_channels:
        raise ValueError(
            f"image has {in_channels} channels but filters expect {group_channels * groups}"
        )
    stride_h, stride_w = _pair(stride)
    pad_h, pad_w = _pair(padding)
    dil_h, dil_w = _pair(dilation)
    height_out = output_size(
        image.shape[1], kernel_h, stride=stride_h, padding=pad_h, dilation=dil_h
    )
    width_out = output_size(
        image.shape[2], kernel_w, stride=stride_w, padding=pad_w, dilation=dil_w
    )
    padded = zero_pad(image, (pad_h, pad_w))
    biases = list(bias) if bias is not None else [Fraction(0)] * out_channels
    result = exact_array(np.zeros((out_channels, height_out, width_out), dtype=int))
    per_group = out_channels // groups
    for o in range(out_channels):
        first = (o // per_group) * group_channels
        source = padded[first : first + group_channels]
        for i in range(height_out):
            for j in range(width_out):
                top, left = i * stride_h, j * stride_w
                window = source[
                    :,
                    top : top + dil_h * (kernel_h - 1) + 1 : dil_h,
                    left : left + dil_w * (kernel_w - 1) + 1 : dil_w,
                ]
                result[o, i, j] = Fraction(sum((window * filters[o]).flat, Fraction(0))) + biases[o]
    return result


def conv_transpose2d(
    image: ExactArray,
    filters: ExactArray,
    *,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    dilation: Pair = 1,
    bias: Iterable[Fraction] | None = None,
) -> ExactArray:
    """Transposed convolution as torch computes it: image C×H×W, filters C×O×kh×kw → O×Ho×Wo,
    Ho = (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1."""
    in_channels, out_channels, kernel_h, kernel_w = filters.shape
    if image.shape[0] != in_channels:
        raise ValueError(f"image has {image.shape[0]} channels but filters expect {in_channels}")
    (stride_h, stride_w), (pad_h, pad_w) = _pair(stride), _pair(padding)
    (extra_h, extra_w), (dil_h, dil_w) = _pair(output_padding), _pair(dilation)
    _, height, width = image.shape
    full_h = (height - 1) * stride_h + dil_h * (kernel_h - 1) + 1 + extra_h
    full_w = (width - 1) * stride_w + dil_w * (kernel_w - 1) + 1 + extra_w
    if full_h - 2 * pad_h < 1 or full_w - 2 * pad_w < 1:
        raise ValueError("the padding removes the whole output")
    full = exact_array(np.zeros((out_channels, full_h, full_w), dtype=int))
    for c in range(in_channels):
        for i in range(height):
            for j in range(width):
                for a in range(kernel_h):
                    for b in range(kernel_w):
                        full[:, i * stride_h + a * dil_h, j * stride_w + b * dil_w] += (
                            image[c, i, j] * filters[c, :, a, b]
                        )
    result = full[:, pad_h : full_h - pad_h, pad_w : full_w - pad_w]
    if bias is not None:
        for o, value in enumerate(bias):
            result[o] = result[o] + value
    return exact_array(result.tolist())


def matmul(left: ExactArray, right: ExactArray) -> ExactArray:
    """The matrix product of two exact 2-D arrays (a vector counts as one row or column)."""
    if left.shape[-1] != right.shape[0]:
        raise ValueError(f"cannot multiply {left.shape} by {right.shape}")
    return exact_array(np.dot(left, right).tolist())


def _pool(
    image: ExactArray, kernel: int, stride: int | None, padding: int, *, take_max: bool
) -> ExactArray:
    stride = stride or kernel
    channels, height, width = image.shape
    height_out = output_size(height, kernel, stride=stride, padding=padding)
    width_out = output_size(width, kernel, stride=stride, padding=padding)
    result = exact_array(np.zeros((channels, height_out, width_out), dtype=int))
    for c in range(channels):
        for i in range(height_out):
            for j in range(width_out):
                rows = range(
                    max(i * stride - padding, 0), min(i * stride - padding + kernel, height)
                )
                cols = range(
                    max(j * stride - padding, 0), min(j * stride - padding + kernel, width)
                )
                window = [image[c, r, s] for r in rows for s in cols]
                if take_max:
                    # Padding cells count as −inf for max pooling (PyTorch semantics).
                    result[c, i, j] = max(window)
                else:
                    # count_include_pad=True (PyTorch default): divide by the full window.
                    result[c, i, j] = Fraction(sum(window, Fraction(0)), kernel * kernel)
    return result


def max_pool2d(
    image: ExactArray, kernel: int, *, stride: int | None = None, padding: int = 0
) -> ExactArray:
    """Max pooling per channel of a C×H×W array (stride defaults to the kernel size)."""
    return _pool(image, kernel, stride, padding, take_max=True)


def avg_pool2d(
    image: ExactArray, kernel: int, *, stride: int | None = None, padding: int = 0
) -> ExactArray:
    """Average pooling per channel, exact, padding counted in the divisor (PyTorch default)."""
    return _pool(image, kernel, stride, padding, take_max=False)


def conv_output_shape(
    input_hwc: tuple[int, int, int],
    n_filters: int,
    kernel: int,
    *,
    stride: int = 1,
    padding: str | int = "valid",
) -> tuple[int, int, int]:
    """Shape [H, W, C] after convolving an H×W×C tensor with `n_filters` k×k×C filters."""
    height, width, _ = input_hwc
    if padding == "same":
        return same_output_size(height, stride), same_output_size(width, stride), n_filters
    pad = 0 if padding == "valid" else int(padding)
    return (
        output_size(height, kernel, stride=stride, padding=pad),
        output_size(width, kernel, stride=stride, padding=pad),
        n_filters,
    )


def unfloored_output_size(size: int, kernel: int, *, stride: int = 1, padding: int = 0) -> Fraction:
    """(n + 2p − k) / s + 1 without the floor: what students write when they forget it (63.5)."""
    return Fraction(size + 2 * padding - kernel, stride) + 1
