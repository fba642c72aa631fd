"""What every operation is: a name, a parameters model, and the function that computes a
question's key (accepted answers and known mistakes) from those parameters.

Also the small pieces several operations share: named conventions and the checks that an
array has the rank an operation needs. Must not know rubrics, kinds' scoring or students.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from grader.reference.answer_key import KeyContext, QuestionKey
from grader.reference.parameters import OperationParameters, _Strict
from grader.reference.values import ExactArray

Compute = Callable[[str, Any, KeyContext], QuestionKey]


@dataclass(frozen=True)
class Operation:
    """One row of the operations table."""

    name: str
    summary: str  # one line: what it computes (docs, errors)
    parameters: type[OperationParameters]
    compute: Compute


class NamedConvention(_Strict):
    name: str


def default_conventions(name: str) -> Any:
    """A `conventions` field holding one convention called `name` unless the file lists some."""
    return Field(default=(NamedConvention(name=name),), min_length=1)


def need_rank(array: ExactArray, ranks: tuple[int, ...], *, what: str) -> None:
    if array.ndim not in ranks:
        allowed = " or ".join(str(rank) for rank in ranks)
        raise ValueError(f"{what} has {array.ndim} dimensions {array.shape}; it needs {allowed}")
