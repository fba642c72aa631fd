"""The output shape H×W×C of convolving an H×W×C tensor with N k×k filters, with
the 'valid' and 'same' paddings as conventions and channels-first (C×H×W) accepted too:
in a PyTorch course that is how a tensor is written, and this is a convolution over an image.

Must not read student text.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import Field

from grader.reference import exact_ops
from grader.reference.answer_key import AcceptedAnswer, KeyContext, KnownMistake, QuestionKey
from grader.reference.operations.base import Operation
from grader.reference.parameters import OperationParameters, _Strict
from grader.reference.values import Value


class ShapeConvention(_Strict):
    name: str
    padding: Literal["valid", "same"] | int


class ConvShapeParameters(OperationParameters):
    operation: Literal["conv_shape"]
    input_shape: tuple[int, int, int]
    filters: int = Field(ge=1)
    kernel: int = Field(ge=1)
    stride: int = Field(default=1, ge=1)
    conventions: tuple[ShapeConvention, ...] = Field(min_length=1)


def compute_conv_shape(qid: str, q: ConvShapeParameters, context: KeyContext) -> QuestionKey:
    def shape(stride: int, padding: str | int, filters: int) -> Value:
        return tuple(
            Fraction(d)
            for d in exact_ops.conv_output_shape(
                q.input_shape, filters, q.kernel, stride=stride, padding=padding
            )
        )

    accepted_hwc = [
        AcceptedAnswer(c.name, shape(q.stride, c.padding, q.filters)) for c in q.conventions
    ]
    accepted_chw = [
        AcceptedAnswer(
            f"{a.convention}, channels first (C×H×W)", (a.value[2], a.value[0], a.value[1])
        )
        for a in accepted_hwc
    ]
    accepted = tuple(accepted_hwc + accepted_chw)
    mistakes: list[KnownMistake] = []
    height, width, channels = q.input_shape
    if q.stride > 1:
        for c in q.conventions:
            mistakes.append(KnownMistake("stride ignored", shape(1, c.padding, q.filters)))
        raw_h = exact_ops.unfloored_output_size(height, q.kernel, stride=q.stride)
        raw_w = exact_ops.unfloored_output_size(width, q.kernel, stride=q.stride)
        if raw_h.denominator != 1 or raw_w.denominator != 1:
            mistakes.append(
                KnownMistake(
                    "output size not floored (not an integer)", (raw_h, raw_w, Fraction(q.filters))
                )
            )
    if channels != q.filters:
        for c in q.conventions:
            mistakes.append(
                KnownMistake(
                    "depth kept from the input instead of the number of filters",
                    shape(q.stride, c.padding, channels),
                )
            )
    question_shapes = (tuple(q.input_shape), (q.kernel, q.kernel, channels), (q.kernel, q.kernel))
    return QuestionKey(qid, "shape", accepted, tuple(mistakes), (), question_shapes)


CONV_SHAPE = Operation(
    "conv_shape",
    "output shape H×W×C of a convolution of an H×W×C tensor ('valid'/'same'; C×H×W accepted too)",
    ConvShapeParameters,
    compute_conv_shape,
)
