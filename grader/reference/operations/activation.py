"""Activations applied to an array: ReLU and leaky ReLU (exact), sigmoid, tanh, GELU, softplus,
SiLU, ELU, softmax and log-softmax (approximate: the rubric states a tolerance), with the
mistakes students make (softmax over the wrong dimension, the negative slope dropped).

Must not read student text.
"""

from __future__ import annotations

from typing import Literal

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
from grader.reference.values import Value, as_value, exact_number, float_array

Function = Literal[
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "gelu",
    "softplus",
    "silu",
    "elu",
    "softmax",
    "log_softmax",
]


class ActivationParameters(OperationParameters):
    operation: Literal["activation"]
    function: Function
    input: ArrayRef
    dim: int = Field(
        default=-1, description="softmax / log_softmax: the dimension that sums to one"
    )
    negative_slope: float | str = Field(
        default="1/100", description="leaky_relu's slope below zero"
    )
    alpha: float = Field(default=1.0, description="elu's alpha")
    conventions: tuple[NamedConvention, ...] = default_conventions("as computed")


def compute_activation(qid: str, q: ActivationParameters, context: KeyContext) -> QuestionKey:
    exact, _ = context.array(q.input, question=qid, what="input")
    need_rank(exact, (1, 2), what="input")
    floats = float_array(exact)
    mistakes = MistakeList()

    def apply(function: str, dim: int = q.dim) -> Value:
        if function == "relu":
            return as_value(numeric_ops.relu(exact))
        if function == "leaky_relu":
            return as_value(numeric_ops.leaky_relu(exact, exact_number(q.negative_slope)))
        if function == "elu":
            return as_value(numeric_ops.elu(floats, q.alpha))
        if function == "softmax":
            return as_value(numeric_ops.softmax(floats, dim))
        if function == "log_softmax":
            return as_value(numeric_ops.log_softmax(floats, dim))
        return as_value(numeric_ops.FLOAT_ACTIVATIONS[function](floats))

    result = apply(q.function)
    accepted = tuple(AcceptedAnswer(c.name, result) for c in q.conventions)
    if q.function in ("softmax", "log_softmax") and exact.ndim == 2:
        other = 0 if q.dim in (-1, 1) else -1
        mistakes.add(
            f"{q.function} taken over the wrong dimension", lambda: apply(q.function, other)
        )
    if q.function == "leaky_relu":
        mistakes.add("negative part set to zero (plain ReLU)", lambda: apply("relu"))
    if q.function == "log_softmax":
        mistakes.add("softmax given, not its logarithm", lambda: apply("softmax"))
    if q.function == "tanh":
        mistakes.add("sigmoid used instead of tanh", lambda: apply("sigmoid"))
    if q.function == "sigmoid":
        mistakes.add("tanh used instead of sigmoid", lambda: apply("tanh"))
    return QuestionKey(qid, "matrix", accepted, mistakes.freeze())


ACTIVATION = Operation(
    "activation",
    "an activation (relu, leaky_relu, sigmoid, tanh, gelu, softplus, silu, elu, softmax, log_softmax) of a vector or matrix",
    ActivationParameters,
    compute_activation,
)
