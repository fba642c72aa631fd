"""Scaled dot-product attention, softmax(Q·Kᵀ/√d + mask)·V, or its attention weights, with the
mistakes students make (not scaled by √d, the softmax over the wrong axis, the causal
mask forgotten, the weights given instead of the output). Approximate: the rubric
states a tolerance. Must not read student text.
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


class AttentionParameters(OperationParameters):
    operation: Literal["attention"]
    query: ArrayRef
    key: ArrayRef
    value: ArrayRef
    causal: bool = Field(default=False, description="query i attends to keys 0…i only")
    scale: float | None = Field(default=None, description="default 1/√d, d the query's size")
    output: Literal["output", "weights"] = "output"
    conventions: tuple[NamedConvention, ...] = default_conventions("as computed")


def compute_attention(qid: str, q: AttentionParameters, context: KeyContext) -> QuestionKey:
    arrays = []
    for name, ref in (("query", q.query), ("key", q.key), ("value", q.value)):
        exact, _ = context.array(ref, question=qid, what=name)
        need_rank(exact, (2,), what=name)
        arrays.append(float_array(exact))
    query, key, value = arrays

    def attend(
        *,
        scale: float | None = q.scale,
        causal: bool = q.causal,
        dim: int = -1,
        output: str = q.output,
    ) -> Value:
        out, weights = numeric_ops.attention(
            query, key, value, scale=scale, causal=causal, softmax_dim=dim
        )
        chosen = out if output == "output" else weights
        if not np.all(np.isfinite(chosen)):
            raise ValueError("not finite")
        return as_value(chosen)

    result = attend()
    accepted = tuple(AcceptedAnswer(c.name, result) for c in q.conventions)
    mistakes = MistakeList()
    if q.scale is None:
        mistakes.add("scores not scaled by 1/√d", lambda: attend(scale=1.0))
    mistakes.add("softmax taken over the wrong axis (over queries)", lambda: attend(dim=-2))
    if q.causal:
        mistakes.add("causal mask left out", lambda: attend(causal=False))
    if q.output == "output":
        mistakes.add("attention weights given, not the output", lambda: attend(output="weights"))
    return QuestionKey(qid, "matrix", accepted, mistakes.freeze())


ATTENTION = Operation(
    "attention",
    "scaled dot-product attention softmax(Q·Kᵀ/√d)·V (or its weights), optionally causal",
    AttentionParameters,
    compute_attention,
)
