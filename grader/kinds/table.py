"""The one table of question kinds. Each kind is one module under `grader/kinds/` that owns its
rubric model, how an answer is read and scored, how a stored result is re-scored, how its
key is shown, what a full-marks answer looks like, and which variants are degenerate.

Adding a kind is one new module and one line here; the rubric loader, the scorer,
`grader rescore`, `grader key`, `check-template`, `assign --variants`, the reports and the
review pages all dispatch through `kind_of`. (How an exact question's key is computed is
the other table, `grader.reference.operations.OPERATIONS`.) Must not read files, run
anything or hold state.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from grader.kinds import accuracy, concept, figures, matrix, number, shape, tensor
from grader.kinds.base import AnswerLayout, Kind
from grader.results import Part

QUESTION_KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            matrix.KIND,
            tensor.KIND,
            shape.KIND,
            number.KIND,
            concept.KIND,
            accuracy.KIND,
            figures.KIND,
        )
    }
)


class UnknownKind(KeyError):
    """A kind name no row of the table has; the message lists the kinds (and a close one)."""

    def __init__(self, name: str, part: Part | None = None) -> None:
        self.name = name
        names = kind_names(part)
        close = difflib.get_close_matches(name, names, n=1)
        maybe = f" — did you mean '{close[0]}'?" if close else ""
        self.message = f"kind '{name}' is not a question kind{maybe} (kinds: {', '.join(names)})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def kind_names(part: Part | None = None) -> list[str]:
    """The kinds (of one part, or all), in table order."""
    return [name for name, kind in QUESTION_KINDS.items() if part is None or kind.part is part]


def kind_of(name: str) -> Kind:
    """The table row of a kind; `UnknownKind` for a name the table lacks."""
    kind = QUESTION_KINDS.get(str(name))
    if kind is None:
        raise UnknownKind(str(name))
    return kind


__all__ = ["QUESTION_KINDS", "AnswerLayout", "Kind", "UnknownKind", "kind_names", "kind_of"]
