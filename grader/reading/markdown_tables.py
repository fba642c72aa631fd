"""Read Markdown tables of numbers, where the header row and a row-label column are labels, not data.

    |    | c1 | c2 |        | col 1 | col 2 |
    |----|----|----|        |-------|-------|
    | r1 | 45 | 45 |        | 45    | 45    |
    | r2 | 54 | 54 |        | 54    | 54    |

A table is a header line, a rule line (`|---|---|`) and one or more body rows.
The header is never data; the first column is a row-label column when its header
cell is empty or any of its body cells is not a number. A table whose header
names one channel (`| R | | |`) carries that label. This module must not read
tables without a rule line (the grid reader reads those) or judge the values.
"""

from __future__ import annotations

import re
from fractions import Fraction

from grader.reading.cells import evaluate_cell
from grader.reading.found import CLEAN, MISMATCHED_SIDES, ArrayCandidate, is_array_shape
from grader.reading.labels import ChannelLabel, labels_in

_RULE_CELL = re.compile(r"[ \t]*:?-{2,}:?[ \t]*")
MAX_TABLE_ROWS = 64


def find_markdown_tables(text: str) -> list[ArrayCandidate]:
    """Every Markdown table of numbers in `text`, in document order."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found: list[ArrayCandidate] = []
    index = 0
    while index + 1 < len(lines):
        header = _cells(lines[index])
        rule = _cells(lines[index + 1])
        if header is None or rule is None or not _is_rule(rule) or len(rule) != len(header):
            index += 1
            continue
        body_end = index + 2
        while (
            body_end < len(lines)
            and body_end - index - 2 < MAX_TABLE_ROWS
            and (cells := _cells(lines[body_end])) is not None
            and len(cells) == len(header)
        ):
            body_end += 1
        body = [_cells(line) or [] for line in lines[index + 2 : body_end]]
        by_pixel = _pixel_table(header, body, offsets[index], offsets[body_end])
        table = by_pixel or _table(header, body, offsets[index], offsets[body_end])
        if isinstance(table, list):
            found.extend(table)
        elif table is not None:
            found.append(table)
        index = max(body_end, index + 1)
    return found


def _cells(line: str) -> list[str] | None:
    """The cells of a table row `| a | b |` (outer pipes optional), or None if not a row."""
    stripped = line.strip()
    if stripped.count("|") < 1 or not (stripped.startswith("|") or stripped.endswith("|")):
        return None
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [cell.strip() for cell in stripped.split("|")]


def _is_rule(cells: list[str]) -> bool:
    return all(_RULE_CELL.fullmatch(cell) for cell in cells)


def _number(cell: str) -> tuple[Fraction, bool] | None:
    try:
        return evaluate_cell(cell.replace("$", "").strip())
    except ValueError:
        return None


def _table(header: list[str], body: list[list[str]], start: int, end: int) -> ArrayCandidate | None:
    if not body:
        return None
    label_column = header[0] == "" or any(_number(row[0]) is None for row in body)
    first = 1 if label_column else 0
    if len(header) - first < 1:
        return None
    rows: list[tuple[Fraction, ...]] = []
    mismatched = False
    for row in body:
        values: list[Fraction] = []
        for cell in row[first:]:
            read = _number(cell)
            if read is None:
                return None
            value, differs = read
            values.append(value)
            mismatched = mismatched or differs
        rows.append(tuple(values))
    matrix = tuple(rows)
    shape = (len(matrix), len(matrix[0]))
    if not is_array_shape(shape):
        return None
    return ArrayCandidate(
        start=start,
        end=end,
        values=matrix,
        shape=shape,
        style="table",
        confidence=MISMATCHED_SIDES if mismatched else CLEAN,
        label=_header_label(header),
    )


_PIXEL = re.compile(r"\(?\s*([0-9]{1,2})\s*,\s*([0-9]{1,2})\s*\)?")


def _pixel_table(
    header: list[str], body: list[list[str]], start: int, end: int
) -> list[ArrayCandidate] | None:
    """| position | R | G | B | with rows | (1,1) | 1 | 2 | 2 |: one matrix per channel column."""
    if len(header) < 3 or not body:
        return None
    labels = [labels_in(cell) for cell in header[1:]]
    if any(len(found) != 1 for found in labels):
        return None
    cells: dict[tuple[int, int], list[Fraction]] = {}
    for row in body:
        position = _PIXEL.fullmatch(row[0].strip())
        if position is None:
            return None
        values = [_number(cell) for cell in row[1:]]
        if any(value is None for value in values):
            return None
        cells[(int(position.group(1)), int(position.group(2)))] = [v[0] for v in values if v]
    height = max(i for i, _ in cells)
    width = max(j for _, j in cells)
    if set(cells) != {(i, j) for i in range(1, height + 1) for j in range(1, width + 1)}:
        return None  # a position is missing or counted from 0: not sure enough to reshape
    found = []
    for channel, (label,) in enumerate(labels):
        matrix = tuple(
            tuple(cells[(i, j)][channel] for j in range(1, width + 1)) for i in range(1, height + 1)
        )
        if not is_array_shape((height, width)):
            return None
        found.append(
            ArrayCandidate(
                start=start, end=end, values=matrix, shape=(height, width), style="table",
                confidence=CLEAN, label=label,
            )
        )  # fmt: skip
    return found


def _header_label(header: list[str]) -> ChannelLabel | None:
    """A channel named in the header ("| R | | |" or "| channel G | 1 | 2 |"), else None."""
    labels = [label for cell in header for label in labels_in(cell)]
    return labels[0] if len(labels) == 1 else None
