"""Exact (rational) convolution, pooling and output-size formulas.

Tensors are numpy object arrays of `Fraction`, channel-first (C×H×W), so
results are exact for any integer or rational input. Semantics follow
`torch.nn.functional` (cross-correlation, zero padding, floor division for
output sizes). Only the math lives here; nothing knows about questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np
import numpy.typing as npt

ExactArray = npt.NDArray[np.object_]


def exact_array(values: Iterable[object]) -> ExactArray:
    """Nested numbers → numpy object array of Fractions."""
    array = np.array(values, dtype=object)
    return np.vectorize(Fraction, otypes=[object])(array) if array.size else array


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


def zero_pad(image: ExactArray, padding: int) -> ExactArray:
    """Zero-pad the two spatial axes of a C×H×W array."""
    if padding == 0:
        return image
    channels, height, width = image.shape
    padded = exact_array(np.zeros((channels, height + 2 * padding, width + 2 * padding), dtype=int))
    padded[:, padding : padding + height, padding : padding + width] = image
    return padded


def conv2d(
    image: ExactArray,
    filters: ExactArray,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    bias: Iterable[Fraction] | None = None,
) -> ExactArray:
    """Multi-channel 2-D cross-correlation: image C×H×W, filters O×C×kh×kw → O×Ho×Wo."""
    out_channels, in_channels, kernel_h, kernel_w = filters.shape
    if image.shape[0] != in_channels:
        raise ValueError(f"image has {image.shape[0]} channels but filters expect {in_channels}")
    height_out = output_size(
        image.shape[1], kernel_h, stride=stride, padding=padding, dilation=dilation
    )
    width_out = output_size(
        image.shape[2], kernel_w, stride=stride, padding=padding, dilation=dilation
    )
    padded = zero_pad(image, padding)
    biases = list(bias) if bias is not None else [Fraction(0)] * out_channels
    result = exact_array(np.zeros((out_channels, height_out, width_out), dtype=int))
    for o in range(out_channels):
        for i in range(height_out):
            for j in range(width_out):
                top, left = i * stride, j * stride
                window = padded[
                    :,
                    top : top + dilation * (kernel_h - 1) + 1 : dilation,
                    left : left + dilation * (kernel_w - 1) + 1 : dilation,
                ]
                result[o, i, j] = Fraction(sum((window * filters[o]).flat, Fraction(0))) + biases[o]
    return result


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
