"""Turn the JSON-able pieces of a result into display-ready views shared by HTML and Markdown.

Handles answers as read and expected answers (matrices, channel dicts,
shapes, scalars), differing entries, concept evidence and status words.
It must not produce markup (templates do that) and must never raise on
odd data: reports are written for every submission, including broken ones.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from grader.kinds.base import AnswerLayout
from grader.results import ReviewReason, Status

MAX_GRID_SIDE = 32  # a misread answer can be huge; show this many rows/columns at most
MAX_TEXT_CHARS = 20_000  # longest student text or value text shown in a report

EntryPath = tuple[int | str, ...]  # position inside a value: (row, col), ("R", row, col), ...


@dataclass(frozen=True)
class Cell:
    text: str
    differs: bool = False


@dataclass(frozen=True)
class Grid:
    """One matrix to draw; `label` names the channel or slice it belongs to."""

    label: str | None
    rows: tuple[tuple[Cell, ...], ...]
    truncated: bool = False


@dataclass(frozen=True)
class ValueView:
    """A value ready to draw: nothing, one or more grids, a shape, or plain text."""

    kind: Literal["none", "grids", "shape", "text"]
    grids: tuple[Grid, ...] = ()
    text: str = ""


NO_VALUE = ValueView(kind="none")


@dataclass(frozen=True)
class DifferingEntry:
    path: EntryPath
    where: str  # "row 2, column 3" (1-based, for people)
    expected: str | None  # None when the rubric hides the expected answer
    got: str


@dataclass(frozen=True)
class Evidence:
    """One concept key point and what the grader found for it."""

    key_point: str
    covered: bool | None  # None: a person decided the points without marking this key point
    keywords: tuple[str, ...]
    sentence: str | None


_FRACTION = re.compile(r"^(-?\d+)/(\d+)$")


def readable_fraction(text: str) -> str:
    """An exact fraction as people read it: "127/2" → "63.5"; "1/3" → "1/3 ≈ 0.3333"."""
    match = _FRACTION.match(text)
    if match is None or int(match.group(2)) == 0:
        return text
    value = Fraction(int(match.group(1)), int(match.group(2)))
    rest = value.denominator
    for factor in (2, 5):
        while rest % factor == 0:
            rest //= factor
    if rest == 1 and value.denominator <= 10**6:  # a finite decimal: write it exactly
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return f"{text} ≈ {float(value):.4g}"


def format_number(value: Any) -> str:
    """A number as people write it: 2 not 2.0, 1.5, at most 4 decimals, an exact fraction as a
    decimal where it is one; other values as text."""
    kind = type(value)
    if kind is int:  # the common cases first: reports format ~500,000 values
        return str(value)
    if kind is str:
        return readable_fraction(value) if "/" in value else value
    if kind is bool or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def shown_text(text: str) -> str:
    """Student text as a report shows it: whole, unless absurdly long (then cut, and said so)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:MAX_TEXT_CHARS]}\n… (cut here: the answer has {len(text):,} characters)"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float)  # bool is an int


def _is_matrix(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(row, list) and all(_is_scalar(c) for c in row) for row in value)
    )


def _cell_text(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        # Cells are drawn on one line; a newline inside a read cell would break Markdown grids.
        return readable_fraction(" ".join(value.split()))
    return format_number(value)


def _grid(
    label: str | None, matrix: list[list[Any]], prefix: EntryPath, marked: frozenset[EntryPath]
) -> Grid:
    truncated = len(matrix) > MAX_GRID_SIDE or any(len(row) > MAX_GRID_SIDE for row in matrix)
    if not marked:  # the usual case: nothing to look up per cell
        rows = tuple(
            tuple(Cell(_cell_text(value)) for value in row[:MAX_GRID_SIDE])
            for row in matrix[:MAX_GRID_SIDE]
        )
    else:
        rows = tuple(
            tuple(
                Cell(_cell_text(value), (*prefix, i, j) in marked)
                for j, value in enumerate(row[:MAX_GRID_SIDE])
            )
            for i, row in enumerate(matrix[:MAX_GRID_SIDE])
        )
    return Grid(label=label, rows=rows, truncated=truncated)


def _as_json_text(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # circular or otherwise unserialisable data
        text = repr(value)
    return text if len(text) <= MAX_TEXT_CHARS else f"{text[:MAX_TEXT_CHARS]}…"


def view_value(
    value: Any, *, layout: AnswerLayout, marked: frozenset[EntryPath] = frozenset()
) -> ValueView:
    """Describe an answer or expected answer for drawing; `marked` cells are highlighted."""
    if value is None:
        return NO_VALUE
    if _is_scalar(value):
        return ValueView(kind="text", text=format_number(value))
    if isinstance(value, list) and value and all(_is_scalar(v) for v in value):
        if layout is AnswerLayout.SHAPE:
            return ValueView(kind="shape", text=" × ".join(format_number(v) for v in value))
        row = tuple(
            Cell(_cell_text(v), (j,) in marked) for j, v in enumerate(value[:MAX_GRID_SIDE])
        )
        return ValueView(
            kind="grids", grids=(Grid(None, (row,), truncated=len(value) > MAX_GRID_SIDE),)
        )
    if _is_matrix(value):
        if layout is AnswerLayout.SHAPE:  # several shapes given, e.g. without and with padding
            return ValueView(
                kind="shape",
                text=" and ".join(" × ".join(format_number(v) for v in shape) for shape in value),
            )
        return ValueView(kind="grids", grids=(_grid(None, value, (), marked),))
    if isinstance(value, list) and value and all(_is_matrix(v) for v in value):
        grids = tuple(
            _grid(f"slice {k + 1}", matrix, (k,), marked)
            for k, matrix in enumerate(value[:MAX_GRID_SIDE])
        )
        return ValueView(kind="grids", grids=grids)
    if isinstance(value, dict) and value and all(_is_matrix(v) for v in value.values()):
        grids = tuple(
            _grid(f"channel {key}", matrix, (str(key),), marked)
            for key, matrix in list(value.items())[:MAX_GRID_SIDE]
        )
        return ValueView(kind="grids", grids=grids)
    return ValueView(kind="text", text=_as_json_text(value))


def _path_part(part: Any) -> int | str | None:
    if isinstance(part, bool):
        return None
    if isinstance(part, int):
        return part
    if isinstance(part, float) and part.is_integer():
        return int(part)
    if isinstance(part, str):
        return part
    return None


def describe_path(path: EntryPath) -> str:
    """Where an entry sits, 1-based: "channel R, row 2, column 3"."""
    if not path:
        return "an entry"
    words: list[str] = []
    *outer, last = path
    if len(path) >= 2 and isinstance(path[-2], int) and isinstance(last, int):
        *outer, row = outer
        tail = [f"row {int(row) + 1}", f"column {last + 1}"]
    else:
        tail = [f"entry {last + 1}" if isinstance(last, int) else f"entry {last}"]
    for part in outer:
        words.append(f"channel {part}" if isinstance(part, str) else f"slice {part + 1}")
    return ", ".join(words + tail)


def differing_entries(details: dict[str, Any]) -> tuple[DifferingEntry, ...]:
    """The entries the grader found different from the expected answer, tolerant of odd data."""
    raw = details.get("differing_entries") if isinstance(details, dict) else None
    if not isinstance(raw, list):
        return ()
    entries: list[DifferingEntry] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        index = item.get("index")
        parts = [_path_part(p) for p in index] if isinstance(index, list) else []
        path: EntryPath = tuple(p for p in parts if p is not None) if None not in parts else ()
        entries.append(
            DifferingEntry(
                path=path,
                where=describe_path(path),
                expected=_cell_text(item.get("expected")),
                got=_cell_text(item.get("got")),
            )
        )
    return tuple(entries)


#: What a flag on a measured answer means, in the words a student reads.
FLAG_WORDS: dict[str, str] = {
    "reported_accuracy_gap": "the accuracy your notebook reports differs from the one measured",
    "perturbation_drop": (
        "the score falls on a slightly changed copy of the test inputs; a person will check"
    ),
}


def flag_words(flag: str) -> str:
    """A stored flag in words; one this table does not know is shown with spaces."""
    return FLAG_WORDS.get(flag, flag.replace("_", " "))


def decided_evidence(
    evidence: tuple[Evidence, ...], marks: tuple[tuple[str, bool | None], ...]
) -> tuple[Evidence, ...]:
    """The key points as a person's decision marks them; the grader's sentence is kept only
    beside a point the person counted as covered."""
    if not marks:
        return evidence
    found = {item.key_point: item for item in evidence}
    decided = []
    for name, mark in marks:
        grader = found.get(name)
        keep = mark is True and grader is not None and grader.covered is True
        decided.append(
            Evidence(
                key_point=name,
                covered=mark,
                keywords=grader.keywords if keep and grader is not None else (),
                sentence=grader.sentence if keep and grader is not None else None,
            )
        )
    return tuple(decided)


def concept_evidence(details: dict[str, Any]) -> tuple[Evidence, ...]:
    """Key points with covered/not and the sentence the grader took as evidence."""
    raw = details.get("evidence") if isinstance(details, dict) else None
    if not isinstance(raw, list):
        return ()
    found: list[Evidence] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        keywords = item.get("keywords")
        sentence = item.get("sentence")
        found.append(
            Evidence(
                key_point=str(item.get("key_point") or ""),
                covered=item.get("covered") is True,
                keywords=tuple(str(k) for k in keywords) if isinstance(keywords, list) else (),
                sentence=str(sentence) if sentence else None,
            )
        )
    return tuple(found)


def as_status(value: Any) -> Status | None:
    """The Status a stored value stands for, or None for an unknown word."""
    if type(value) is Status:
        return value
    try:
        return Status(value)
    except ValueError:
        return None


def as_review_reason(value: Any) -> ReviewReason | None:
    if value is None or type(value) is ReviewReason:
        return value
    try:
        return ReviewReason(value)
    except ValueError:
        return None


def status_words(status: Any) -> str:
    """The status in words a student understands."""
    match as_status(status):
        case Status.GRADED:
            return "graded"
        case Status.NEEDS_REVIEW:
            return "needs review — a person will confirm"
        case Status.MISSING:
            return "missing"
        case Status.ERROR:
            return "error"
        case None:
            return str(status)


def review_reason_words(reason: Any) -> str | None:
    """Why a person will look at the answer, in words; None when there is no reason."""
    match as_review_reason(reason):
        case ReviewReason.CONCEPT:
            return "the grader suggested which key points are covered"
        case ReviewReason.UNREADABLE:
            return "the answer could not be read with confidence"
        case ReviewReason.AMBIGUOUS:
            return "the answer can be read more than one way"
        case ReviewReason.NO_TEXT_LAYER:
            return "the file is a scan without a text layer"
        case ReviewReason.SUBMISSION:
            return "something about the whole submission needs a look"
        case ReviewReason.STALE_OVERRIDE:
            return "a person's earlier decision was about another answer or maximum"
        case ReviewReason.UNASSIGNED:
            return "no marker for this question was found, but some text is not assigned to any question"
        case None:
            return None if reason is None else str(reason)


def marked_paths(entries: Sequence[DifferingEntry]) -> frozenset[EntryPath]:
    return frozenset(e.path for e in entries if e.path)
