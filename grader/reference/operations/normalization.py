"""Batch and layer normalisation of a small array, as torch computes them in training mode (biased
variance, eps inside the square root), with the mistakes students make (the unbiased
variance, the other axis, eps left out). Approximate: the rubric states a tolerance.

Must not read student text.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from grader.reference import numeric_ops
from grader.reference.answer_key import AcceptedAnswer, KeyContext, MistakeList, QuestionKey
from grader.reference.operations.base import (
    NamedConvention,
    Operation,
    default_conventions,
    need_rank,
)
from grader.reference.parameters import ArrayRef, OperationParameters
from grader.reference.values import Value, as_value, float_array


class NormParameters(OperationParameters):
    operation: Literal["batch_norm", "layer_norm"]
    input: ArrayRef
    eps: float = Field(default=1e-5, ge=0)
    weight: ArrayRef | None = Field(default=None, description="γ, one per feature")
    bias: ArrayRef | None = Field(default=None, description="β, one per feature")
    conventions: tuple[NamedConvention, ...] = default_conventions("as computed")


def compute_norm(qid: str, q: NormParameters, context: KeyContext) -> QuestionKey:
    exact, _ = context.array(q.input, question=qid, what="input")
    need_rank(exact, (2,), what="input (a batch: one row per example, one column per feature)")
    x = float_array(exact)
    gamma = (
        float_array(context.array(q.weight, question=qid, what="weight")[0])
        if q.weight is not None
        else None
    )
    beta = (
        float_array(context.array(q.bias, question=qid, what="bias")[0])
        if q.bias is not None
        else None
    )

    def norm(kind: str, *, eps: float = q.eps, unbiased: bool = False) -> Value:
        values = x
        if unbiased:  # the N−1 variance: what a statistics course teaches, not what torch uses
            axis = 0 if kind == "batch_norm" else 1
            mean = values.mean(axis=axis, keepdims=True)
            variance = values.var(axis=axis, ddof=1, keepdims=True)
            result = (values - mean) / np.sqrt(variance + eps)
            if gamma is not None:
                result = result * gamma
            if beta is not None:
                result = result + beta
            return as_value(result)
        if kind == "batch_norm":
            return as_value(numeric_ops.batch_norm(values, eps=eps, weight=gamma, bias=beta))
        return as_value(numeric_ops.layer_norm(values, eps=eps, weight=gamma, bias=beta))

    result = norm(q.operation)
    accepted = tuple(AcceptedAnswer(c.name, result) for c in q.conventions)
    mistakes = MistakeList()
    other = "layer_norm" if q.operation == "batch_norm" else "batch_norm"
    mistakes.add(
        "normalised over the wrong axis (per example, not per feature)"
        if q.operation == "batch_norm"
        else "normalised over the wrong axis (per feature over the batch, not per example)",
        lambda: norm(other),
    )
    mistakes.add("unbiased variance (N−1) used", lambda: norm(q.operation, unbiased=True))
    return QuestionKey(qid, "matrix", accepted, mistakes.freeze())


BATCH_NORM = Operation(
    "batch_norm",
    "batch normalisation of an N×F batch (training mode)",
    NormParameters,
    compute_norm,
)
LAYER_NORM = Operation(
    "layer_norm", "layer normalisation of each row of an N×F batch", NormParameters, compute_norm
)
