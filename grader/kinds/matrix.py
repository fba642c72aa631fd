"""The `matrix` kind: a vector or matrix of numbers computed from the parameters (a convolution
output, a pooled matrix, a matrix product, an activation, attention, an RNN state).

Reads the arrays in the answer (LaTeX, grids, side-by-side grids, nested lists, tables;
for a vector also `(0.76, -0.46)` or a row of numbers), picks the one that is the
student's answer, and awards full credit for any accepted convention (exactly, or within
the rubric's `tolerance` when the key is not rational), partial credit per the rubric,
and names a computed mistake when one matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from grader.kinds.base import (
    AnswerLayout,
    ExactKind,
    ExactQuestion,
    answer_decimals,
    shown_decimals,
)
from grader.reading import FoundArray, extract_arrays
from grader.reference.answer_key import QuestionKey
from grader.reference.values import Value, to_jsonable, values_equal
from grader.results import QuestionResult, ReviewReason
from grader.scoring.compare import differing_entries, matching_mistake, shape_of, share_right
from grader.scoring.outcome import exact_result, unreadable_result

if TYPE_CHECKING:
    from grader.scoring.answer_grader import AnswerGrader


class MatrixQuestion(ExactQuestion):
    kind: Literal["matrix"]


def partial_share(got: Value, expected: Value, question: ExactQuestion) -> float:
    if shape_of(got) != shape_of(expected):
        return 0.0
    return question.partial.shape + question.partial.entries * share_right(
        got, expected, question.tolerance
    )


def mistake_share(name: str, question: ExactQuestion) -> float:
    return question.partial.mistakes.get(name, 0.0)


# Words that name the matrix after them as the answer ("the result is", "final:", "= ").
_RESULT_CUE = re.compile(
    r"(?i:\b(?:result|answer|output|final|corrected|correct one|so we get|gives?)\b[^\n]{0,20}|=)\s*[:$]*\s*$"
)
CUE_WINDOW = 60  # characters before a matrix searched for a result cue


def final_result(
    answer_text: str, matrices: Sequence[FoundArray], accepted_shapes: set[tuple[int, ...]]
) -> tuple[FoundArray | None, bool]:
    """(the matrix that is the answer when several of the answer's size are shown, whether the
    text calls it the result); (None, False) when there is only one.

    The last one the text introduces as the result wins; without such a cue, the last
    unlabelled one (channel-labelled matrices are steps).
    """
    sized = [m for m in matrices if m.shape in accepted_shapes]
    unlabelled = [m for m in sized if m.label is None] or sized
    if len(sized) < 2:
        return None, False
    called: FoundArray | None = None
    search_from = 0
    for found in sized:
        position = answer_text.find(found.source, search_from)
        if position < 0:
            continue
        search_from = position + len(found.source)
        cue = _RESULT_CUE.search(answer_text[max(0, position - CUE_WINDOW) : position])
        if cue and found in unlabelled:
            called = found
    return (called, True) if called is not None else (unlabelled[-1], False)


_NUMBER = r"[-−–]?\s?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?"
_TUPLE = re.compile(rf"[(\[]\s*({_NUMBER}(?:\s*[,;]\s*{_NUMBER})+)\s*[)\]]")
_ROW = re.compile(rf"(?m)(?:=|:|^)\s*({_NUMBER}(?:[ \t,]+{_NUMBER})+)\s*$")


def _number(text: str) -> Fraction:
    return Fraction(text.replace("−", "-").replace("–", "-").replace(" ", ""))


def _vector_candidates(text: str, length: int) -> list[FoundArray]:
    """Vectors written as `(0.76, -0.46)` or a row of numbers after `=`, of the key's length."""
    found: list[FoundArray] = []
    for pattern, style, confidence in ((_TUPLE, "tuple", 1.0), (_ROW, "row", 0.9)):
        for match in pattern.finditer(text):
            numbers = [_number(n) for n in re.findall(_NUMBER, match.group(1))]
            if len(numbers) == length:
                found.append(
                    FoundArray(
                        values=((*numbers,),),
                        shape=(1, length),
                        label=None,
                        style=style,
                        confidence=confidence,
                        source=match.group(0),
                    )
                )
    return found


def _as_vector(found: FoundArray, length: int) -> FoundArray | None:
    """A 1×n or n×1 array as the vector of n entries a 1-D key expects."""
    if found.shape not in ((1, length), (length, 1)):
        return None
    flat: tuple[Any, ...] = tuple(v for row in found.values for v in row)
    return replace(found, values=flat, shape=(length,))


def read_json(values: Value, question: ExactQuestion, key: QuestionKey) -> Any:
    """What was read, for storage and display: decimals as decimals when the key is approximate."""
    if question.tolerance is not None or not key.exact:
        return to_jsonable(_floats(values))
    return to_jsonable(values)


def _floats(value: Value) -> Value:
    return tuple(_floats(v) for v in value) if isinstance(value, tuple) else float(value)


def score_matrix(
    grader: AnswerGrader,
    question_id: str,
    question: ExactQuestion,
    key: QuestionKey,
    answer_text: str,
) -> QuestionResult:
    """One output matrix or vector: any accepted convention is full credit; else partial, diagnosed."""
    review_below = grader.review_below
    tolerance = question.tolerance
    decimals = shown_decimals(key, question)
    first_expected = to_jsonable(key.accepted[0].value, decimals)
    key_shape = shape_of(key.accepted[0].value)
    arrays = extract_arrays(answer_text)
    if len(key_shape) == 1:
        vectors = [_as_vector(a, key_shape[0]) for a in arrays]
        vectors += [
            _as_vector(a, key_shape[0]) for a in _vector_candidates(answer_text, key_shape[0])
        ]
        matrices = [v for v in vectors if v is not None]
        matrices += [a for a in arrays if len(a.shape) == 2 and _as_vector(a, key_shape[0]) is None]
    else:
        matrices = [a for a in arrays if len(a.shape) == 2]
    if not matrices:
        what = "a vector" if len(key_shape) == 1 else "a matrix"
        return unreadable_result(question_id, question, answer_text, first_expected, what)

    def shown(value: Value) -> Any:
        return read_json(value, question, key)

    accepted_shapes = {shape_of(a.value) for a in key.accepted}
    final, called = final_result(answer_text, matrices, accepted_shapes)
    # Students often show the padded input or per-channel steps first: the result is the
    # matrix the text calls the result, else the last one of the right size (and when an
    # earlier one is right but the last is not, a person decides).
    if called:
        looked_at: list[FoundArray] = [final] if final is not None else []
    else:
        looked_at = [final, *reversed(matrices)] if final is not None else list(reversed(matrices))
    for found in looked_at:
        for accepted in key.accepted:
            if not values_equal(found.values, accepted.value, tolerance):
                continue
            contradicted = final is not None and final is not found
            return exact_result(
                question_id, question, answer_text=answer_text, share=1.0,
                answer_read=shown(found.values), expected=to_jsonable(accepted.value, decimals),
                convention=accepted.convention, confidence=found.confidence, review_below=review_below,
                review_reason=ReviewReason.AMBIGUOUS if contradicted else None,
                review_note="the answer shows several results of this size and the last (or the "
                "one called the result) is not the accepted one",
            )  # fmt: skip

    # Several per-channel matrices instead of one sum.
    if len(matrices) >= 2 and key.channel_names:
        stacked = tuple(m.values for m in matrices[-len(key.channel_names) :])
        mistake = matching_mistake(stacked, key.mistakes, tolerance)
        if mistake is not None:
            return exact_result(
                question_id, question, answer_text=answer_text, share=mistake_share(mistake.name, question),
                answer_read=shown(stacked), expected=first_expected, diagnosis=mistake.name,
                confidence=min(m.confidence for m in matrices), review_below=review_below,
            )  # fmt: skip

    chosen = final or next(
        (m for m in reversed(matrices) if m.shape in accepted_shapes), matrices[-1]
    )
    mistake = matching_mistake(chosen.values, key.mistakes, tolerance)
    best = max(key.accepted, key=lambda a: partial_share(chosen.values, a.value, question))
    share = partial_share(chosen.values, best.value, question)
    if mistake is not None:
        share = max(share, mistake_share(mistake.name, question))
    details: dict[str, Any] = {"style": chosen.style}
    differences = differing_entries(chosen.values, best.value, tolerance, decimals)
    if differences:
        details["differing_entries"] = differences
    elif chosen.shape != shape_of(best.value):
        details["shape"] = {"got": list(chosen.shape), "expected": list(shape_of(best.value))}
    # A wrong-sized matrix that no computed mistake explains is more often a misreading
    # (a fragment, a damaged grid) than an answer: a person looks before it costs marks.
    unexplained = mistake is None and chosen.shape not in accepted_shapes
    what = "vector" if len(chosen.shape) == 1 else "matrix"
    size = "×".join(str(n) for n in chosen.shape)
    return exact_result(
        question_id, question, answer_text=answer_text, share=share,
        answer_read=shown(chosen.values), expected=to_jsonable(best.value, decimals),
        diagnosis=mistake.name if mistake else None, details=details,
        confidence=chosen.confidence, review_below=review_below,
        review_reason=ReviewReason.AMBIGUOUS if unexplained else None,
        review_note=f"the answer was read as a {size} {what}, which no usual mistake explains",
    )  # fmt: skip


def format_value(value: Any, decimals: int | None = None) -> str:
    """A JSON value as text: numbers (floats to `decimals` places), rows separated by ' / '."""
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return " / ".join(format_value(row, decimals) for row in value)
        return " ".join(format_value(v, decimals) for v in value)
    if isinstance(value, float) and decimals is not None:
        return f"{value:.{decimals}f}".replace("-0.000", "0.000") if value else f"{0:.{decimals}f}"
    return str(value)


class MatrixKind(ExactKind):
    name = "matrix"
    layout = AnswerLayout.GRIDS
    model = MatrixQuestion

    score_answer = staticmethod(score_matrix)

    def describe_key(self, key: QuestionKey, question: Any) -> list[tuple[str, str]]:
        decimals = shown_decimals(key, question)
        suffix = f" (± {question.tolerance:g})" if question.tolerance is not None else ""
        return [
            (a.convention, format_value(to_jsonable(a.value, decimals), decimals) + suffix)
            for a in key.accepted
        ]

    def answer_text(self, key: QuestionKey, question: Any) -> str:
        value = to_jsonable(key.accepted[0].value, answer_decimals(question))
        if value and not isinstance(value[0], list):
            return "(" + ", ".join(str(v) for v in value) + ")"
        return "\n".join(" ".join(str(v) for v in row) for row in value)

    def degenerate_reason(self, key: QuestionKey) -> str | None:
        for accepted in key.accepted:
            entries = {
                v for row in accepted.value for v in (row if isinstance(row, tuple) else (row,))
            }
            if len(entries) <= 1:
                return f"the answer ({accepted.convention}) is a constant matrix"
        return None


KIND = MatrixKind()
