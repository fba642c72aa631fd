"""Convolution and cross-correlation (2-D and 1-D, stride, padding, dilation, groups, bias) and
transposed convolution, exactly, with the mistakes students make in them.

`conv2d` convolves an image I (C×H×W) with filter F (C×kh×kw, one output
channel; or O×C×kh×kw). Each named convention is one accepted padding. `mode =
"convolution"` flips the kernel (the textbook convolution); the default is torch's
cross-correlation. Must not read student text.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import numpy as np
from pydantic import Field

from grader.reference import exact_ops
from grader.reference.answer_key import (
    AcceptedAnswer,
    KeyContext,
    MistakeList,
    QuestionKey,
)
from grader.reference.operations.base import Operation, need_rank
from grader.reference.parameters import ArrayRef, OperationParameters, _Strict
from grader.reference.values import ExactArray, Value, as_value, exact_array


class PaddingConvention(_Strict):
    name: str
    padding: int = Field(ge=0)


class ConvParameters(OperationParameters):
    operation: Literal["conv2d", "conv1d"]
    input: ArrayRef = "image"
    weight: ArrayRef = "filter"
    stride: int = Field(default=1, ge=1)
    dilation: int = Field(default=1, ge=1)
    groups: int = Field(default=1, ge=1)
    bias: tuple[int | float | str, ...] | None = None
    mode: Literal["correlation", "convolution"] = "correlation"
    conventions: tuple[PaddingConvention, ...] = Field(min_length=1)


def _flip(filters: ExactArray) -> ExactArray:
    return exact_array(filters[..., ::-1, ::-1].tolist())


def _as_2d(
    image: ExactArray, filters: ExactArray, one_dimensional: bool
) -> tuple[ExactArray, ExactArray, bool]:
    """(image C×H×W, filters O×C×kh×kw, whether there is one output channel)."""
    if one_dimensional:
        need_rank(image, (1, 2), what="input")
        need_rank(filters, (1, 2, 3), what="weight")
        image = image[np.newaxis] if image.ndim == 1 else image  # C×L
        image = image[:, np.newaxis, :]  # C×1×L
        single = filters.ndim < 3
        if filters.ndim == 1:
            filters = filters[np.newaxis]
        if filters.ndim == 2:
            filters = filters[np.newaxis]  # 1×C×k
        return image, filters[:, :, np.newaxis, :], single
    need_rank(image, (2, 3), what="input")
    need_rank(filters, (2, 3, 4), what="weight")
    if image.ndim == 2:
        image = image[np.newaxis]
    single = filters.ndim < 4
    if filters.ndim == 2:
        filters = filters[np.newaxis]
    if filters.ndim == 3:
        filters = filters[np.newaxis]  # one output channel
    return image, filters, single


def compute_conv(qid: str, q: ConvParameters, context: KeyContext) -> QuestionKey:
    one_d = q.operation == "conv1d"
    raw_image, names = context.array(q.input, question=qid, what="input")
    raw_filters, _ = context.array(q.weight, question=qid, what="weight")
    image, filters, single = _as_2d(raw_image, raw_filters, one_d)
    if not names or len(names) != image.shape[0]:
        names = tuple(str(i + 1) for i in range(image.shape[0]))
    bias = (
        [Fraction(str(b)) if isinstance(b, float) else Fraction(b) for b in q.bias]
        if q.bias
        else None
    )
    flip = q.mode == "convolution"

    def conv(
        img: ExactArray,
        flt: ExactArray,
        padding: int,
        dilation: int,
        stride: int,
        *,
        flipped: bool = flip,
    ) -> Value:
        pad = (0, padding) if one_d else padding
        dil = (1, dilation) if one_d else dilation
        step = (1, stride) if one_d else stride
        groups = q.groups if flt.shape[1] * q.groups == img.shape[0] else 1
        out = exact_ops.conv2d(
            img, _flip(flt) if flipped else flt, stride=step, padding=pad, dilation=dil,
            groups=groups, bias=bias if flt.shape[0] == len(bias or []) else None,
        )  # fmt: skip
        if one_d:
            out = out[:, 0, :]
        return as_value(out[0] if single else out)

    accepted = tuple(
        AcceptedAnswer(c.name, conv(image, filters, c.padding, q.dilation, q.stride))
        for c in q.conventions
    )
    accepted_paddings = [c.padding for c in q.conventions]
    mistakes = MistakeList()
    for padding in range(0, max(accepted_paddings) + 2):
        if padding not in accepted_paddings:
            name = "padding forgotten" if padding == 0 else f"padding {padding} used instead"
            mistakes.add(name, lambda p=padding: conv(image, filters, p, q.dilation, q.stride))
    if q.dilation > 1:
        for padding in sorted({0, *accepted_paddings}):
            mistakes.add("dilation ignored", lambda p=padding: conv(image, filters, p, 1, q.stride))
    if single and q.groups == 1 and image.shape[0] > 1:  # per-channel slips need channels
        for padding in accepted_paddings:
            for c, name in enumerate(names):
                mistakes.add(
                    f"only the {name} channel used (image treated as a 2-D matrix)",
                    lambda c=c, p=padding: conv(
                        image[c : c + 1], filters[:, c : c + 1], p, q.dilation, q.stride
                    ),
                )
            mistakes.add(
                "channels not summed (one output per channel)",
                lambda p=padding: tuple(
                    conv(image[c : c + 1], filters[:, c : c + 1], p, q.dilation, q.stride)
                    for c in range(image.shape[0])
                ),
            )
    for padding in accepted_paddings:
        if q.stride > 1:
            mistakes.add("stride ignored", lambda p=padding: conv(image, filters, p, q.dilation, 1))
        if flip:
            mistakes.add(
                "kernel not flipped (cross-correlation instead of convolution)",
                lambda p=padding: conv(image, filters, p, q.dilation, q.stride, flipped=False),
            )
    kind = "matrix" if single else "tensor"
    channel_names = names if single else tuple(str(o + 1) for o in range(filters.shape[0]))
    return QuestionKey(qid, kind, accepted, mistakes.freeze(), channel_names)


class TransposedConvParameters(OperationParameters):
    operation: Literal["conv_transpose2d", "conv_transpose1d"]
    input: ArrayRef = "image"
    weight: ArrayRef = "filter"
    stride: int = Field(default=1, ge=1)
    padding: int = Field(default=0, ge=0)
    output_padding: int = Field(default=0, ge=0)
    dilation: int = Field(default=1, ge=1)
    conventions: tuple[PaddingConvention, ...] | None = Field(
        default=None, description="accepted paddings; default: `padding` alone"
    )


def compute_transposed(qid: str, q: TransposedConvParameters, context: KeyContext) -> QuestionKey:
    """Weight layout as torch's ConvTranspose: C_in×C_out×kh×kw (C_in×kh×kw: one output channel)."""
    one_d = q.operation == "conv_transpose1d"
    image, _ = context.array(q.input, question=qid, what="input")
    filters, _ = context.array(q.weight, question=qid, what="weight")
    if one_d:
        need_rank(image, (1, 2), what="input")
        need_rank(filters, (1, 2, 3), what="weight")
        image = (image[np.newaxis] if image.ndim == 1 else image)[:, np.newaxis, :]  # C×1×L
        single = filters.ndim < 3
        if filters.ndim == 1:
            filters = filters[np.newaxis]  # 1×k
        if filters.ndim == 2:
            filters = filters[:, np.newaxis]  # C_in×1×k
        filters = filters[:, :, np.newaxis, :]  # C_in×C_out×1×k
    else:
        need_rank(image, (2, 3), what="input")
        need_rank(filters, (2, 3, 4), what="weight")
        image = image[np.newaxis] if image.ndim == 2 else image
        single = filters.ndim < 4
        if filters.ndim == 2:
            filters = filters[np.newaxis]
        if filters.ndim == 3:
            filters = filters[:, np.newaxis]  # C_in×1×kh×kw
    conventions = q.conventions or (
        PaddingConvention(name=f"padding={q.padding}", padding=q.padding),
    )

    def transposed(padding: int, stride: int, extra: int) -> Value:
        out = exact_ops.conv_transpose2d(
            image, filters,
            stride=(1, stride) if one_d else stride,
            padding=(0, padding) if one_d else padding,
            output_padding=(0, extra) if one_d else extra,
            dilation=(1, q.dilation) if one_d else q.dilation,
        )  # fmt: skip
        if one_d:
            out = out[:, 0, :]
        return as_value(out[0] if single else out)

    accepted = tuple(
        AcceptedAnswer(c.name, transposed(c.padding, q.stride, q.output_padding))
        for c in conventions
    )
    mistakes = MistakeList()
    for c in conventions:
        if c.padding > 0:
            mistakes.add(
                "padding ignored (not cropped)", lambda: transposed(0, q.stride, q.output_padding)
            )
        if q.stride > 1:
            mistakes.add("stride ignored", lambda p=c.padding: transposed(p, 1, 0))
        if q.output_padding > 0:
            mistakes.add("output padding ignored", lambda p=c.padding: transposed(p, q.stride, 0))
    kind = "matrix" if single else "tensor"
    names = () if single else tuple(str(o + 1) for o in range(filters.shape[1]))
    return QuestionKey(qid, kind, accepted, mistakes.freeze(), names)


CONV2D = Operation(
    "conv2d",
    "2-D convolution or cross-correlation of an image with a filter (stride, padding, dilation, groups, bias)",
    ConvParameters,
    compute_conv,
)
CONV1D = Operation(
    "conv1d",
    "1-D convolution or cross-correlation of a sequence (C×L or L) with a kernel",
    ConvParameters,
    compute_conv,
)
CONV_TRANSPOSE2D = Operation(
    "conv_transpose2d",
    "2-D transposed convolution (stride, padding, output padding, dilation)",
    TransposedConvParameters,
    compute_transposed,
)
CONV_TRANSPOSE1D = Operation(
    "conv_transpose1d",
    "1-D transposed convolution",
    TransposedConvParameters,
    compute_transposed,
)
