"""The number of learnable parameters of any `torch.nn` module, counted on the meta device, with
the mistakes students make: biases left out, one bias per gate in a recurrent layer (torch
keeps two, b_ih and b_hh), only the first layer counted, one direction only.

Must not read student text.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import Field, field_validator

from grader.reference.answer_key import AcceptedAnswer, KeyContext, MistakeList, QuestionKey
from grader.reference.operations.base import NamedConvention, Operation, default_conventions
from grader.reference.parameters import OperationParameters
from grader.reference.torch_modules import (
    ModuleExpressionError,
    module_attribute,
    parameter_count,
    parse_module,
)


class ParameterCountParameters(OperationParameters):
    operation: Literal["parameter_count"]
    module: str = Field(description='the module as written in Python, e.g. "nn.Conv2d(3, 16, 3)"')
    conventions: tuple[NamedConvention, ...] = default_conventions("learnable parameters")

    @field_validator("module")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse_module(text)
        return text


def compute_parameter_count(
    qid: str, q: ParameterCountParameters, context: KeyContext
) -> QuestionKey:
    spec = parse_module(q.module)
    try:
        total = parameter_count(spec)
    except ModuleExpressionError as exc:
        raise ValueError(str(exc)) from None
    accepted = tuple(AcceptedAnswer(c.name, Fraction(total)) for c in q.conventions)
    mistakes = MistakeList()
    mistakes.add("biases left out", lambda: Fraction(parameter_count(spec, exclude=("bias",))))
    recurrent = spec.name in ("RNN", "GRU", "LSTM")
    if recurrent and module_attribute(spec, "bias"):
        mistakes.add(
            "one bias vector per gate (torch keeps two: b_ih and b_hh)",
            lambda: Fraction(parameter_count(spec, exclude=("bias_hh",))),
        )
    if recurrent and (module_attribute(spec, "num_layers") or 1) > 1:
        mistakes.add(
            "only the first layer counted",
            lambda: Fraction(parameter_count(spec.with_arguments(num_layers=1))),
        )
    if module_attribute(spec, "bidirectional"):
        mistakes.add(
            "one direction only (bidirectional ignored)",
            lambda: Fraction(parameter_count(spec.with_arguments(bidirectional=False))),
        )
    known = tuple(m for m in mistakes.freeze() if m.value != Fraction(total))
    return QuestionKey(qid, "number", accepted, tuple(dict((m.name, m) for m in known).values()))


PARAMETER_COUNT = Operation(
    "parameter_count",
    "number of learnable parameters of any torch.nn module",
    ParameterCountParameters,
    compute_parameter_count,
)
