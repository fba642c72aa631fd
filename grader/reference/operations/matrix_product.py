"""Matrix products, exactly: `matmul` (A·B) and `linear` (x·Wᵀ + b, a torch.nn.Linear layer), with
the mistakes students make (factors in the other order, W not transposed, bias left out).

Must not read student text.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from grader.reference import exact_ops
from grader.reference.answer_key import AcceptedAnswer, KeyContext, MistakeList, QuestionKey
from grader.reference.operations.base import (
    NamedConvention,
    Operation,
    default_conventions,
    need_rank,
)
from grader.reference.parameters import ArrayRef, OperationParameters
from grader.reference.values import Value, as_value, exact_array


class MatmulParameters(OperationParameters):
    operation: Literal["matmul"]
    left: ArrayRef
    right: ArrayRef
    conventions: tuple[NamedConvention, ...] = default_conventions("as computed")


class LinearParameters(OperationParameters):
    operation: Literal["linear"]
    input: ArrayRef
    weight: ArrayRef
    bias: ArrayRef | None = None
    conventions: tuple[NamedConvention, ...] = default_conventions("x·Wᵀ + b")


def compute_matmul(qid: str, q: MatmulParameters, context: KeyContext) -> QuestionKey:
    left, _ = context.array(q.left, question=qid, what="left")
    right, _ = context.array(q.right, question=qid, what="right")
    need_rank(left, (1, 2), what="left")
    need_rank(right, (1, 2), what="right")
    result = as_value(exact_ops.matmul(left, right))
    accepted = tuple(AcceptedAnswer(c.name, result) for c in q.conventions)
    mistakes = MistakeList()
    mistakes.add(
        "factors multiplied in the other order (B·A)",
        lambda: as_value(exact_ops.matmul(right, left)),
    )
    if left.shape == right.shape:
        mistakes.add(
            "element-wise product instead of the matrix product",
            lambda: as_value(exact_array((left * right).tolist())),
        )
    return QuestionKey(qid, "matrix", accepted, mistakes.freeze())


def compute_linear(qid: str, q: LinearParameters, context: KeyContext) -> QuestionKey:
    x, _ = context.array(q.input, question=qid, what="input")
    weight, _ = context.array(q.weight, question=qid, what="weight")
    need_rank(x, (1, 2), what="input")
    need_rank(weight, (2,), what="weight")
    bias = context.array(q.bias, question=qid, what="bias")[0] if q.bias is not None else None

    def linear(w: np.ndarray, with_bias: bool = True) -> Value:
        product = exact_ops.matmul(x, exact_array(w.tolist()))
        if with_bias and bias is not None:
            product = exact_array((product + bias).tolist())
        return as_value(product)

    result = linear(weight.T)
    accepted = tuple(AcceptedAnswer(c.name, result) for c in q.conventions)
    mistakes = MistakeList()
    mistakes.add("weight not transposed (x·W)", lambda: linear(weight))
    if bias is not None:
        mistakes.add("bias left out", lambda: linear(weight.T, with_bias=False))
    return QuestionKey(qid, "matrix", accepted, mistakes.freeze())


MATMUL = Operation(
    "matmul",
    "the matrix product A·B of two matrices (or vectors)",
    MatmulParameters,
    compute_matmul,
)
LINEAR = Operation(
    "linear",
    "a linear layer x·Wᵀ + b (torch.nn.Linear's weight layout)",
    LinearParameters,
    compute_linear,
)
