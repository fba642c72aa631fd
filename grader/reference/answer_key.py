"""Each question's accepted answers (one per named convention) and its known mistakes, computed
by the question's operation (`grader.reference.operations.OPERATIONS`).

A known mistake is the result of the same math with one parameter perturbed the
way students typically get it wrong (padding forgotten, one channel only, stride
ignored...). Matching a student's answer against these lets feedback name the
mistake without any typed-in wrong answers. Must not read student text or rubrics.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader.errors import ParametersError
from grader.reference.parameters import ArrayRef, AssignmentParameters
from grader.reference.values import ExactArray, Value, exact_array, is_exact, to_jsonable

if TYPE_CHECKING:
    from grader.reference.course_module import CourseReference

__all__ = [
    "AcceptedAnswer",
    "KeyContext",
    "KnownMistake",
    "MistakeList",
    "QuestionKey",
    "Value",
    "compute_key",
    "to_jsonable",
]


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
    kind: str  # the answer kind it is read and scored as: "matrix", "tensor", "shape", "number"
    accepted: tuple[AcceptedAnswer, ...]
    mistakes: tuple[KnownMistake, ...]
    channel_names: tuple[str, ...] = ()  # for tensors: the channel order of `value`
    parameter_shapes: tuple[tuple[int, ...], ...] = ()  # shapes quoted in the question itself

    @property
    def exact(self) -> bool:
        """Every accepted answer is rational: compared exactly unless the rubric states a tolerance."""
        return all(is_exact(a.value) for a in self.accepted)

    @property
    def mistake_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.name for m in self.mistakes))


@dataclass
class MistakeList:
    """Collects computed mistakes; a perturbation with no valid result (ValueError) is skipped."""

    items: list[KnownMistake] = field(default_factory=list)

    def add(self, name: str, compute: Callable[..., Value]) -> None:
        with contextlib.suppress(ValueError, ZeroDivisionError, IndexError):
            self.items.append(KnownMistake(name, compute()))

    def freeze(self) -> tuple[KnownMistake, ...]:
        return tuple(self.items)


@dataclass(frozen=True)
class KeyContext:
    """What an operation may read besides its own parameters: the named arrays and the
    course's own reference functions."""

    parameters: AssignmentParameters
    reference: CourseReference | None = None

    def array(
        self, ref: ArrayRef, *, question: str, what: str
    ) -> tuple[ExactArray, tuple[str, ...]]:
        """(the array, its channel names) for a name of a top-level array or inline values."""
        if isinstance(ref, str):
            named = self.parameters.named_arrays()
            spec = named.get(ref)
            if spec is None:
                known = ", ".join(sorted(named)) or "none"
                raise ParametersError(
                    f"questions.{question}: {what} = '{ref}' names no array (arrays: {known})",
                    hint=f"add [arrays.{ref}] with its values, or give the values inline",
                )
            return spec.exact, spec.channel_names
        try:
            return exact_array(ref), ()
        except ValueError as exc:
            raise ParametersError(f"questions.{question}: {what}: {exc}") from None


def compute_key(
    parameters: AssignmentParameters, reference: CourseReference | None = None
) -> dict[str, QuestionKey]:
    """Every parameterised question's key, computed from the parameters by its operation."""
    from grader.reference.operations import OPERATIONS

    context = KeyContext(parameters, reference)
    keys: dict[str, QuestionKey] = {}
    for qid, question in parameters.questions.items():
        operation = OPERATIONS[question.operation]
        try:
            keys[qid] = operation.compute(qid, question, context)
        except ParametersError:
            raise
        except ValueError as exc:  # the parameters do not fit together (shapes, sizes)
            raise ParametersError(
                f"questions.{qid}: {operation.name}: {exc}",
                hint="check the sizes and settings of this question's parameters",
            ) from None
    return keys


def keys_as_json(keys: Mapping[str, QuestionKey]) -> dict[str, Any]:
    """{question: {"kind", "accepted": [{"convention", "value"}]}} for tools and tests."""
    return {
        qid: {
            "kind": key.kind,
            "accepted": [
                {"convention": a.convention, "value": to_jsonable(a.value)} for a in key.accepted
            ],
        }
        for qid, key in keys.items()
    }
