"""Read Python/numpy nested lists: `[[45, 45], [54, 54]]`, `array([[45 45]\\n [54 54]])`, 3-D lists.

Printed numpy arrays and torch tensors are read too: size-1 leading dimensions are
squeezed (`tensor([[[[18., 27.], …]]]])` is a matrix), and `dtype=`/`device=`
suffixes after the list are left alone.

Also MATLAB-style `[1 2; 3 4]` and lists of pixel tuples `[[(1,2,2), …]]`.
Parsed by bracket matching, never by eval(). It must not read grids that
are not inside brackets.
"""

from __future__ import annotations

from fractions import Fraction

from grader.reading.cells import split_number_row
from grader.reading.found import (
    CLEAN,
    MISMATCHED_SIDES,
    OCR_REPAIRED,
    RAGGED,
    ArrayCandidate,
    ArrayValues,
    is_array_shape,
    rectangular,
)
from grader.reading.ocr import repair_ocr_digits

MAX_LIST_CHARS = 20_000
MAX_DEPTH = 5  # parsed this deep: torch prints a 2-D result of a batch of one as [[[[...]]]]
MAX_ARRAY_DEPTH = 3  # after squeezing: a matrix, or channels of matrices
_SPACE = " \t\r\n\u00a0"
_CLOSER = {"[": "]", "(": ")"}

# A parsed list: a leaf row of values, or a list of parsed lists.
_Node = tuple[Fraction, ...] | list["_Node"]


class _Mismatch:
    """Collects, while parsing, whether any cell "a = b" had differing sides or needed an OCR repair."""

    def __init__(self) -> None:
        self.seen = False
        self.ocr_repaired = False


def find_nested_lists(text: str, *, min_depth: int) -> list[ArrayCandidate]:
    """Every bracketed list of numbers at least `min_depth` deep (1 reads "[1, 2, 3]" as 1×3)."""
    found: list[ArrayCandidate] = []
    position = text.find("[")
    while position >= 0:
        mismatch = _Mismatch()
        parsed = _parse_list(text, position, 1, mismatch)
        if parsed is not None:
            node, end = parsed
            candidate = _candidate(node, position, end, min_depth, mismatch)
            if candidate is not None:
                found.append(candidate)
                position = text.find("[", end)
                continue
        position = text.find("[", position + 1)
    return found


def _candidate(
    node: _Node, start: int, end: int, min_depth: int, mismatch: _Mismatch
) -> ArrayCandidate | None:
    depth = _depth(node)
    # Size-1 leading dimensions (a batch of one, one channel) are printing, not data:
    # tensor([[[[18., 27.], ...]]]) is the 2-D result.
    while depth > 2 and isinstance(node, list) and len(node) == 1 and isinstance(node[0], list):
        node = node[0]
        depth -= 1
    if depth < min_depth or depth > MAX_ARRAY_DEPTH:
        return None
    values, shape, ragged = _to_array(node)
    if values is None or not is_array_shape(shape):
        return None
    confidence = CLEAN
    if mismatch.ocr_repaired:
        confidence = OCR_REPAIRED
    if mismatch.seen:
        confidence = min(confidence, MISMATCHED_SIDES)
    if ragged:
        confidence = RAGGED
    return ArrayCandidate(
        start=start, end=end, values=values, shape=shape, style="nested_list", confidence=confidence
    )


def _depth(node: _Node) -> int:
    if isinstance(node, tuple):
        return 1
    return 1 + max(_depth(child) for child in node)


def _to_array(node: _Node) -> tuple[ArrayValues | None, tuple[int, ...], bool]:
    if isinstance(node, tuple):  # "[1, 2, 3]" is one row
        return (node,), (1, len(node)), False
    if all(isinstance(child, tuple) for child in node):
        rows = [child for child in node if isinstance(child, tuple)]
        matrix, ragged = rectangular(rows)
        return matrix, (len(matrix), len(matrix[0])), ragged
    if not all(isinstance(child, list) for child in node):
        return None, (), False
    matrices = []
    for child in node:
        if not isinstance(child, list) or not all(isinstance(row, tuple) for row in child):
            return None, (), False
        matrices.append(tuple(row for row in child if isinstance(row, tuple)))
    shapes = {(len(matrix), len(matrix[0])) for matrix in matrices}
    if len(shapes) != 1 or any(len({len(row) for row in matrix}) != 1 for matrix in matrices):
        return None, (), False
    rows_per_matrix, width = shapes.pop()
    return tuple(matrices), (len(matrices), rows_per_matrix, width), False


def _parse_list(text: str, start: int, depth: int, mismatch: _Mismatch) -> tuple[_Node, int] | None:
    """Parse the list opening at `start` ("[" or a tuple's "("); return it and the index after it."""
    if depth > MAX_DEPTH:
        return None
    closer = _CLOSER[text[start]]
    position = _skip_space(text, start + 1)
    if position < len(text) and (text[position] == "[" or _is_tuple(text, position)):
        children: list[_Node] = []
        while True:
            parsed = _parse_list(text, position, depth + 1, mismatch)
            if parsed is None:
                return None
            children.append(parsed[0])
            position = _skip_space(text, parsed[1])
            if position < len(text) and text[position] == ",":
                position = _skip_space(text, position + 1)
            if position >= len(text):
                return None
            if text[position] == closer:
                return children, position + 1
            if text[position] != "[" and not _is_tuple(text, position):
                return None
    return _parse_leaf(text, start, position, closer, mismatch)


def _parse_leaf(
    text: str, start: int, position: int, closer: str, mismatch: _Mismatch
) -> tuple[_Node, int] | None:
    end = _matching_close(text, start, closer)
    if end is None or "[" in text[position:end]:
        return None
    content = " ".join(text[position:end].split())
    if ";" in content and closer == "]":  # MATLAB rows: [1 2; 3 4]
        rows: list[_Node] = []
        for part in content.split(";"):
            if part.strip():
                row = _read_row(part, mismatch)
                if row is None:
                    return None
                rows.append(row)
        return (rows, end + 1) if rows else None
    row = _read_row(content, mismatch)
    return (row, end + 1) if row is not None else None


def _read_row(content: str, mismatch: _Mismatch) -> tuple[Fraction, ...] | None:
    content, repaired = repair_ocr_digits(content)
    number_row = split_number_row(content.strip().rstrip(","))
    if number_row is None:
        return None
    mismatch.seen = mismatch.seen or number_row.mismatched
    mismatch.ocr_repaired = mismatch.ocr_repaired or repaired
    return number_row.values


def _is_tuple(text: str, position: int) -> bool:
    # "(1, 2, 2)" is a pixel; "(9 + 18 + 18)" is arithmetic inside a cell.
    if text[position] != "(":
        return False
    end = _matching_close(text, position, ")")
    if end is None:
        return False
    inside = text[position + 1 : end]
    return "," in inside and "(" not in inside


def _matching_close(text: str, start: int, closer: str) -> int | None:
    """Index of the bracket closing the one at `start`, counting parentheses in between."""
    parentheses = 0
    limit = min(len(text), start + MAX_LIST_CHARS)
    for index in range(start + 1, limit):
        char = text[index]
        if char == "(":
            parentheses += 1
        elif char == ")" and parentheses > 0:
            parentheses -= 1
        elif char == closer:
            return index
        elif char in "[]" or (char == ")" and closer == "]"):
            return None
    return None


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in _SPACE:
        position += 1
    return position
