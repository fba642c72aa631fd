"""Split a written submission into one answer per question, from markers like `1.`, `Q7`, `(3)`, `## 7.`.

Stray numbers (a figure's "3", a grid row "9, 18, 18", a numbered list in
an answer) also look like markers, so the markers are chosen as the best
strictly increasing chain in document order: strong markers outweigh weak
ones and consecutive numbers are preferred. Markers that break the chain
but look like the student's other markers (an answer to q11 written before
q7) are then taken too, so an answer out of order is not swallowed by its
neighbour. Markers may follow LaTeX or Markdown decoration (`\\noindent\\textbf{Q1.}`,
`\\item[1.]`, `**Q1.**`) and may carry OCR letters for digits (`l)`, `ll)`, `2O.`),
which count only where a neighbouring question confirms the number.
Struck-out text is removed first; text before the first marker is kept as
unassigned. `answer_blocks` cuts an answer where another answer could start
without a marker (a blank line, a bullet, an OCR-damaged marker such as `ao)`),
so the scorer can place such a block by its content. This module must not
interpret the answers themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.reading.strikeout import remove_struck_out

# OCR reads these letters for digits in a marker ("ll)" is 11, "2O." is 20).
_OCR_DIGITS = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5", "Z": "2"})
_DIGIT_LIKE = "0-9lI|OoSZ"

_MARKER = re.compile(
    rf"""
    ^(?P<indent>[ \t]*)
    (?P<bullet>(?:[-*+•][ \t]+)?)
    (?P<heading>(?:\#{{1,6}}[ \t]*)?)
    (?P<latex>(?:\\[A-Za-z]+\*?[ \t]*(?:[{{\[][ \t]*)?)*)
    (?P<bold_open>(?:\*\*|__|\*|_)?)
    (?:
        (?P<word>(?i:question|problem|exercise|answer|ans\.?|ques\.?|qn\.?|q\.?))
        [ \t]*(?:\#|(?i:no)\.?)?[ \t]*(?P<word_number>[0-9]{{1,2}})(?![0-9])
      | \((?P<paren_number>[0-9]{{1,2}})\)
      | (?P<number>[0-9]{{1,2}})(?![0-9A-Za-z|])
      | (?P<ocr_number>[{_DIGIT_LIKE}]{{1,2}})(?![0-9A-Za-z])(?=[ \t]*[.)])
    )
    (?P<together>(?:[ \t]*(?:and|&)[ \t]*(?:[qQ](?:uestion)?\.?[ \t]*)?[0-9]{{1,2}}(?![0-9]))*)
    (?P<punct>[ \t]*(?:\.(?![0-9])|\)|:(?![0-9])|,(?![0-9])|[-–—](?=[ \t]|$)))?
    (?P<bold_close>(?:\*\*|__|\*|_|\}}|\])?)
    (?P<punct_after>[ \t]*[.:)](?![0-9]))?
    (?P<latex_close>\}}?)
    """,
    re.VERBOSE | re.MULTILINE,
)
# The rest of a marker line that reads like a row of a grid ("1. 2 3", "9, 18, 18"), not like an
# answer: a shape "126 × 126 × 16" or a formula does not count.
_GRID_ROW_REST = re.compile(
    r"[ \t,;|\[\]&]*-?[0-9]+(?:\.[0-9]+)?(?:[ \t,;|\[\]&+\-]+-?[0-9]+(?:\.[0-9]+)?)*[ \t,;|\[\]&\\]*"
)
# LaTeX commands that make a marker a heading; others (\noindent, \large) are only decoration.
_HEADING_COMMANDS = frozenset({"section", "subsection", "subsubsection", "paragraph", "textbf"})

# Marker weights: how sure a marker form is to be a question marker rather than a stray number.
STRONG = 3.0  # Q7, Question 7, ## 7, \section{7}
PARENTHESISED = 2.5  # (7), **7.**, \item[7.]
NUMBERED = 2.0  # 7. or 7)
COLON = 1.5  # 7: or 7 -
COMMA = 1.0  # 7,
NUMBERS_FOLLOW = 0.5  # "1. 2 3" is more likely a grid row than question 1
INDENTED = 0.7
OCR_LETTERS = 0.6  # "ll)" may be 11, or a roman numeral, or a word
CONSECUTIVE_BONUS = 1.0
GAP_PENALTY = 0.3  # per skipped question,
MAX_GAP_PENALTY = 0.9  # capped: students do skip questions
STYLE_CHANGE_PENALTY = 0.5  # a student mostly keeps one marker style ("Q7" or "7.")


@dataclass(frozen=True)
class _Marker:
    number: int
    weight: float
    style: str  # the marker's form, e.g. "word q", "heading", "(n)", "n."
    line_start: int
    end: int  # where the answer text begins
    ocr: bool = False  # the number was read from OCR letters
    together: tuple[int, ...] = ()  # "7 & 8:": other questions named in the same marker


@dataclass(frozen=True)
class QuestionSplit:
    """Where each question's answer is in a document, and what belongs to no question."""

    answers: dict[int, str]  # question number -> answer text (marker excluded), in number order
    unassigned: tuple[str, ...]  # text outside every answer (before the first marker)
    out_of_order: frozenset[int]  # answers found outside the rising order of the others
    ocr_markers: frozenset[int]  # markers read from OCR letters, confirmed by a neighbour
    markers_found: int  # how many question markers were used
    # Questions answered under another's heading ("Question 7 and 8") without one sub-part
    # each: question number -> the number whose text holds its answer.
    shared: dict[int, int] = field(default_factory=dict)


def split_document(text: str, question_numbers: Sequence[int]) -> QuestionSplit:
    """Every question's answer found in `text`, plus the text no question took."""
    ordered = sorted(set(question_numbers))
    cleaned = remove_struck_out(text)
    if not ordered:
        return QuestionSplit({}, _nonblank(cleaned), frozenset(), frozenset(), 0)
    markers = _find_markers(cleaned, set(ordered))
    chain = _confirmed_ocr(_best_chain(markers, ordered), ordered)
    late = _out_of_order_markers(markers, chain, cleaned)
    chosen = sorted([*chain, *late], key=lambda m: m.line_start)
    answers: dict[int, str] = {}
    shared: dict[int, int] = {}
    for position, marker in enumerate(chosen):
        end = chosen[position + 1].line_start if position + 1 < len(chosen) else len(cleaned)
        text_after = cleaned[marker.end : end]
        named = [
            *marker.together,
            *_numbers_named_together(text_after, marker.number, set(ordered)),
        ]
        together = [
            n
            for n in dict.fromkeys(named)
            if n in set(ordered) and n > marker.number and n not in {m.number for m in chosen}
        ]
        if not together:
            answers[marker.number] = text_after.strip()
            continue
        heading = _TOGETHER.match(text_after)
        body = text_after[heading.end() if heading else 0 :]
        numbers = [marker.number, *together]
        parts = _sub_parts(body, len(numbers))
        if parts is None:  # one answer for several questions: a person splits it
            for number in numbers:
                answers[number] = body.strip()
            shared.update({number: marker.number for number in together})
        else:
            answers.update(zip(numbers, parts, strict=True))
    preamble = cleaned[: chosen[0].line_start] if chosen else cleaned
    return QuestionSplit(
        answers=dict(sorted(answers.items())),
        unassigned=_nonblank(preamble),
        out_of_order=frozenset(m.number for m in late),
        ocr_markers=frozenset(m.number for m in chosen if m.ocr),
        markers_found=len(chosen),
        shared=shared,
    )


# "Question 7 and 8", "Q7 & Q8", "7/8", "Q7-8": one heading for several questions.
_TOGETHER = re.compile(
    r"[ \t]*(?:(?:and|&|/|,|-|–|to)[ \t]*(?:q(?:uestion)?\.?[ \t]*)?[0-9]{1,2}(?![0-9])[ \t]*)+[.:)]?",
    re.IGNORECASE,
)
_TOGETHER_NUMBER = re.compile(r"[0-9]{1,2}")
# Sub-part markers at the start of a line: "(a)", "a)", "a." , "(b):".
_SUB_PART = re.compile(r"(?m)^[ \t]*(?:\((?P<paren>[a-h])\)|(?P<bare>[a-h])[).:])[ \t]*")


def _numbers_named_together(text_after: str, number: int, wanted: set[int]) -> list[int]:
    """The other questions a marker's heading names with it ("Question 7 and 8" → [8])."""
    heading = _TOGETHER.match(text_after)
    if heading is None:
        return []
    named = [int(n) for n in _TOGETHER_NUMBER.findall(heading.group())]
    is_range = any(word in heading.group().lower() for word in ("-", "–", "to"))
    if is_range and len(named) == 1 and named[0] > number:  # "7-9" is 7, 8 and 9
        named = list(range(number + 1, named[0] + 1))
    return [n for n in named if n in wanted and n > number]


def _sub_parts(body: str, count: int) -> list[str] | None:
    """The texts of sub-parts (a), (b), … when there is exactly one per question, in order."""
    found = list(_SUB_PART.finditer(body))
    letters = [m.group("paren") or m.group("bare") for m in found]
    if letters != [chr(ord("a") + i) for i in range(count)]:
        return None
    if body[: found[0].start()].strip():
        return None  # text before (a) belongs to no sub-part: a person decides
    ends = [m.start() for m in found[1:]] + [len(body)]
    return [body[m.end() : end].strip() for m, end in zip(found, ends, strict=True)]


def split_into_questions(text: str, question_numbers: Sequence[int]) -> dict[int, str]:
    """The answer text (marker excluded) for each question number found, in question order."""
    return split_document(text, question_numbers).answers


def _nonblank(text: str) -> tuple[str, ...]:
    stripped = text.strip()
    return (stripped,) if stripped else ()


def _find_markers(text: str, wanted: set[int]) -> list[_Marker]:
    markers = []
    for match in _MARKER.finditer(text):
        number_text = (
            match.group("word_number") or match.group("paren_number") or match.group("number")
        )
        ocr = number_text is None
        if ocr:
            number_text = match.group("ocr_number").translate(_OCR_DIGITS)
            if not number_text.isdigit():
                continue
        number = int(number_text)
        if number not in wanted or not _closes_what_it_opens(match):
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
        if ocr:
            weight *= OCR_LETTERS
        together = tuple(int(n) for n in _TOGETHER_NUMBER.findall(match.group("together")))
        markers.append(
            _Marker(number, weight, _style(match), match.start(), match.end(), ocr, together)
        )
    return markers


def _latex_commands(match: re.Match[str]) -> list[str]:
    return re.findall(r"\\([A-Za-z]+)", match.group("latex"))


def _closes_what_it_opens(match: re.Match[str]) -> bool:
    """`\\item[1.]` needs its `]`: an `\\item[` that is not closed right after the number is prose."""
    latex = match.group("latex").rstrip()
    if latex.endswith("["):
        return (match.group("bold_close") or "") == "]"
    return True


def _weight(match: re.Match[str]) -> float:
    if _is_strong(match):
        return STRONG
    if match.group("paren_number") or match.group("latex").rstrip().endswith("["):
        return PARENTHESISED
    if match.group("bold_open") and match.group("bold_close"):
        return PARENTHESISED
    return _punctuation_weight(match)


def _is_strong(match: re.Match[str]) -> bool:
    if match.group("word") or match.group("heading"):
        return True
    if not match.group("latex"):  # the usual case: no LaTeX before the number
        return False
    return any(command in _HEADING_COMMANDS for command in _latex_commands(match))


def _style(match: re.Match[str]) -> str:
    if match.group("heading"):
        return "heading"
    if match.group("word"):
        return "word " + match.group("word").lower().rstrip(".")
    if _is_strong(match):
        return "latex"
    if match.group("paren_number"):
        return "(n)"
    if match.group("latex").rstrip().endswith("["):
        return "item"
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


def _confirmed_ocr(chain: list[_Marker], ordered: list[int]) -> list[_Marker]:
    """Keep an OCR-letter marker only when a neighbour in the chain is the question next to it."""
    rank = {number: index for index, number in enumerate(ordered)}
    kept = []
    for position, marker in enumerate(chain):
        if marker.ocr:
            before = chain[position - 1] if position > 0 else None
            after = chain[position + 1] if position + 1 < len(chain) else None
            confirmed = (before is not None and rank[before.number] == rank[marker.number] - 1) or (
                after is not None and rank[after.number] == rank[marker.number] + 1
            )
            if not confirmed:
                continue
        kept.append(marker)
    return kept


def _out_of_order_markers(markers: list[_Marker], chain: list[_Marker], text: str) -> list[_Marker]:
    """Markers of questions the chain lacks that look like the student's own question markers.

    Taken: a strong marker (Q11, ## 11) or one in the chain's most common style, not indented,
    not read from OCR letters, not a grid row. Left out: a run of short items numbered from 1
    inside one answer (a numbered list such as "1. rotate 2. flip").
    """
    if not chain:
        return []
    used = {m.number for m in chain}
    dominant_style, _count = Counter(m.style for m in chain).most_common(1)[0]
    candidates = [
        m
        for m in markers
        if m.number not in used
        and not m.ocr
        and m.weight >= NUMBERED
        and (m.style == dominant_style or m.weight >= STRONG)
        and text[m.line_start : m.end] == text[m.line_start : m.end].lstrip()
    ]
    # The best candidate per number (the first on ties): a question is answered once.
    best: dict[int, _Marker] = {}
    for marker in candidates:
        held = best.get(marker.number)
        if held is None or marker.weight > held.weight:
            best[marker.number] = marker
    picked = sorted(best.values(), key=lambda m: m.line_start)
    chain_starts = [m.line_start for m in chain]

    def host(marker: _Marker) -> int:
        return sum(1 for start in chain_starts if start < marker.line_start)

    # A run of consecutive numbers inside one answer that starts at 1 is a numbered list;
    # a run that starts later ("9. … 10. …" written before 7) is answers out of order.
    in_lists: set[int] = set()
    run: list[_Marker] = []
    following: list[_Marker | None] = [*picked, None]
    for item in following:
        continues = (
            item is not None
            and bool(run)
            and host(item) == host(run[-1])
            and item.number == run[-1].number + 1
        )
        if continues and item is not None:
            run.append(item)
            continue
        if len(run) >= 2 and run[0].number == 1 and _short_items(run, chain_starts, len(text)):
            in_lists.update(m.number for m in run)
        run = [item] if item is not None else []
    return [m for m in picked if m.number not in in_lists]


LIST_ITEM_CHARS = 80  # list items are short; answers written out of order are not


def _short_items(run: list[_Marker], chain_starts: list[int], text_end: int) -> bool:
    """The run's items are list-item short: from each marker to the next marker or answer."""
    ends = [m.line_start for m in run[1:]]
    ends.append(min([start for start in chain_starts if start > run[-1].line_start] or [text_end]))
    lengths = [end - marker.end for marker, end in zip(run, ends, strict=True)]
    return sum(lengths) / len(lengths) < LIST_ITEM_CHARS


def _gap_penalty(skipped: int) -> float:
    return min(GAP_PENALTY * skipped, MAX_GAP_PENALTY)


# Where an answer without a (readable) marker could begin inside another answer's text:
# after a blank line, at a bullet, or at a marker OCR damaged beyond reading ("ao)", "l8.").
_BLOCK_START = re.compile(r"\n[ \t]*\n+|\n(?=[ \t]*(?:[-*+•][ \t]|[A-Za-z0-9|]{1,3}[.)][ \t]))")
_DAMAGED_MARKER = re.compile(r"^[ \t]*(?:[-*+•][ \t]+)?[A-Za-z0-9|]{1,3}[.)][ \t]+")


@dataclass(frozen=True)
class AnswerBlock:
    """A stretch of an answer's text that could be another answer written without a marker."""

    text: str  # the block, without a leading damaged marker
    damaged_marker: str | None  # e.g. "ao)": a marker-like start that names no question


def answer_blocks(text: str) -> list[AnswerBlock]:
    """`text` cut at blank lines, bullets and unreadable markers, in order (blank blocks dropped)."""
    blocks: list[AnswerBlock] = []
    start = 0
    for match in [*_BLOCK_START.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        piece = text[start:end].strip("\n")
        if piece.strip():
            marker = _DAMAGED_MARKER.match(piece)
            if marker is not None and not _is_list_word(marker.group()):
                blocks.append(AnswerBlock(piece[marker.end() :].strip(), marker.group().strip()))
            else:
                blocks.append(AnswerBlock(piece.strip(), None))
        if match is not None:
            start = match.end()
    return blocks


def _is_list_word(marker: str) -> bool:
    """A bullet or a plain word ("e.g.", "i.e.") is no damaged marker; "ao)" or "l8." is."""
    core = marker.strip().lstrip("-*+• \t").rstrip(".) \t")
    return core.lower() in {"eg", "ie", "e", "g", "i", "vs", "etc"} or not core
