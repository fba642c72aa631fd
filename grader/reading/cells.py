"""Split one row of written numbers into cells, keeping arithmetic together (`9 + 18 + 18   45`).

Knows where one entry ends and the next begins and how wide each gap is
(the grid reader uses gap widths to find side-by-side matrices). It must
not decide which lines form a grid: that is the grid reader's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from grader.reading.arithmetic import evaluate_arithmetic

PIPE_GAP_WEIGHT = 100
TAB_WIDTH = 4

_ROW_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\u00a0\u2009\u202f]+)
  | (?P<comma>[,;])
  | (?P<pipe>\|)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]{1,2}(?![0-9]))?|\.[0-9]+)
  | (?P<sign>[-−–](?![ \t]))
  | (?P<operator>\*\*|\\cdot|\\times|\\div|[-+*/×·⋅÷^−–=])
  | (?P<open>\()
  | (?P<close>\))
    """,
    re.VERBOSE | re.ASCII,
)


@dataclass(frozen=True)
class Gap:
    """The separator between two cells of a row: its visual weight and whether it was a pipe."""

    weight: int
    pipe: bool


@dataclass(frozen=True)
class NumberRow:
    """One row of numbers as written: the values and the gaps between them."""

    values: tuple[Fraction, ...]
    gaps: tuple[Gap, ...]  # len(values) - 1 entries
    mismatched: bool  # a cell like "9+18+18 = 46" whose two sides differ


def evaluate_cell(cell: str) -> tuple[Fraction, bool]:
    """Value of one cell; a cell "a = b" counts as b, flagged when a and b differ.

    Raises ValueError when any side cannot be read.
    """
    sides = cell.split("=")
    values = [evaluate_arithmetic(side) for side in sides]
    return values[-1], any(value != values[-1] for value in values)


def split_number_row(row: str) -> NumberRow | None:
    """Read a row like "1 2 3", "1, 2, 3", "| 1 | 2 |" or "9 + 18 + 18   9 + 18 + 18"; None if not numbers."""
    tokens = _row_tokens(row)
    if tokens is None:
        return None
    cells: list[list[str]] = [[]]
    gaps: list[Gap] = []
    pending_space = 0
    pending_hard: str | None = None  # "comma" or "pipe" seen since the last cell token
    previous_kind = ""
    for index, (kind, text) in enumerate(tokens):
        if kind == "space":
            pending_space += _space_width(text)
            continue
        if kind in ("comma", "pipe"):
            if pending_hard is not None or not cells[-1]:
                return None  # an empty cell: "1,,2" or a leading comma
            pending_hard = kind
            pending_space += 1 if kind == "comma" else 0
            continue
        if not cells[-1]:
            cells[-1].append(text)
        elif pending_hard is not None:
            weight = PIPE_GAP_WEIGHT if pending_hard == "pipe" else pending_space
            gaps.append(Gap(weight=weight, pipe=pending_hard == "pipe"))
            cells.append([text])
        elif pending_space and _ends_operand(previous_kind) and _starts_operand(tokens, index):
            gaps.append(Gap(weight=pending_space, pipe=False))
            cells.append([text])
        else:
            cells[-1].append(text)
        pending_space = 0
        pending_hard = None
        previous_kind = kind
    if not cells[-1]:
        return None
    values: list[Fraction] = []
    mismatched = False
    for cell in cells:
        try:
            value, differs = evaluate_cell("".join(cell))
        except ValueError:
            return None
        values.append(value)
        mismatched = mismatched or differs
    return NumberRow(values=tuple(values), gaps=tuple(gaps), mismatched=mismatched)


def _row_tokens(row: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    position = 0
    end = len(row)
    while position < end:
        match = _ROW_TOKEN.match(row, position)
        if match is None:
            return None
        tokens.append((match.lastgroup or "", match.group()))
        position = match.end()
    return tokens


def _space_width(text: str) -> int:
    return sum(TAB_WIDTH if char == "\t" else 1 for char in text)


def _ends_operand(kind: str) -> bool:
    return kind in ("number", "close")


def _starts_operand(tokens: list[tuple[str, str]], index: int) -> bool:
    # "1 2" and "1 (2)" are two cells; "1 -2" too, since the sign is glued to its number.
    kind = tokens[index][0]
    if kind in ("number", "open"):
        return True
    if kind == "sign" and index + 1 < len(tokens):
        return tokens[index + 1][0] in ("number", "open")
    return False
