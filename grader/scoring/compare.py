"""Compare a read value with computed ones: exact equality, share of entries right, which entries differ.

Pure functions over nested tuples of Fraction; no reading, no rubric I/O.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from grader.reference.answer_key import KnownMistake, Value, to_jsonable

MAX_LISTED_DIFFERENCES = 12


def shape_of(value: Value) -> tuple[int, ...]:
    """Shape of a nested tuple (assumed rectangular)."""
    shape: list[int] = []
    while isinstance(value, tuple):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def flatten(value: Value) -> list[Fraction]:
    if isinstance(value, tuple):
        return [entry for sub in value for entry in flatten(sub)]
    return [value]


def share_right(got: Value, expected: Value) -> float:
    """Share of entries equal, for same-shaped values (0 when shapes differ)."""
    if shape_of(got) != shape_of(expected):
        return 0.0
    pairs = list(zip(flatten(got), flatten(expected), strict=True))
    return sum(1 for g, e in pairs if g == e) / len(pairs) if pairs else 0.0


def differing_entries(got: Value, expected: Value) -> list[dict[str, Any]]:
    """Entries that differ, as {"index": [i, j], "expected": "45", "got": "44"} (same shape only)."""
    shape = shape_of(expected)
    if shape_of(got) != shape:
        return []
    differences: list[dict[str, Any]] = []
    for flat_index, (g, e) in enumerate(zip(flatten(got), flatten(expected), strict=True)):
        if g != e:
            index, rest = [], flat_index
            for size in reversed(shape):
                index.append(rest % size)
                rest //= size
            differences.append(
                {"index": index[::-1], "expected": str(to_jsonable(e)), "got": str(to_jsonable(g))}
            )
    return differences


def matching_mistake(got: Value, mistakes: tuple[KnownMistake, ...]) -> KnownMistake | None:
    """The first computed mistake whose value equals the answer exactly."""
    return next((m for m in mistakes if m.value == got), None)
