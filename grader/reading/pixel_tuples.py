"""Read images written as rows of pixel tuples: "(1,2,2) (1,2,2)" over several lines → H×W×C.

Needs at least two rows of at least two tuples, all of one length, so a
lone "(126, 126, 16)" shape is never taken for an image. It must not read
any other notation.
"""

from __future__ import annotations

import re
from fractions import Fraction

from grader.reading.found import CLEAN, ArrayCandidate

_NUMBER = r"[-−]?[0-9]+(?:\.[0-9]+)?"
_TUPLE = re.compile(rf"\(\s*{_NUMBER}(?:\s*,\s*{_NUMBER})+\s*\)")
# A whole (stripped) line of two or more tuples, optionally in brackets: "[(1,2,2), (1,2,2)],".
_TUPLE_ROW = re.compile(
    rf"\[?[ \t]*(?:\(\s*{_NUMBER}(?:\s*,\s*{_NUMBER})+\s*\)[ \t]*(?:,[ \t]*)?){{2,}}"
    r"(?:\][ \t]*)?,?"
)
_ENTRY = re.compile(_NUMBER)
MAX_LINE_CHARS = 2000


def find_pixel_tuple_grids(text: str) -> list[ArrayCandidate]:
    """Every block of two or more equal rows of pixel tuples, in document order."""
    found: list[ArrayCandidate] = []
    block: list[tuple[int, int, list[tuple[Fraction, ...]]]] = []
    position = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        row = _read_row(body)
        if row is not None and block and _fits(block[-1][2], row):
            block.append((position, position + len(body), row))
        else:
            _close(block, found)
            block = [(position, position + len(body), row)] if row is not None else []
        position += len(line)
    _close(block, found)
    return found


def _read_row(line: str) -> list[tuple[Fraction, ...]] | None:
    stripped = line.strip()
    if len(stripped) > MAX_LINE_CHARS or "(" not in stripped:
        return None
    if _TUPLE_ROW.fullmatch(stripped) is None:
        return None
    return [
        tuple(Fraction(entry.replace("−", "-")) for entry in _ENTRY.findall(match.group()))
        for match in _TUPLE.finditer(line)
    ]


def _fits(previous: list[tuple[Fraction, ...]], row: list[tuple[Fraction, ...]]) -> bool:
    return len(previous) == len(row) and len(previous[0]) == len(row[0])


def _close(
    block: list[tuple[int, int, list[tuple[Fraction, ...]]]], found: list[ArrayCandidate]
) -> None:
    if len(block) < 2:
        return
    rows = [row for _, _, row in block]
    if len({len(pixel) for row in rows for pixel in row}) != 1:
        return
    values = tuple(tuple(row) for row in rows)
    shape = (len(rows), len(rows[0]), len(rows[0][0]))
    found.append(
        ArrayCandidate(
            start=block[0][0],
            end=block[-1][1],
            values=values,
            shape=shape,
            style="pixel_tuples",
            confidence=CLEAN,
        )
    )
