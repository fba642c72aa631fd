"""Compute each question's accepted answers (one per named convention) and its known mistakes.

A known mistake is the result of the same exact math with one parameter
perturbed the way students typically get it wrong (padding forgotten, one
channel only, stride ignored...). Matching a student's answer against these
lets feedback name the mistake without any typed-in wrong answers.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from grader.reference import exact_ops
from grader.reference.parameters import (
    AssignmentParameters,
    ConvQuestion,
    PoolQuestion,
    ShapeQuestion,
)

Value = Any  # nested tuples of Fraction: a matrix (H×W), channels (C×H×W) or a shape


@dataclass(frozen=True)
class AcceptedAnswer:
    convention: str
    value: Value


@dataclass(frozen=True)
class KnownMistake:
    name: str  # short, shown to the student: "padding forgotten"
    value: Value


@dataclass(frozen=True)
class QuestionKey:
    question_id: str
    kind: str  # "matrix" | "tensor" | "shape"
    accepted: tuple[AcceptedAnswer, ...]
    mistakes: tuple[KnownMistake, ...]
    channel_names: tuple[str, ...] = ()  # for tensors: the channel order of `value`
    parameter_shapes: tuple[tuple[int, ...], ...] = ()  # shapes quoted in the question itself


def _as_tuple(array: exact_ops.ExactArray) -> Value:
    return (
        tuple(_as_tuple(sub) for sub in array) if isinstance(array, np.ndarray) else Fraction(array)
    )


def _conv_key(
    qid: str,
    q: ConvQuestion,
    image: exact_ops.ExactArray,
    filt: exact_ops.ExactArray,
    names: tuple[str, ...],
) -> QuestionKey:
    filters = filt[np.newaxis]  # one output channel

    def conv(
        img: exact_ops.ExactArray,
        flt: exact_ops.ExactArray,
        padding: int,
        dilation: int,
        stride: int,
    ) -> Value:
        return _as_tuple(
            exact_ops.conv2d(img, flt, stride=stride, padding=padding, dilation=dilation)[0]
        )

    accepted = tuple(
        AcceptedAnswer(c.name, conv(image, filters, c.padding, q.dilation, q.stride))
        for c in q.conventions
    )
    accepted_paddings = [c.padding for c in q.conventions]
    mistakes: list[KnownMistake] = []

    def add(name: str, compute: Any) -> None:
        with contextlib.suppress(ValueError):  # that perturbation has no valid output size
            mistakes.append(KnownMistake(name, compute()))

    for padding in range(0, max(accepted_paddings) + 2):
        if padding not in accepted_paddings:
            name = "padding forgotten" if padding == 0 else f"padding {padding} used instead"
            add(name, lambda p=padding: conv(image, filters, p, q.dilation, q.stride))
    if q.dilation > 1:
        for padding in sorted({0, *accepted_paddings}):
            add("dilation ignored", lambda p=padding: conv(image, filters, p, 1, q.stride))
    for padding in accepted_paddings:
        for c, name in enumerate(names):
            add(
                f"only the {name} channel used (image treated as a 2-D matrix)",
                lambda c=c, p=padding: conv(
                    image[c : c + 1], filters[:, c : c + 1], p, q.dilation, q.stride
                ),
            )
        add(
            "channels not summed (one output per channel)",
            lambda p=padding: tuple(
                conv(image[c : c + 1], filters[:, c : c + 1], p, q.dilation, q.stride)
                for c in range(image.shape[0])
            ),
        )
    return QuestionKey(qid, "matrix", accepted, tuple(mistakes), names)


def _pool_key(
    qid: str, q: PoolQuestion, image: exact_ops.ExactArray, names: tuple[str, ...]
) -> QuestionKey:
    take_max = q.operation == "max_pool2d"
    pool = exact_ops.max_pool2d if take_max else exact_ops.avg_pool2d
    other = exact_ops.avg_pool2d if take_max else exact_ops.max_pool2d
    stride = q.stride or q.kernel
    result = pool(image, q.kernel, stride=stride, padding=q.padding)
    accepted = tuple(AcceptedAnswer(c.name, _as_tuple(result)) for c in q.conventions)
    mistakes = [
        KnownMistake(
            "average pooling used instead of max"
            if take_max
            else "max pooling used instead of average",
            _as_tuple(other(image, q.kernel, stride=stride, padding=q.padding)),
        )
    ]
    if stride != 1:
        mistakes.append(
            KnownMistake(
                "stride misapplied (stride 1 used)",
                _as_tuple(pool(image, q.kernel, stride=1, padding=q.padding)),
            )
        )
    # One 2-D result pooled over every channel at once: the image treated as a 2-D matrix.
    per_channel = np.stack([np.asarray(channel) for channel in result])
    across = per_channel.max(axis=0) if take_max else per_channel.sum(axis=0) / len(per_channel)
    mistakes.append(
        KnownMistake("pooled across channels (image treated as a 2-D matrix)", _as_tuple(across))
    )
    for c, name in enumerate(names):
        mistakes.append(KnownMistake(f"only the {name} channel given", _as_tuple(result[c])))
    return QuestionKey(qid, "tensor", accepted, tuple(mistakes), names)


def _shape_key(qid: str, q: ShapeQuestion) -> QuestionKey:
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
    # In a PyTorch course C×H×W is how a tensor is written: the same numbers, channels first.
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


def compute_key(parameters: AssignmentParameters) -> dict[str, QuestionKey]:
    """Every parameterised question's key, computed exactly from the parameters."""
    image = exact_ops.exact_array(parameters.image.values)
    filt = exact_ops.exact_array(parameters.filter.values)
    names = parameters.image.channel_names or tuple(str(i + 1) for i in range(image.shape[0]))
    keys: dict[str, QuestionKey] = {}
    for qid, q in parameters.questions.items():
        if isinstance(q, ConvQuestion):
            keys[qid] = _conv_key(qid, q, image, filt, names)
        elif isinstance(q, PoolQuestion):
            keys[qid] = _pool_key(qid, q, image, names)
        else:
            keys[qid] = _shape_key(qid, q)
    return keys


def to_jsonable(value: Value) -> Any:
    """Nested tuples of Fraction → nested lists of int (or "p/q" strings for non-integers)."""
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return value
