"""Find tensor shapes written in an answer: `126x126x16`, `$126 \\times 126 \\times 16$`, `(None, 126, 126, 16)`.

PyTorch forms are read too: `torch.Size([1, 16, 126, 126])`, `(N, 16, 126, 126)`; a
named batch dimension is dropped here, a batch of 1 is left for the scorer to accept.

Dimensions stay exact (`63.5` is Fraction(127, 2)) so the scorer can name
the "not possible, 63.5" mistake. A shape needs a separator (×, x, *,
commas in brackets), so a plain number in a sentence is never a shape, and
pieces of arithmetic like `(128-3)/1+1` are not either. This module must
not judge whether a shape is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction

from grader.reading.arithmetic import evaluate_arithmetic
from grader.reading.found import OCR_REPAIRED
from grader.reading.ocr import repair_ocr_digits

PRODUCT_CONFIDENCE = 1.0
OCR_CONFIDENCE = OCR_REPAIRED  # a shape read after undoing OCR look-alikes: a person confirms
STAR_CONFIDENCE = 0.9  # "126*126*16" could also be a product someone meant to compute
BY_CONFIDENCE = 0.9

_DIM = r"[0-9]+(?:\.[0-9]+)?"
_TIMES = r"[ \t]*(?:[xX×✕⨯*]|\\times(?![A-Za-z]))[ \t]*"
# A line may wrap right after a separator ("63 x 63 x\n16").
_TIMES_WRAPPED = r"[ \t]*(?:[xX×✕⨯*]|\\times(?![A-Za-z]))[ \t]*(?:\n[ \t]*)?"
_PRODUCT = re.compile(rf"(?<![0-9A-Za-z_.]){_DIM}(?:{_TIMES_WRAPPED}{_DIM})+(?![0-9]|\.[0-9])")
# The depth said in words after an H×W pair: "126x126 with 16 channels", "126 × 126, depth 16",
# "63x63 (x16)".
_DEPTH_AFTER = re.compile(
    r"""[ \t]*(?:
        \([ \t]*[xX×][ \t]*(?P<times>[0-9]+)[ \t]*\)
      | ,?[ \t]*(?:with|and|of)?[ \t]*(?P<count>[0-9]+)[ \t]+(?:output[ \t]+)?(?:channels?|filters?|feature[ \t]+maps?)\b
      | ,?[ \t]*(?:and[ \t]+)?(?:a[ \t]+)?(?:depth|channels?)[ \t]*(?:of|=|:|is)?[ \t]*(?P<depth>[0-9]+)\b
    )""",
    re.VERBOSE | re.IGNORECASE,
)
DEPTH_IN_WORDS_CONFIDENCE = 0.9
_BY = re.compile(rf"(?<![0-9A-Za-z_.]){_DIM}(?:[ \t]+by[ \t]+{_DIM}){{2,}}(?![0-9]|\.[0-9])")
_ENTRY = rf"{_DIM}(?:[ \t]*[-+*/][ \t]*{_DIM})*"
_BATCH = r"(?:None|\?|N|B|n|b|batch(?:_size)?)"  # a batch dimension written as a name
_BRACKETED = re.compile(
    rf"[(\[][ \t]*(?:{_BATCH}[ \t]*,[ \t]*)?{_ENTRY}(?:[ \t]*,[ \t]*{_ENTRY})+[ \t]*,?[ \t]*[)\]]"
)
_SEPARATOR = re.compile(_TIMES_WRAPPED)
# Damage that cut a shape short: "126 x 126 x ?6" or "126 x 126 x" (a separator, then no
# number and no word), "126 x 1?6" (junk glued to the last digit), "63 x 63 x 1 6" (a lone
# digit right after it).
_CUT_SHORT = re.compile(
    rf"{_TIMES}(?:$|\n|(?![0-9]|[A-Za-z]{{2}})[^\s])|[^\s0-9A-Za-z.,;:!)\]}}'\"][0-9]|[ \t]+[0-9](?![0-9])(?![ \t]*[xX×*])"
)
_JUNK_BEFORE = re.compile(r"[0-9][^\s0-9A-Za-z.,;:!(\[{'\"]$")
_NUMBER = re.compile(_DIM)
_FORMULA_NEIGHBOURS = "+-/*=^"
_PAIRS = {"(": ")", "[": "]"}


@dataclass(frozen=True)
class FoundShape:
    """One shape as written, e.g. dims (126, 126, 16); a batch "None" is dropped."""

    dims: tuple[Fraction, ...]
    confidence: float
    source: str
    truncated: bool = False  # a separator follows with no readable number: damage cut it short


def extract_shapes(text: str) -> list[FoundShape]:
    """Every shape written in `text`, in document order, overlaps resolved in favour of the first.

    A shape with OCR damage in a number (`126 x 126 x l6`) is read from the repaired text at
    OCR confidence, so a person confirms it; one whose last dimension is cut off by damage
    (`126 x 126 x ?6`) is marked `truncated` so it is never scored as a confident partial answer.
    """
    found = _shape_spans(text)
    repaired, changed = repair_ocr_digits(text)
    if changed and len(repaired) == len(text):
        taken = [(start, end) for start, end, _shape in found]
        for start, end, shape in _shape_spans(repaired):
            if repaired[start:end] == text[start:end]:
                continue
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                # The undamaged part was read alone: replace it by the whole repaired shape.
                found = [item for item in found if not (start < item[1] and item[0] < end)]
            found.append(
                (start, end, replace(shape, confidence=OCR_CONFIDENCE, source=text[start:end]))
            )
    found.sort(key=lambda item: (item[0], -item[1]))
    shapes: list[FoundShape] = []
    covered_until = -1
    for start, end, shape in found:
        if start >= covered_until:
            shapes.append(shape)
            covered_until = end
    return shapes


def _shape_spans(text: str) -> list[tuple[int, int, FoundShape]]:
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
    return found


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
    truncated = (
        _CUT_SHORT.match(text, match.end()) is not None
        or _JUNK_BEFORE.search(text, max(0, match.start() - 2), match.start()) is not None
    )
    if len(dims) == 2 and (depth := _DEPTH_AFTER.match(text, match.end())) is not None:
        words = depth.group("times") or depth.group("count") or depth.group("depth")
        return FoundShape(
            (*dims, Fraction(words)),
            DEPTH_IN_WORDS_CONFIDENCE,
            text[match.start() : depth.end()],
        )
    return FoundShape(dims, PRODUCT_CONFIDENCE, match.group(), truncated=truncated)


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
    if entries and re.fullmatch(_BATCH, entries[0]):
        entries = entries[1:]  # (N, 16, 126, 126): the batch is not part of the answer
    dims: list[Fraction] = []
    for entry in entries:
        if entry == "":
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
