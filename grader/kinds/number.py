"""The `number` kind: one number computed from the parameters, such as the parameter count of a
layer. Read as students write it: `5920`, `5,920`, `= 5920 parameters`, or arithmetic
left unevaluated (`4 × (10·20 + 20·20 + 20 + 20)`).

The answer is the number after the last `=` (or after "answer"/"total"), else the last
number in the text. When the accepted value appears in the working but the final number
differs, a person decides. Exact unless the rubric states a tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from grader.kinds.base import (
    AnswerLayout,
    ExactKind,
    ExactQuestion,
    answer_decimals,
    shown_decimals,
)
from grader.reading.arithmetic import evaluate_arithmetic
from grader.reference.answer_key import QuestionKey
from grader.reference.values import numbers_equal, to_jsonable
from grader.results import QuestionResult, ReviewReason
from grader.scoring.compare import matching_mistake
from grader.scoring.outcome import exact_result, unreadable_result

if TYPE_CHECKING:
    from grader.scoring.answer_grader import AnswerGrader


class NumberQuestion(ExactQuestion):
    kind: Literal["number"]


_NUMBER = re.compile(
    r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d{1,2})?(?![\w])"
)
_CUE = re.compile(r"(?i)(?:=|≈|\banswer\b|\btotal\b|\bresult\b)\s*[:=]?\s*")
# An expression of numbers and operators only, e.g. "4 × (10·20 + 20·20 + 20 + 20)".
_EXPRESSION = re.compile(r"[\d\s.,+\-−*×·/()^]+")


@dataclass(frozen=True)
class FoundNumber:
    value: Fraction
    start: int
    cued: bool  # after "=", "answer", "total"


def _parse(text: str) -> Fraction:
    return Fraction(text.replace("−", "-").replace(",", ""))


def read_numbers(text: str) -> list[FoundNumber]:
    """Every number in the text, in order, marking those right after a cue."""
    cue_ends = {match.end() for match in _CUE.finditer(text)}
    found = []
    for match in _NUMBER.finditer(text):
        try:
            value = _parse(match.group(0))
        except (ValueError, ZeroDivisionError):
            continue
        found.append(FoundNumber(value, match.start(), match.start() in cue_ends))
    return found


def _final_expression(text: str) -> Fraction | None:
    """The value of a trailing expression with operators and no result written after it."""
    stripped = text.strip().rstrip(".")
    match = _EXPRESSION.search(stripped[-200:]) if stripped else None
    if match is None or match.end() != len(stripped[-200:]):
        return None
    expression = match.group(0).strip()
    if not re.search(r"[+*×·/^]", expression):
        return None
    try:
        return evaluate_arithmetic(expression.replace(",", ""))
    except ValueError:
        return None


def score_number(
    grader: AnswerGrader, question_id: str, question: ExactQuestion, key: QuestionKey, text: str
) -> QuestionResult:
    tolerance = question.tolerance
    decimals = shown_decimals(key, question)
    expected = to_jsonable(key.accepted[0].value, decimals)
    numbers = read_numbers(text)
    computed = _final_expression(text)
    if not numbers and computed is None:
        return unreadable_result(question_id, question, text, expected, "a number")
    cued = [n for n in numbers if n.cued]
    final = computed if computed is not None else (cued[-1] if cued else numbers[-1]).value
    confidence = 1.0 if computed is not None or cued or len(numbers) == 1 else 0.9

    def read_as(value: Fraction) -> Any:
        return (
            to_jsonable(float(value))
            if tolerance is not None or not key.exact
            else to_jsonable(value)
        )

    for accepted in key.accepted:
        if numbers_equal(final, accepted.value, tolerance):
            return exact_result(
                question_id, question, answer_text=text, share=1.0, answer_read=read_as(final),
                expected=to_jsonable(accepted.value, decimals), convention=accepted.convention,
                confidence=confidence, review_below=grader.review_below,
            )  # fmt: skip
    mistake = matching_mistake(final, key.mistakes, tolerance)
    share = question.partial.mistakes.get(mistake.name, 0.0) if mistake else 0.0
    elsewhere = any(
        numbers_equal(n.value, a.value, tolerance) for n in numbers for a in key.accepted
    )
    return exact_result(
        question_id, question, answer_text=text, share=share, answer_read=read_as(final),
        expected=expected, diagnosis=mistake.name if mistake else None, confidence=confidence,
        review_below=grader.review_below,
        review_reason=ReviewReason.AMBIGUOUS if elsewhere else None,
        review_note="the accepted value appears in the working, but the final number differs",
    )  # fmt: skip


class NumberKind(ExactKind):
    name = "number"
    layout = AnswerLayout.NUMBER
    model = NumberQuestion

    score_answer = staticmethod(score_number)

    def describe_key(self, key: QuestionKey, question: Any) -> list[tuple[str, str]]:
        decimals = shown_decimals(key, question)
        suffix = f" (± {question.tolerance:g})" if question.tolerance is not None else ""
        return [(a.convention, f"{to_jsonable(a.value, decimals)}{suffix}") for a in key.accepted]

    def answer_text(self, key: QuestionKey, question: Any) -> str:
        return f"= {to_jsonable(key.accepted[0].value, answer_decimals(question))}"


KIND = NumberKind()
