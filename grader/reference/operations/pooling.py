"""Max and average pooling of an image (C×H×W, per channel) or a matrix, any kernel, stride and
padding, exactly, with the mistakes students make in them.

Must not read student text.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from grader.reference import exact_ops
from grader.reference.answer_key import AcceptedAnswer, KeyContext, KnownMistake, QuestionKey
from grader.reference.operations.base import NamedConvention, Operation, need_rank
from grader.reference.parameters import ArrayRef, OperationParameters
from grader.reference.values import as_value


class PoolParameters(OperationParameters):
    operation: Literal["max_pool2d", "avg_pool2d"]
    input: ArrayRef = "image"
    kernel: int = Field(ge=1)
    stride: int | None = Field(default=None, ge=1)
    padding: int = Field(default=0, ge=0)
    conventions: tuple[NamedConvention, ...] = Field(min_length=1)


def compute_pool(qid: str, q: PoolParameters, context: KeyContext) -> QuestionKey:
    image, names = context.array(q.input, question=qid, what="input")
    need_rank(image, (2, 3), what="input")
    single = image.ndim == 2
    if single:
        image = image[np.newaxis]
    if not names or len(names) != image.shape[0]:
        names = tuple(str(i + 1) for i in range(image.shape[0]))
    take_max = q.operation == "max_pool2d"
    pool = exact_ops.max_pool2d if take_max else exact_ops.avg_pool2d
    other = exact_ops.avg_pool2d if take_max else exact_ops.max_pool2d
    stride = q.stride or q.kernel

    def shown(array: exact_ops.ExactArray) -> object:
        return as_value(array[0] if single else array)

    result = pool(image, q.kernel, stride=stride, padding=q.padding)
    accepted = tuple(AcceptedAnswer(c.name, shown(result)) for c in q.conventions)
    mistakes = [
        KnownMistake(
            "average pooling used instead of max"
            if take_max
            else "max pooling used instead of average",
            shown(other(image, q.kernel, stride=stride, padding=q.padding)),
        )
    ]
    if stride != 1:
        mistakes.append(
            KnownMistake(
                "stride misapplied (stride 1 used)",
                shown(pool(image, q.kernel, stride=1, padding=q.padding)),
            )
        )
    if single:
        return QuestionKey(qid, "matrix", accepted, tuple(mistakes), ())
    # One 2-D result pooled over every channel at once: the image treated as a 2-D matrix.
    per_channel = np.stack([np.asarray(channel) for channel in result])
    across = per_channel.max(axis=0) if take_max else per_channel.sum(axis=0) / len(per_channel)
    mistakes.append(
        KnownMistake("pooled across channels (image treated as a 2-D matrix)", as_value(across))
    )
    for c, name in enumerate(names):
        mistakes.append(KnownMistake(f"only the {name} channel given", as_value(result[c])))
    return QuestionKey(qid, "tensor", accepted, tuple(mistakes), names)


MAX_POOL2D = Operation(
    "max_pool2d",
    "2-D max pooling of an image per channel (or of a matrix)",
    PoolParameters,
    compute_pool,
)
AVG_POOL2D = Operation(
    "avg_pool2d",
    "2-D average pooling, padding counted in the divisor as torch does by default",
    PoolParameters,
    compute_pool,
)
