"""The `shape` kind: a tensor shape computed from the parameters (a convolution's H×W×C, the output
of any torch.nn module), written `126x126x16`, `126 × 126 × 16`, `(4, 7, 20)`, LaTeX or
`torch.Size([4, 7, 20])`, accepting each named convention the key lists.

Shapes quoted from the question itself (the input tensor, the filter) are
ignored when the answer also gives others, since students restate them.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from grader.kinds.base import AnswerLayout, ExactKind, ExactQuestion
from grader.reading import FoundShape, extract_shapes
from grader.reference.answer_key import QuestionKey, to_jsonable
from grader.results import QuestionResult, ReviewReason
from grader.scoring.compare import matching_mistake
from grader.scoring.outcome import exact_result, unreadable_result

if TYPE_CHECKING:
    from grader.scoring.answer_grader import AnswerGrader


class ShapeQuestion(ExactQuestion):
    kind: Literal["shape"]


def _dimension_share(got: tuple[Fraction, ...], expected: tuple[Fraction, ...]) -> float:
    """Share of dimensions right; an H×W answer without depth is compared on H and W."""
    if len(got) == len(expected):
        return sum(1 for g, e in zip(got, expected, strict=True) if g == e) / len(expected)
    if len(got) == len(expected) - 1:
        return sum(1 for g, e in zip(got, expected[:-1], strict=True) if g == e) / len(expected)
    return 0.0


def _without_batch_of_one(shape: FoundShape, rank: int) -> FoundShape:
    """torch.Size([1, 16, 126, 126]) answers a 3-D question: a batch of one is printing."""
    if len(shape.dims) == rank + 1 and shape.dims[0] == 1:
        return replace(shape, dims=shape.dims[1:])
    return shape


def score_shape(
    grader: AnswerGrader,
    question_id: str,
    question: ExactQuestion,
    key: QuestionKey,
    answer_text: str,
) -> QuestionResult:
    """Any accepted convention's shape is full credit; hedged answers go to a person."""
    review_below = grader.review_below
    shapes = extract_shapes(answer_text)
    first_expected = to_jsonable(key.accepted[0].value)
    quoted = {tuple(Fraction(d) for d in s) for s in key.parameter_shapes}
    shapes = [_without_batch_of_one(s, len(first_expected)) for s in shapes]
    given = [s for s in shapes if s.dims not in quoted] or list(shapes)
    if not given:
        return unreadable_result(
            question_id, question, answer_text, first_expected, "a tensor shape"
        )

    matched = [(s, a) for s in given for a in key.accepted if s.dims == a.value]
    if matched:
        conventions = list(dict.fromkeys(a.convention for _, a in matched))
        others = {s.dims for s in given} - {a.value for _, a in matched}
        stray_mistakes = [m for m in key.mistakes if m.value in others]
        confidence = min(s.confidence for s, _ in matched)
        hedged = bool(others) and not all(len(d) < 3 for d in others)
        return exact_result(
            question_id, question, answer_text=answer_text, share=1.0,
            answer_read=[to_jsonable(s.dims) for s in given], expected=to_jsonable(matched[0][1].value),
            convention=" and ".join(conventions), confidence=confidence, review_below=review_below,
            review_reason=ReviewReason.AMBIGUOUS if hedged else None,
            review_note=(
                "the answer also gives another shape"
                + (f" ({stray_mistakes[0].name})" if stray_mistakes else "")
            )
            if hedged
            else "",
        )  # fmt: skip

    chosen = given[-1]
    best = max(key.accepted, key=lambda a: _dimension_share(chosen.dims, a.value))
    share = question.partial.entries * _dimension_share(chosen.dims, best.value)
    mistake = matching_mistake(chosen.dims, key.mistakes)
    if mistake is not None:
        share = max(share, question.partial.mistakes.get(mistake.name, 0.0))
    details = {"shape": {"got": to_jsonable(chosen.dims), "expected": to_jsonable(best.value)}}
    cut_short = chosen.truncated
    return exact_result(
        question_id, question, answer_text=answer_text, share=share,
        answer_read=[to_jsonable(s.dims) for s in given], expected=to_jsonable(best.value),
        diagnosis=mistake.name if mistake else None, details=details,
        confidence=chosen.confidence, review_below=review_below,
        review_reason=ReviewReason.UNREADABLE if cut_short else None,
        review_note="the shape looks cut short: something unreadable follows its last ×",
    )  # fmt: skip


def _dims(value: Any) -> str:
    return " × ".join(str(d) for d in to_jsonable(value))


class ShapeKind(ExactKind):
    name = "shape"
    layout = AnswerLayout.SHAPE
    model = ShapeQuestion

    score_answer = staticmethod(score_shape)

    def describe_key(self, key: QuestionKey, question: Any) -> list[tuple[str, str]]:
        return [(a.convention, _dims(a.value)) for a in key.accepted]

    def answer_text(self, key: QuestionKey, question: Any) -> str:
        return " x ".join(str(v) for v in to_jsonable(key.accepted[0].value))


KIND = ShapeKind()
