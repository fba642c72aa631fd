"""Find every matrix or tensor a student wrote in an answer, whatever the notation, in document order.

Runs the readers from the most to the least explicit notation (LaTeX, pixel
tuples, nested lists, Markdown tables, plain grids, lone bracketed rows), blanking out what
each one read so nothing is read twice, then settles channel labels for
the whole text. It must not score or compare anything.
"""

from __future__ import annotations

from grader.reading.found import ArrayCandidate, FoundArray
from grader.reading.grids import find_grids
from grader.reading.labels import label_before, resolve_label
from grader.reading.latex_arrays import find_latex_arrays
from grader.reading.list_arrays import find_nested_lists
from grader.reading.markdown_tables import find_markdown_tables
from grader.reading.pixel_tuples import find_pixel_tuple_grids


def extract_arrays(text: str) -> list[FoundArray]:
    """Every array written in `text` (2-D or 3-D, exact Fraction values), in document order."""
    candidates: list[ArrayCandidate] = []
    working = text
    readers = (
        find_latex_arrays,
        find_pixel_tuple_grids,
        lambda part: find_nested_lists(part, min_depth=2),
        find_markdown_tables,
        find_grids,
        lambda part: find_nested_lists(part, min_depth=1),
    )
    for reader in readers:
        found = reader(working)
        if found:
            candidates.extend(found)
            working = _blank_out(working, found)
    candidates.sort(key=lambda candidate: candidate.start)  # stable: side-by-side keeps its order
    return _settle_labels(text, candidates)


def _settle_labels(text: str, candidates: list[ArrayCandidate]) -> list[FoundArray]:
    labels = []
    previous_end = 0
    for candidate in candidates:
        label = candidate.label
        if label is None and candidate.style != "side_by_side":
            line_start = text.rfind("\n", 0, candidate.start) + 1
            shares_line = previous_end > line_start
            label = label_before(
                text,
                candidate.start,
                not_before=max(line_start, previous_end),
                look_at_previous_line=not shares_line,
            )
        labels.append(label)
        previous_end = max(previous_end, candidate.end)
    # "channel 0/1/2" or "c=0" means counting from 0; otherwise channel 1 is R.
    zero_based = any(label == 0 for label in labels)
    return [
        FoundArray(
            values=candidate.values,
            shape=candidate.shape,
            label=resolve_label(label, zero_based=zero_based),
            style=candidate.style,
            confidence=candidate.confidence,
            source=text[candidate.start : candidate.end],
        )
        for candidate, label in zip(candidates, labels, strict=True)
    ]


def _blank_out(text: str, found: list[ArrayCandidate]) -> str:
    """The text with what was read replaced by spaces (newlines kept, so offsets stay valid)."""
    pieces = []
    position = 0
    for start, end in sorted((candidate.start, candidate.end) for candidate in found):
        if end <= position:
            continue
        start = max(start, position)
        pieces.append(text[position:start])
        pieces.append("".join("\n" if char == "\n" else " " for char in text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
