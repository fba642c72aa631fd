"""Find the channel label a student wrote next to a matrix ("R:", "Red channel", "channel 1 (R)", "c=0").

Returns letters "R"/"G"/"B" or, for numbered channels, the number as written
(the caller decides whether numbering starts at 0 or 1 for the whole
document). It must not read numbers or matrices.
"""

from __future__ import annotations

import re

ChannelLabel = str | int  # "R", "G", "B", or a channel number as written

MAX_LABEL_LINE_CHARS = 60  # a longer line above a matrix is prose, not a label
LETTERS = ("R", "G", "B")

_COLOR = r"(?i:red|green|blue)"
_LABEL = re.compile(
    rf"""
    (?<![A-Za-z])(?i:channel|chan\.?|ch\.?|c)[ \t]*[=:\#]?[ \t]*[0-9][ \t]*
    \([ \t]*(?P<named>[RGB]|{_COLOR})[ \t]*\)
  | (?<![A-Za-z])(?P<color>{_COLOR})(?![A-Za-z])
  | (?<![A-Za-z])(?i:channel)[ \t]+(?P<after_channel>[RGB])(?![A-Za-z])
  | (?<![A-Za-z])(?i:channel|chan|ch)[ \t]*[=:\#]?[ \t]*(?P<index>[0-9])(?![0-9])
  | (?<![A-Za-z])c[ \t]*=[ \t]*(?P<c_index>[0-9])(?![0-9])
  | (?<![A-Za-z])(?P<letter>[RGB])(?![A-Za-z])
  | (?<![A-Za-z])(?P<small_letter>[rgb])(?=[ \t]*:)
    """,
    re.VERBOSE | re.ASCII,
)

# A label written at the start of a row of numbers: "R: 1 1 1", "Red channel = ...", "c=0: ...".
_ROW_PREFIX = re.compile(
    rf"""
    [ \t]*(?:[-*•][ \t]+)?(?:\*\*|__|\*)?
    (?P<head>
        (?i:channel|chan|ch)[ \t]*\#?[ \t]*[0-9](?:[ \t]*\([ \t]*(?:[RGB]|{_COLOR})[ \t]*\))?
      | {_COLOR}(?:[ \t]+(?i:channel))?
      | (?i:channel)[ \t]+[RGB]
      | c[ \t]*=[ \t]*[0-9]
      | [RGBrgb](?:[ \t]+(?i:channel))?
      | (?i:row)[ \t]*[0-9]+
    )
    (?:\*\*|__|\*)?
    (?:[ \t]*(?::|=|->|→)[ \t]*|(?<=[RGB])[ \t]+(?=[-0-9\[(]))
    """,
    re.VERBOSE | re.ASCII,
)

_DECORATION = re.compile(
    r"\\(?:text|textbf|mathbf|mathrm|boldsymbol|bm|mathit|textit|emph)\b|\\\[|\\\]|\\\(|\\\)"
    r"|\\(?:left|right|quad|qquad)\b|\$|\*\*|__|[{}#&`>]"
)


def labels_in(text: str) -> list[ChannelLabel]:
    """Every channel label in a short piece of text, in order."""
    found: list[ChannelLabel] = []
    for match in _LABEL.finditer(text):
        label = _label_of(match)
        if not found or found[-1] != label:
            found.append(label)
    return found


def row_label_prefix(line: str) -> tuple[ChannelLabel | None, int]:
    """A label at the start of a row of numbers, and where the numbers begin (0 when none)."""
    match = _ROW_PREFIX.match(line)
    if match is None:
        return None, 0
    labels = labels_in(match.group("head"))
    return (labels[-1] if labels else None), match.end()


def label_before(
    text: str, start: int, *, not_before: int = 0, look_at_previous_line: bool = True
) -> ChannelLabel | None:
    """The label just before `start`: on the same line (after `not_before`), else on the line above."""
    line_start = text.rfind("\n", 0, start) + 1
    same_line = clean_label_text(text[max(line_start, not_before) : start])
    labels = _prefer_letters(labels_in(same_line[-MAX_LABEL_LINE_CHARS:]))
    if labels:
        return labels[-1]
    if same_line and not same_line.endswith((":", "=")):
        return None
    if not look_at_previous_line:
        return None
    above = _prefer_letters(previous_line_labels(text, line_start))
    return above[0] if len(above) == 1 else None


def previous_line_labels(text: str, line_start: int) -> list[ChannelLabel]:
    """Labels on the nearest non-blank line above `line_start`, if that line reads as a label line."""
    end = line_start - 1
    for _ in range(3):  # skip at most two blank lines
        if end < 0:
            return []
        begin = text.rfind("\n", 0, end) + 1
        line = clean_label_text(text[begin:end])
        if line:
            if len(line) > MAX_LABEL_LINE_CHARS and not line.endswith(":"):
                return []
            return labels_in(line[-MAX_LABEL_LINE_CHARS:])
        end = begin - 1
    return []


def clean_label_text(text: str) -> str:
    """Drop markdown and LaTeX decoration so "**Red:**" and "$\\text{R} =$" read as plain labels."""
    return _DECORATION.sub(" ", text).strip()


def resolve_label(label: ChannelLabel | None, *, zero_based: bool) -> str | None:
    """Turn a label into "R"/"G"/"B"; numbered channels count from 0 or 1 as the document does."""
    if label is None or isinstance(label, str):
        return label
    position = label if zero_based else label - 1
    return LETTERS[position] if 0 <= position < len(LETTERS) else None


def _prefer_letters(labels: list[ChannelLabel]) -> list[ChannelLabel]:
    # "R (channel 1)" names the channel twice; the letter is the unambiguous one.
    letters: list[ChannelLabel] = [label for label in labels if isinstance(label, str)]
    return letters or labels


def _label_of(match: re.Match[str]) -> ChannelLabel:
    for group in ("named", "color", "after_channel", "letter", "small_letter"):
        value = match.group(group)
        if value:
            return value[0].upper()
    number = match.group("index") or match.group("c_index")
    return int(number)
