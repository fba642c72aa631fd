"""Read plain grids of numbers: consecutive lines of numbers, markdown tables, grids side by side.

A grid is two or more consecutive lines that each hold two or more numbers
(a lone bracketed row "[1 2 3]" also counts). Several grids on the same
lines are told apart by a gap that is wider than the others, a tab, or a
`|`, at the same place in every row. This module must not read LaTeX or
nested lists (those are read first and blanked out by the caller).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from grader.reading.cells import NumberRow, split_number_row
from grader.reading.found import (
    CLEAN,
    MISMATCHED_SIDES,
    OCR_REPAIRED,
    RAGGED,
    ArrayCandidate,
    is_array_shape,
    rectangular,
)
from grader.reading.labels import ChannelLabel, previous_line_labels, row_label_prefix
from grader.reading.ocr import is_lookalike_row, repair_ocr_digits

# The rule under a markdown table header, matched on the stripped line: "|---|:-:|".
_TABLE_RULE = re.compile(r"\|?[ \t]*:?-{2,}:?(?:[ \t]*\|[ \t]*:?-{2,}:?)*[ \t]*\|?")
_HAS_DIGIT = re.compile(r"[0-9]")
MAX_LINE_CHARS = 400  # a longer line is prose or data, never a matrix row


@dataclass(frozen=True)
class _Row:
    start: int  # offset of the line in the text
    end: int
    numbers: NumberRow
    label: ChannelLabel | None
    bracketed: bool
    repaired: bool


def find_grids(text: str) -> list[ArrayCandidate]:
    """Every plain grid in the text (blank out LaTeX and lists first), in document order."""
    lines: list[_Row | str] = []  # a row of numbers, "blank" or "text"
    position = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start, position = position, position + len(line)
        if _is_table_rule(body):
            continue  # "|---|---|" under a table header: neither a row nor a break
        row = _read_row(body, start)
        lines.append(row if row is not None else ("blank" if not body.strip() else "text"))
    found: list[ArrayCandidate] = []
    block: list[_Row] = []
    split_by_blanks = False  # every row of the block so far came after a blank line
    for index, item in enumerate(lines):
        if isinstance(item, _Row):
            if item.label is not None and block:
                found.extend(_grids_from_block(block, text))
                block, split_by_blanks = [], False
            if block and index > 0 and isinstance(lines[index - 1], _Row):
                split_by_blanks = False
            block.append(item)
            continue
        if item == "blank" and _split_rows_go_on(
            block, split_by_blanks or len(block) == 1, lines, index
        ):
            split_by_blanks = True
            continue
        found.extend(_grids_from_block(block, text))
        block, split_by_blanks = [], False
    found.extend(_grids_from_block(block, text))
    return found


def _split_rows_go_on(
    block: list[_Row], split_so_far: bool, lines: list[_Row | str], index: int
) -> bool:
    """A PDF text layer may put a blank line between every row of one matrix ("45 45", "", "54 54").

    Rows are joined across blank lines only while every row so far stood alone, and
    the next row stands alone too, has the same width and no channel label.
    """
    if not block or not split_so_far or block[-1].bracketed:
        return False
    following = index
    while following < len(lines) and lines[following] == "blank":
        following += 1
    if following >= len(lines) or following - index > 1:
        return False  # only a single blank line splits a matrix's rows
    row = lines[following]
    if not isinstance(row, _Row) or row.label is not None or row.bracketed:
        return False
    if len(row.numbers.values) != len(block[-1].numbers.values):
        return False
    stands_alone = following + 1 >= len(lines) or not isinstance(lines[following + 1], _Row)
    return stands_alone


def _is_table_rule(line: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) <= MAX_LINE_CHARS
        and stripped.startswith(("|", "-", ":"))
        and _TABLE_RULE.fullmatch(stripped) is not None
    )


def _read_row(line: str, start: int) -> _Row | None:
    if len(line) > MAX_LINE_CHARS or not (_HAS_DIGIT.search(line) or is_lookalike_row(line)):
        return None
    label, numbers_start = row_label_prefix(line)
    body, repaired = repair_ocr_digits(line[numbers_start:])
    body = body.strip()
    if body.endswith((".", ",", ";")) and not body.endswith(("..", "...")):
        body = body[:-1].rstrip()  # "… 9 18." ends a sentence; "[1, 2]," ends a list row
    bracketed = body.startswith("[") or body.endswith("]")
    body = body.lstrip("[").rstrip("]").strip()
    if body.startswith("|") and body.endswith("|") and len(body) > 1:
        body = body[1:-1]
    numbers = split_number_row(body)
    if numbers is None:
        return None
    if len(numbers.values) < 2 and not bracketed:
        return None
    return _Row(start, start + len(line), numbers, label, bracketed, repaired)


def _grids_from_block(block: list[_Row], text: str) -> list[ArrayCandidate]:
    if not block:
        return []
    if len(block) == 1 and not block[0].bracketed:
        return []  # one line of numbers alone is a sentence, not a matrix
    widths = [len(row.numbers.values) for row in block]
    if len(set(widths)) > 1:
        runs = _equal_width_runs(block)
        if all(len(run) >= 2 for run in runs):
            return [grid for run in runs for grid in _grids_from_block(run, text)]
        return _one_grid(block, "grid", ragged_allowed=True)
    groups = _side_by_side_groups(block)
    if len(groups) == 1:
        groups = _groups_named_above(block, text)
    if len(groups) > 1:
        return _side_by_side(block, groups, text)
    every_gap_a_pipe = all(gap.pipe for row in block for gap in row.numbers.gaps)
    return _one_grid(block, "table" if every_gap_a_pipe else "grid", ragged_allowed=False)


def _equal_width_runs(block: list[_Row]) -> list[list[_Row]]:
    runs: list[list[_Row]] = [[block[0]]]
    for row in block[1:]:
        if len(row.numbers.values) == len(runs[-1][-1].numbers.values):
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def _one_grid(block: list[_Row], style: str, *, ragged_allowed: bool) -> list[ArrayCandidate]:
    matrix, ragged = rectangular([row.numbers.values for row in block])
    shape = (len(matrix), len(matrix[0]))
    if not is_array_shape(shape) or (ragged and not ragged_allowed):
        return []
    return [
        ArrayCandidate(
            start=block[0].start,
            end=block[-1].end,
            values=matrix,
            shape=shape,
            style=style,
            confidence=_confidence(block, ragged),
            label=block[0].label,
        )
    ]


def _side_by_side_groups(block: list[_Row]) -> list[tuple[int, int]]:
    """Column ranges [first, last) of grids written side by side; one range when there is one grid."""
    width = len(block[0].numbers.values)
    separators = set(range(width - 1))
    for row in block:
        separators &= _wide_gaps(row.numbers)
    bounds = [0, *sorted(index + 1 for index in separators), width]
    groups = list(itertools.pairwise(bounds))
    sizes = {last - first for first, last in groups}
    if len(groups) > 1 and (len(sizes) != 1 or min(sizes) < 2):
        # Unequal or one-column pieces are more likely an unevenly spaced single grid.
        return [(0, width)]
    return groups


def _groups_named_above(block: list[_Row], text: str) -> list[tuple[int, int]]:
    """Evenly spaced grids side by side, told apart only by the channel labels above them.

    "R G B" over "1 1 2 2 2 2" is three 2-column grids; without labels it stays one grid.
    """
    width = len(block[0].numbers.values)
    labels = previous_line_labels(text, block[0].start)
    if block[0].label is not None or len(labels) < 2 or width % len(labels):
        return [(0, width)]
    size = width // len(labels)
    if size < 2:
        return [(0, width)]
    return [(start, start + size) for start in range(0, width, size)]


def _wide_gaps(numbers: NumberRow) -> set[int]:
    """Indexes of gaps clearly wider than the narrowest gap in the row (a pipe among spaces counts)."""
    weights = [gap.weight for gap in numbers.gaps]
    if not weights:
        return set()
    narrowest = min(weights)
    return {
        index
        for index, weight in enumerate(weights)
        if weight >= 2 * narrowest and weight > narrowest
    }


def _side_by_side(
    block: list[_Row], groups: list[tuple[int, int]], text: str
) -> list[ArrayCandidate]:
    header = previous_line_labels(text, block[0].start)
    labels: list[ChannelLabel | None] = (
        list(header) if len(header) == len(groups) else [None] * len(groups)
    )
    if block[0].label is not None:
        labels[0] = block[0].label
    found = []
    for (first, last), label in zip(groups, labels, strict=True):
        matrix = tuple(tuple(row.numbers.values[first:last]) for row in block)
        found.append(
            ArrayCandidate(
                start=block[0].start,
                end=block[-1].end,
                values=matrix,
                shape=(len(matrix), last - first),
                style="side_by_side",
                confidence=_confidence(block, ragged=False),
                label=label,
            )
        )
    return found


def _confidence(block: list[_Row], ragged: bool) -> float:
    if ragged:
        return RAGGED
    if any(row.repaired for row in block):
        return OCR_REPAIRED
    if any(row.numbers.mismatched for row in block):
        return MISMATCHED_SIDES
    return CLEAN
