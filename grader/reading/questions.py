"""Split a written submission into one answer per question, from markers like `1.`, `Q7`, `(3)`, `## 7.`.

Stray numbers (a figure's "3", a grid row "9, 18, 18", a numbered list in
an answer) also look like markers, so the markers are chosen as the best
strictly increasing chain in document order: strong markers outweigh weak
ones and consecutive numbers are preferred. Struck-out text is removed
first. This module must not interpret the answers themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from grader.reading.strikeout import remove_struck_out

_MARKER = re.compile(
    r"""
    ^(?P<indent>[ \t]*)
    (?P<bullet>(?:[-*+•][ \t]+)?)
    (?P<heading>(?:\#{1,6}[ \t]*)?)
    (?P<latex>(?:\\(?:sub)*section\*?\{|\\paragraph\*?\{|\\textbf\{|\\item[ \t]*)?)
    (?P<bold_open>(?:\*\*|__|\*|_)?)
    (?:
        (?P<word>(?i:question|problem|exercise|answer|ans\.?|ques\.?|qn\.?|q\.?))
        [ \t]*(?:\#|(?i:no)\.?)?[ \t]*(?P<word_number>[0-9]{1,2})
      | \((?P<paren_number>[0-9]{1,2})\)
      | (?P<number>[0-9]{1,2})
    )
    (?![0-9])
    (?P<punct>[ \t]*(?:\.(?![0-9])|\)|:(?![0-9])|,(?![0-9])|[-–—](?=[ \t])))?
    (?P<bold_close>(?:\*\*|__|\*|_|\})?)
    (?P<punct_after>[ \t]*[.:)](?![0-9]))?
    """,
    re.VERBOSE | re.MULTILINE,
)
# The rest of a marker line that reads like a row of a grid ("1. 2 3", "9, 18, 18"), not like an
# answer: a shape "126 × 126 × 16" or a formula does not count.
_GRID_ROW_REST = re.compile(
    r"[ \t,;|\[\]]*-?[0-9]+(?:\.[0-9]+)?(?:[ \t,;|\[\]+\-]+-?[0-9]+(?:\.[0-9]+)?)*[ \t,;|\[\]]*"
)

# Marker weights: how sure a marker form is to be a question marker rather than a stray number.
STRONG = 3.0  # Q7, Question 7, ## 7, \section{7}
PARENTHESISED = 2.5  # (7), **7.**
NUMBERED = 2.0  # 7. or 7)
COLON = 1.5  # 7: or 7 -
COMMA = 1.0  # 7,
NUMBERS_FOLLOW = 0.5  # "1. 2 3" is more likely a grid row than question 1
INDENTED = 0.7
CONSECUTIVE_BONUS = 1.0
GAP_PENALTY = 0.3  # per skipped question,
MAX_GAP_PENALTY = 0.9  # capped: students do skip questions
STYLE_CHANGE_PENALTY = 0.5  # a student mostly keeps one marker style ("Q7" or "7.")


@dataclass(frozen=True)
class _Marker:
    number: int
    weight: float
    style: str  # the marker's form, e.g. "word", "heading", "(n)", "n."
    line_start: int
    end: int  # where the answer text begins


def split_into_questions(text: str, question_numbers: Sequence[int]) -> dict[int, str]:
    """The answer text (marker excluded) for each question number found, in question order."""
    ordered = sorted(set(question_numbers))
    if not ordered:
        return {}
    cleaned = remove_struck_out(text)
    markers = _find_markers(cleaned, set(ordered))
    chain = _best_chain(markers, ordered)
    answers: dict[int, str] = {}
    for position, marker in enumerate(chain):
        end = chain[position + 1].line_start if position + 1 < len(chain) else len(cleaned)
        answers[marker.number] = cleaned[marker.end : end].strip()
    return answers


def _find_markers(text: str, wanted: set[int]) -> list[_Marker]:
    markers = []
    for match in _MARKER.finditer(text):
        number_text = (
            match.group("word_number") or match.group("paren_number") or match.group("number")
        )
        number = int(number_text)
        if number not in wanted:
            continue
        weight = _weight(match)
        if weight <= 0:
            continue
        line_end = text.find("\n", match.end())
        rest = text[match.end() : line_end if line_end >= 0 else len(text)]
        strong = _is_strong(match)
        if not strong and _GRID_ROW_REST.fullmatch(rest):
            weight *= NUMBERS_FOLLOW
        if not strong and len(match.group("indent").expandtabs(4)) >= 2:
            weight *= INDENTED
        markers.append(_Marker(number, weight, _style(match), match.start(), match.end()))
    return markers


def _weight(match: re.Match[str]) -> float:
    if _is_strong(match):
        return STRONG
    if match.group("paren_number"):
        return PARENTHESISED
    if match.group("bold_open") and match.group("bold_close"):
        return PARENTHESISED
    return _punctuation_weight(match)


def _is_strong(match: re.Match[str]) -> bool:
    latex = match.group("latex")
    is_section = bool(latex) and not latex.startswith("\\item")
    return bool(match.group("word") or match.group("heading") or is_section)


def _style(match: re.Match[str]) -> str:
    if match.group("heading"):
        return "heading"
    if match.group("word"):
        return "word " + match.group("word").lower().rstrip(".")
    if _is_strong(match):
        return "latex"
    if match.group("paren_number"):
        return "(n)"
    punct = (match.group("punct") or match.group("punct_after") or "").strip()
    bold = "bold " if match.group("bold_open") and match.group("bold_close") else ""
    return f"{bold}n{punct}"


def _punctuation_weight(match: re.Match[str]) -> float:
    punct = (match.group("punct") or match.group("punct_after") or "").strip()
    if punct in (".", ")"):
        return NUMBERED
    if punct in (":", "-", "–", "—"):
        return COLON
    if punct == ",":
        return COMMA
    return 0.0  # a bare number at the start of a line is not a marker


def _best_chain(markers: list[_Marker], ordered: list[int]) -> list[_Marker]:
    """The strictly increasing run of markers with the highest total score (later wins ties)."""
    rank = {number: index for index, number in enumerate(ordered)}
    # (question number, marker style) -> (score of the best chain ending there, its last marker)
    best_ending: dict[tuple[int, str], tuple[float, int]] = {}
    parents: list[int] = []
    for index, marker in enumerate(markers):
        marker_rank = rank[marker.number]
        best = (marker.weight - _gap_penalty(marker_rank), -1)
        for (number, style), (score, previous) in best_ending.items():
            if number >= marker.number:
                continue
            skipped = marker_rank - rank[number] - 1
            step = CONSECUTIVE_BONUS if skipped == 0 else -_gap_penalty(skipped)
            if style != marker.style:
                step -= STYLE_CHANGE_PENALTY
            best = max(best, (score + marker.weight + step, previous))
        parents.append(best[1])
        key = (marker.number, marker.style)
        held = best_ending.get(key)
        if held is None or best[0] >= held[0]:
            best_ending[key] = (best[0], index)
    if not best_ending:
        return []
    top_score, last = max(best_ending.values())
    if top_score <= 0:
        return []
    chain = []
    while last >= 0:
        chain.append(markers[last])
        last = parents[last]
    return chain[::-1]


def _gap_penalty(skipped: int) -> float:
    return min(GAP_PENALTY * skipped, MAX_GAP_PENALTY)
