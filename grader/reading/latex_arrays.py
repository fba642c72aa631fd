"""Read LaTeX matrices: bmatrix/pmatrix/vmatrix/Bmatrix/matrix/array/tabular and bare `\\left[ … \\right]`.

Rows split on `\\\\`, cells on `&`; `\\hline` and formatting macros are
ignored. Only innermost environments are read. This module must not look
at anything outside LaTeX markup.
"""

from __future__ import annotations

import re
from fractions import Fraction

from grader.reading.cells import evaluate_cell, split_number_row
from grader.reading.found import (
    CLEAN,
    MISMATCHED_SIDES,
    RAGGED,
    ArrayCandidate,
    is_array_shape,
    rectangular,
)

_BEGIN = re.compile(
    r"\\begin\{(?P<env>[bBpvV]?matrix\*?|smallmatrix|array|tabular)\}"
    r"(?:\[[a-z]\])?(?:\{(?:[^{}]|\{[^{}]*\})*\})?"
)
_BEGIN_ANY = "\\begin{"
_LEFT = re.compile(r"\\left\s*(?:\[|\(|\\\{|\||\\\|)")
_RIGHT = re.compile(r"\\right\s*(?:\]|\)|\\\}|\||\\\||\.)")
_ROW_BREAK = re.compile(r"\\\\(?:\s*\[[^\]\n]{0,12}\])?|\\cr\b")
_RULE = re.compile(r"\\(?:hline|hdashline|toprule|midrule|bottomrule)\b|\\cline\{[^{}]*\}")
_FORMAT = re.compile(
    r"\\(?:mathbf|textbf|text|mathrm|boldsymbol|bm|mathit|textit|underline|overline|displaystyle)"
    r"(?![A-Za-z])|\\color\{[^{}]*\}|\$|~"
)
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
MAX_BODY_CHARS = 20_000


def find_latex_arrays(text: str) -> list[ArrayCandidate]:
    """Every readable LaTeX matrix in the text, in document order."""
    found: list[ArrayCandidate] = []
    for match in _BEGIN.finditer(text):
        end_tag = "\\end{" + match.group("env") + "}"
        body_end = text.find(end_tag, match.end(), match.end() + MAX_BODY_CHARS)
        if body_end < 0:
            continue
        body = text[match.end() : body_end]
        if _BEGIN_ANY in body:
            continue  # an outer environment around other matrices
        candidate = _read_body(body, match.start(), body_end + len(end_tag))
        if candidate is not None:
            found.append(candidate)
    covered = [(candidate.start, candidate.end) for candidate in found]
    found.extend(_bare_left_right(text, covered))
    found.sort(key=lambda candidate: candidate.start)
    return found


def _bare_left_right(text: str, covered: list[tuple[int, int]]) -> list[ArrayCandidate]:
    # `\left[ 1 & 2 \\ 3 & 4 \right]` written without an environment.
    found: list[ArrayCandidate] = []
    for left in _LEFT.finditer(text):
        right = _RIGHT.search(text, left.end(), left.end() + MAX_BODY_CHARS)
        if right is None:
            continue
        body = text[left.end() : right.start()]
        if "\\left" in body or _BEGIN_ANY in body or not ("&" in body or "\\\\" in body):
            continue
        if any(start <= left.start() < end for start, end in covered):
            continue
        candidate = _read_body(body, left.start(), right.end())
        if candidate is not None:
            found.append(candidate)
    return found


def _read_body(body: str, start: int, end: int) -> ArrayCandidate | None:
    body = _FORMAT.sub(" ", _RULE.sub(" ", _COMMENT.sub("", body)))
    row_texts = [row for row in _ROW_BREAK.split(body) if row.strip()]
    rows: list[list[Fraction]] = []
    mismatched = False
    uses_ampersands = "&" in body
    for row_text in row_texts:
        if uses_ampersands:
            cells = [cell.strip() for cell in row_text.split("&")]
            if all(not cell for cell in cells):
                continue
            try:
                read = [evaluate_cell(cell) for cell in cells]
            except ValueError:
                return None
            rows.append([value for value, _ in read])
            mismatched = mismatched or any(differs for _, differs in read)
        else:
            # Cells separated by spaces inside a matrix environment: read the row as a grid row.
            number_row = split_number_row(" ".join(row_text.split()))
            if number_row is None:
                return None
            rows.append(list(number_row.values))
            mismatched = mismatched or number_row.mismatched
    if not rows:
        return None
    matrix, ragged = rectangular(rows)
    shape = (len(matrix), len(matrix[0]))
    if not is_array_shape(shape):
        return None
    confidence = CLEAN
    if mismatched:
        confidence = MISMATCHED_SIDES
    if ragged:
        confidence = RAGGED
    return ArrayCandidate(
        start=start, end=end, values=matrix, shape=shape, style="latex", confidence=confidence
    )
