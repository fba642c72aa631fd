"""Undo the usual OCR confusions inside numbers (O→0, l/I/|→1, S→5) on one line of numbers.

Only characters in numeric context change, so prose stays as written; the
caller lowers its confidence whenever a repair was made. This module must
not decide what is or is not a number row.
"""

from __future__ import annotations

import re

_HAS_DIGIT = re.compile(r"[0-9]")
_S_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])S(?=[0-9])")
_PIPE_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])\|(?=[0-9])")
# A run of digits and look-alike letters, not glued to other letters ("l0ss" stays).
_NOISY_RUN = re.compile(r"(?<![A-Za-z])[0-9OolIS]*[0-9][0-9OolIS]*(?![A-Za-z])")
_LONE_LOOKALIKE = re.compile(r"(?<![A-Za-z0-9])(?:[Oo]{1,3}|[lI])(?![A-Za-z0-9])")
_TO_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "S": "5"})
# A row made only of look-alikes ("l l", "| |"): OCR lost every digit of a row of 1s.
_ONLY_LOOKALIKES = re.compile(r"[ \t]*(?:[lIO|][ \t]+){1,31}[lIO|][ \t]*")
_LOOKALIKE_ROW = str.maketrans({"O": "0", "l": "1", "I": "1", "|": "1"})


def repair_ocr_digits(line: str) -> tuple[str, bool]:
    """Return the line with look-alike letters in numbers replaced, and whether anything changed."""
    if not _HAS_DIGIT.search(line):
        if _ONLY_LOOKALIKES.fullmatch(line):
            return line.translate(_LOOKALIKE_ROW), True
        return line, False
    repaired = _S_BETWEEN_DIGITS.sub("5", line)
    stripped = repaired.strip()
    if not (stripped.startswith("|") or stripped.endswith("|")):
        # In a table row, a pipe between digits is a cell border, not a 1.
        repaired = _PIPE_BETWEEN_DIGITS.sub("1", repaired)
    repaired = _NOISY_RUN.sub(lambda match: match.group().translate(_TO_DIGITS), repaired)
    repaired = _LONE_LOOKALIKE.sub(lambda match: match.group().translate(_TO_DIGITS), repaired)
    return repaired, repaired != line


def is_lookalike_row(line: str) -> bool:
    """A line of look-alike letters only ("l l", "| |"), which OCR makes of a row of 1s."""
    return _ONLY_LOOKALIKES.fullmatch(line) is not None
