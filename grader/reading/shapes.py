"""Find tensor shapes written in an answer: `126x126x16`, `$126 \\times 126 \\times 16$`, `(None, 126, 126, 16)`.

Dimensions stay exact (`63.5` is Fraction(127, 2)) so the scorer can name
the "not possible, 63.5" mistake. A shape needs a separator (×, x, *,
commas in brackets), so a plain number in a sentence is never a shape, and
pieces of arithmetic like `(128-3)/1+1` are not either. This module must
not judge whether a shape is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from grader.reading.arithmetic import evaluate_arithmetic

PRODUCT_CONFIDENCE = 1.0
STAR_CONFIDENCE = 0.9  # "126*126*16" could also be a product someone meant to compute
BY_CONFIDENCE = 0.9

_DIM = r"[0-9]+(?:\.[0-9]+)?"
_TIMES = r"[ \t]*(?:[xX×✕⨯*]|\\times(?![A-Za-z]))[ \t]*"
_PRODUCT = re.compile(rf"(?<![0-9A-Za-z_.]){_DIM}(?:{_TIMES}{_DIM})+(?![0-9]|\.[0-9])")
_BY = re.compile(rf"(?<![0-9A-Za-z_.]){_DIM}(?:[ \t]+by[ \t]+{_DIM}){{2,}}(?![0-9]|\.[0-9])")
_ENTRY = rf"{_DIM}(?:[ \t]*[-+*/][ \t]*{_DIM})*"
_BATCH = r"(?:None|\?)"
_BRACKETED = re.compile(
    rf"[(\[][ \t]*(?:{_BATCH}[ \t]*,[ \t]*)?{_ENTRY}(?:[ \t]*,[ \t]*{_ENTRY})+[ \t]*,?[ \t]*[)\]]"
)
_SEPARATOR = re.compile(_TIMES)
_NUMBER = re.compile(_DIM)
_FORMULA_NEIGHBOURS = "+-/*=^"
_PAIRS = {"(": ")", "[": "]"}


@dataclass(frozen=True)
class FoundShape:
    """One shape as written, e.g. dims (126, 126, 16); a batch "None" is dropped."""

    dims: tuple[Fraction, ...]
    confidence: float
    source: str


def extract_shapes(text: str) -> list[FoundShape]:
    """Every shape written in `text`, in document order, overlaps resolved in favour of the first."""
    found: list[tuple[int, int, FoundShape]] = []
    for match in _PRODUCT.finditer(text):
        shape = _product_shape(text, match)
        if shape is not None:
            found.append((match.start(), match.end(), shape))
    for match in _BY.finditer(text):
        dims = tuple(Fraction(number) for number in _NUMBER.findall(match.group()))
        if all(dim > 0 for dim in dims):
            found.append(
                (match.start(), match.end(), FoundShape(dims, BY_CONFIDENCE, match.group()))
            )
    for match in _BRACKETED.finditer(text):
        shape = _bracketed_shape(text, match)
        if shape is not None:
            found.append((match.start(), match.end(), shape))
    found.sort(key=lambda item: (item[0], -item[1]))
    shapes: list[FoundShape] = []
    covered_until = -1
    for start, end, shape in found:
        if start >= covered_until:
            shapes.append(shape)
            covered_until = end
    return shapes


def _product_shape(text: str, match: re.Match[str]) -> FoundShape | None:
    separators = [separator.strip() for separator in _SEPARATOR.findall(match.group())]
    dims = tuple(Fraction(number) for number in _NUMBER.findall(match.group()))
    if not all(dim > 0 for dim in dims):
        return None
    before = _neighbour(text, match.start() - 1, -1)
    after = _neighbour(text, match.end(), 1)
    if all(separator == "*" for separator in separators):
        # "2*1 + 1" or "3*3*32 = 288" is arithmetic: a star shape needs three dims standing alone.
        if (
            len(dims) < 3
            or _one_of(before, _FORMULA_NEIGHBOURS)
            or _one_of(after, _FORMULA_NEIGHBOURS)
        ):
            return None
        return FoundShape(dims, STAR_CONFIDENCE, match.group())
    if _one_of(before, "/^") or _one_of(after, "/^"):
        return None
    return FoundShape(dims, PRODUCT_CONFIDENCE, match.group())


def _bracketed_shape(text: str, match: re.Match[str]) -> FoundShape | None:
    source = match.group()
    if _PAIRS[source[0]] != source[-1]:
        return None
    before = text[match.start() - 1] if match.start() > 0 else " "
    after = _neighbour(text, match.end(), 1)
    if before.isalnum() or before == "_":
        return None  # a call like f(1, 2), not a shape
    if source[0] == "[" and (
        _one_of(_neighbour(text, match.start() - 1, -1), "[,") or after == "]"
    ):
        return None  # a row of a nested list
    entries = [entry.strip() for entry in source[1:-1].split(",")]
    dims: list[Fraction] = []
    for entry in entries:
        if entry in ("", "None", "?"):
            continue
        try:
            dims.append(evaluate_arithmetic(entry))
        except ValueError:
            return None
    if len(dims) < 2 or not all(dim > 0 for dim in dims):
        return None
    return FoundShape(tuple(dims), PRODUCT_CONFIDENCE, source)


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest non-space character from `index` going in direction `step` ("" at either end)."""
    while 0 <= index < len(text):
        if text[index] not in " \t":
            return text[index]
        index += step
    return ""


def _one_of(char: str, choices: str) -> bool:
    return bool(char) and char in choices
