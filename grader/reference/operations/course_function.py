"""Answers computed by the course's own reference function (`[assignment] reference` in the
rubric names the module in the template folder): for what the built-in operations lack.

The function gets the question's `arguments` and the named `arrays` as keyword arguments
and returns the answer (a number, nested lists, a shape as a tuple, a numpy array), or a
dict {"accepted": {convention: value}, "mistakes": {name: value}}. Integers and
fractions stay exact; floats make the key approximate (the rubric states a tolerance).
`answer` declares the kind the value is read as; `grader check-template` checks the
function is deterministic and returns that kind. Must not read student text.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field

from grader.errors import ParametersError
from grader.reference.answer_key import (
    AcceptedAnswer,
    KeyContext,
    KnownMistake,
    QuestionKey,
)
from grader.reference.operations.base import Operation
from grader.reference.parameters import OperationParameters
from grader.reference.values import Value, as_value, shape_of

Answer = Literal["matrix", "tensor", "shape", "number"]


class ReferenceParameters(OperationParameters):
    operation: Literal["reference"]
    function: str = Field(description="the name of the function in the course's reference module")
    answer: Answer = Field(description="the kind the answer is read as")
    arguments: dict[str, Any] = Field(
        default_factory=dict, description="keyword arguments, as given"
    )
    arrays: tuple[str, ...] = Field(default=(), description="top-level arrays passed by name")
    channel_names: tuple[str, ...] = Field(
        default=(), description="tensor answers: the channels' names"
    )


def _plain(value: Any) -> Any:
    """numpy arrays, torch tensors and numpy scalars as plain Python values."""
    if hasattr(value, "tolist") and not isinstance(value, Fraction | int | float):
        return value.tolist()
    if hasattr(value, "item") and not isinstance(value, Fraction | int | float):
        with contextlib.suppress(Exception):
            return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def checked_value(value: Any, answer: Answer, *, where: str) -> Value:
    """The returned value as a key value of the declared kind; ValueError says what is off."""
    try:
        converted = as_value(_plain(value))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where} returned {value!r}, which is not numbers: {exc}") from None
    rank = len(shape_of(converted))
    if answer == "number" and rank != 0:
        raise ValueError(f'{where} returned an array, but answer = "number"')
    if answer == "matrix" and rank not in (1, 2):
        raise ValueError(f'{where} returned {rank} dimensions, but answer = "matrix" needs 1 or 2')
    if answer == "tensor" and rank != 3:
        raise ValueError(
            f'{where} returned {rank} dimensions, but answer = "tensor" needs 3 (channels×H×W)'
        )
    positive_integers = rank == 1 and all(
        isinstance(d, Fraction) and d.denominator == 1 and d > 0 for d in converted
    )
    if answer == "shape" and not positive_integers:
        raise ValueError(
            f'{where} returned {value!r}, but answer = "shape" needs positive integers'
        )
    return converted


def compute_reference(qid: str, q: ReferenceParameters, context: KeyContext) -> QuestionKey:
    if context.reference is None:
        raise ParametersError(
            f'questions.{qid}: operation = "reference" but the rubric names no reference module',
            hint='add `reference = "answers.py"` (a file in the template folder) to the rubric\'s [assignment]',
        )
    function = context.reference.function(q.function, question=qid)
    named = context.parameters.named_arrays()
    arrays: dict[str, Any] = {}
    for name in q.arrays:
        if name not in named:
            raise ParametersError(f"questions.{qid}: arrays names '{name}', which is no array")
        arrays[name] = named[name].values
    where = f"{context.reference.path.name}:{q.function}"
    try:
        returned = function(**q.arguments, **arrays)
    except Exception as exc:
        raise ParametersError(
            f"questions.{qid}: {where} raised {type(exc).__name__}: {exc}",
            path=context.reference.path,
            hint="fix the function or the question's arguments",
        ) from None
    accepted_raw: dict[str, Any]
    mistakes_raw: dict[str, Any] = {}
    if isinstance(returned, dict) and "accepted" in returned:
        accepted_raw = dict(returned["accepted"])
        mistakes_raw = dict(returned.get("mistakes") or {})
    else:
        accepted_raw = {"as computed by the course's reference": returned}
    if not accepted_raw:
        raise ValueError(f"{where} returned no accepted answer")
    accepted = tuple(
        AcceptedAnswer(str(name), checked_value(value, q.answer, where=where))
        for name, value in accepted_raw.items()
    )
    mistakes = tuple(
        KnownMistake(str(name), checked_value(value, q.answer, where=where))
        for name, value in mistakes_raw.items()
    )
    kind = q.answer
    names = q.channel_names
    if kind == "tensor" and not names:
        names = tuple(str(i + 1) for i in range(shape_of(accepted[0].value)[0]))
    return QuestionKey(qid, kind, accepted, mistakes, names)


REFERENCE = Operation(
    "reference",
    "the course's own function in its reference module (for what the built-ins lack)",
    ReferenceParameters,
    compute_reference,
)
