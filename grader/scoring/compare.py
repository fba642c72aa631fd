"""Compare a read value with computed ones: equality (exact, or within the rubric's tolerance),
share of entries right, which entries differ, which known mistake an answer is.

Pure functions over nested tuples of numbers; no reading, no rubric I/O.
"""

from __future__ import annotations

from typing import Any

from grader.reference.answer_key import KnownMistake
from grader.reference.values import (
    Value,
    flatten,
    numbers_equal,
    shape_of,
    to_jsonable,
    values_equal,
)

__all__ = [
    "differing_entries",
    "flatten",
    "matching_mistake",
    "shape_of",
    "share_right",
    "values_equal",
]


def share_right(got: Value, expected: Value, tolerance: float | None = None) -> float:
    """Share of entries equal, for same-shaped values (0 when shapes differ)."""
    if shape_of(got) != shape_of(expected):
        return 0.0
    pairs = list(zip(flatten(got), flatten(expected), strict=True))
    return sum(1 for g, e in pairs if numbers_equal(g, e, tolerance)) / len(pairs) if pairs else 0.0


def differing_entries(
    got: Value, expected: Value, tolerance: float | None = None, decimals: int | None = None
) -> list[dict[str, Any]]:
    """Entries that differ, as {"index": [i, j], "expected": "45", "got": "44"} (same shape only)."""
    shape = shape_of(expected)
    if shape_of(got) != shape:
        return []
    differences: list[dict[str, Any]] = []
    for flat_index, (g, e) in enumerate(zip(flatten(got), flatten(expected), strict=True)):
        if not numbers_equal(g, e, tolerance):
            index, rest = [], flat_index
            for size in reversed(shape):
                index.append(rest % size)
                rest //= size
            shown_got = to_jsonable(float(g), decimals) if tolerance is not None else to_jsonable(g)
            differences.append(
                {
                    "index": index[::-1],
                    "expected": str(to_jsonable(e, decimals)),
                    "got": str(shown_got),
                }
            )
    return differences


def matching_mistake(
    got: Value, mistakes: tuple[KnownMistake, ...], tolerance: float | None = None
) -> KnownMistake | None:
    """The first computed mistake whose value equals the answer (within the tolerance)."""
    if tolerance is None:
        return next((m for m in mistakes if m.value == got), None)
    return next((m for m in mistakes if values_equal(got, m.value, tolerance)), None)
