"""The numbers Word draws in front of list paragraphs ("1.", "a)"), which are not in the text.

A student who answers in a Word numbered list types no question numbers:
Word generates them from `numbering.xml`. Without them the question
splitter finds no markers and every answer would be missing. This module
computes the labels (decimal, letters, roman numerals; bullets as `-`) in
document order. It must not read anything but list numbering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_LEVELS = 9
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


@dataclass(frozen=True)
class _Level:
    start: int
    number_format: str  # w:numFmt: decimal, lowerLetter, bullet, none...
    label_template: str  # w:lvlText: "%1." or "%1.%2)"


@dataclass
class ListNumbering:
    """Labels for numbered paragraphs, counted in the order paragraphs are asked for."""

    levels: dict[str, dict[int, _Level]]  # numId -> level -> definition
    style_numbering: dict[str, tuple[str, int]]  # styleId -> (numId, level) from the style
    _counters: dict[str, list[int | None]] = field(default_factory=dict)

    @classmethod
    def from_parts(cls, numbering_element: Any | None, styles_element: Any | None) -> ListNumbering:
        """Build from the `w:numbering` and `w:styles` elements (either may be missing)."""
        return cls(_levels(numbering_element), _style_numbering(styles_element))

    def label(self, paragraph: Any) -> str | None:
        """The label Word shows before this `w:p`, or None when it is not in a list."""
        reference = self._reference(paragraph)
        if reference is None:
            return None
        num_id, level = reference
        definitions = self.levels.get(num_id)
        if not definitions or level not in definitions:
            return None
        counters = self._counters.setdefault(num_id, [None] * MAX_LEVELS)
        current = counters[level]
        counters[level] = definitions[level].start if current is None else current + 1
        for deeper in range(level + 1, MAX_LEVELS):
            counters[deeper] = None  # a deeper list restarts under each new item
        definition = definitions[level]
        if definition.number_format == "bullet":
            return "-"
        if definition.number_format == "none":
            return None
        label = definition.label_template
        for shown in range(MAX_LEVELS):
            if f"%{shown + 1}" in label:
                shown_definition = definitions.get(shown)
                value = counters[shown]
                if value is None:
                    value = shown_definition.start if shown_definition else 1
                number_format = shown_definition.number_format if shown_definition else "decimal"
                label = label.replace(f"%{shown + 1}", format_number(value, number_format))
        return label.strip() or None

    def _reference(self, paragraph: Any) -> tuple[str, int] | None:
        properties = paragraph.find(f"{W}pPr")
        if properties is None:
            return None
        numbering = properties.find(f"{W}numPr")
        if numbering is not None:
            num_id = _value(numbering.find(f"{W}numId"))
            level = _int(_value(numbering.find(f"{W}ilvl")), 0)
            if num_id is not None:
                return None if num_id == "0" else (num_id, min(max(level, 0), MAX_LEVELS - 1))
        style = _value(properties.find(f"{W}pStyle"))
        return self.style_numbering.get(style) if style is not None else None


def format_number(value: int, number_format: str) -> str:
    """A list counter as Word shows it in `number_format` (unknown formats as decimal)."""
    if number_format in ("lowerLetter", "upperLetter"):
        letters = _letters(value)
        return letters if number_format == "lowerLetter" else letters.upper()
    if number_format in ("lowerRoman", "upperRoman") and value > 0:
        roman = _roman(value)
        return roman if number_format == "lowerRoman" else roman.upper()
    if number_format == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _letters(value: int) -> str:
    # Word repeats the letter past z: 27 is "aa", 28 "bb".
    if value < 1:
        return str(value)
    letter = chr(ord("a") + (value - 1) % 26)
    return letter * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    parts = []
    for amount, numeral in _ROMAN:
        count, value = divmod(value, amount)
        parts.append(numeral * count)
    return "".join(parts)


def _levels(numbering: Any | None) -> dict[str, dict[int, _Level]]:
    if numbering is None:
        return {}
    abstract: dict[str, dict[int, _Level]] = {}
    for definition in numbering.findall(f"{W}abstractNum"):
        abstract_id = definition.get(f"{W}abstractNumId")
        if abstract_id is not None:
            abstract[abstract_id] = {
                _int(level.get(f"{W}ilvl"), 0): _level(level)
                for level in definition.findall(f"{W}lvl")
            }
    levels: dict[str, dict[int, _Level]] = {}
    for instance in numbering.findall(f"{W}num"):
        num_id = instance.get(f"{W}numId")
        abstract_id = _value(instance.find(f"{W}abstractNumId"))
        if num_id is None or abstract_id not in abstract:
            continue
        merged = dict(abstract[abstract_id])
        for override in instance.findall(f"{W}lvlOverride"):
            level_number = _int(override.get(f"{W}ilvl"), 0)
            replaced = override.find(f"{W}lvl")
            if replaced is not None:
                merged[level_number] = _level(replaced)
            start = _value(override.find(f"{W}startOverride"))
            if start is not None and level_number in merged:
                old = merged[level_number]
                merged[level_number] = _Level(_int(start, 1), old.number_format, old.label_template)
        levels[num_id] = merged
    return levels


def _level(level: Any) -> _Level:
    return _Level(
        start=_int(_value(level.find(f"{W}start")), 1),
        number_format=_value(level.find(f"{W}numFmt")) or "decimal",
        label_template=_value(level.find(f"{W}lvlText")) or "",
    )


def _style_numbering(styles: Any | None) -> dict[str, tuple[str, int]]:
    if styles is None:
        return {}
    direct: dict[str, tuple[str, int]] = {}
    based_on: dict[str, str] = {}
    for style in styles.findall(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        if style_id is None:
            continue
        parent = _value(style.find(f"{W}basedOn"))
        if parent is not None:
            based_on[style_id] = parent
        numbering = style.find(f"{W}pPr/{W}numPr")
        num_id = _value(numbering.find(f"{W}numId")) if numbering is not None else None
        if numbering is not None and num_id is not None and num_id != "0":
            direct[style_id] = (num_id, _int(_value(numbering.find(f"{W}ilvl")), 0))
    resolved = dict(direct)
    for style_id in based_on:
        seen = {style_id}
        parent = based_on.get(style_id)
        while style_id not in resolved and parent is not None and parent not in seen:
            if parent in direct:
                resolved[style_id] = direct[parent]
            seen.add(parent)
            parent = based_on.get(parent)
    return resolved


def _value(element: Any | None) -> str | None:
    return None if element is None else element.get(f"{W}val")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
