"""The records the array readers produce, and the shared rule for rows of unequal length.

Data only: no parsing of text happens here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from grader.reading.labels import ChannelLabel

CLEAN = 1.0
OCR_REPAIRED = 0.7
RAGGED = 0.5
MISMATCHED_SIDES = 0.8  # a cell "a = b" where a != b: which one the student meant is a guess

Matrix = tuple[tuple[Fraction, ...], ...]
ArrayValues = Matrix | tuple[Matrix, ...]


@dataclass(frozen=True)
class FoundArray:
    """One matrix (2-D) or tensor (3-D) read from a student's answer."""

    values: ArrayValues  # nested tuples of Fraction
    shape: tuple[int, ...]
    label: str | None  # "R", "G" or "B" when the student labelled the channel
    style: str  # "latex", "grid", "side_by_side", "nested_list", "pixel_tuples", "table"
    confidence: float  # 1.0 clean; lower after OCR repairs or ragged rows
    source: str  # the text it was read from


@dataclass(frozen=True)
class ArrayCandidate:
    """An array as one reader found it, before labels are settled for the whole document."""

    start: int
    end: int
    values: ArrayValues
    shape: tuple[int, ...]
    style: str
    confidence: float
    label: ChannelLabel | None = None


def rectangular(rows: Sequence[Sequence[Fraction]]) -> tuple[Matrix, bool]:
    """The rows as a matrix; when lengths differ, keep the rows of the most common length.

    Returns the matrix and whether rows were dropped (the caller lowers confidence).
    """
    lengths = Counter(len(row) for row in rows)
    if len(lengths) == 1:
        return tuple(tuple(row) for row in rows), False
    most = max(lengths.values())
    # Ties go to the length of the earliest row: the first row is usually written most carefully.
    width = next(len(row) for row in rows if lengths[len(row)] == most)
    return tuple(tuple(row) for row in rows if len(row) == width), True


def is_array_shape(shape: tuple[int, ...]) -> bool:
    """A single number is not an array, and neither is an empty one."""
    return all(size > 0 for size in shape) and any(size > 1 for size in shape)
