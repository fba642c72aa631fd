"""The `concept` kind: an explanation graded against key points, as a suggestion: key points
covered, evidence, and always a person's review.

Every concept answer goes to a person (status needs_review, reason "concept"):
points the grader thinks are missing cost the student marks, so a person
confirms them, as the course asks. Each key point's
evidence carries a confidence and an `uncertain` mark; the answer's
`details["confidence"]` is its least sure key point, and
`details["uncertain"]` lists the key points (1-based) a review page shows first
and must never let a person confirm in bulk unseen. This module must not
match keywords itself (that is `concepts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from grader.kinds.base import AnswerLayout, Kind, WrittenQuestion, _Strict
from grader.reading import extract_shapes
from grader.reference.answer_key import QuestionKey
from grader.results import Part, QuestionResult, ReviewReason, Status
from grader.scoring.concepts import CompiledKeyPoint, compile_key_points, suggest_key_points

if TYPE_CHECKING:
    from grader.scoring.answer_grader import AnswerGrader


def _check_keywords(group: tuple[str, ...]) -> None:
    """A keyword group: non-empty words, `*` only at the end, `~` or `!` only at the start."""
    if not group or any(not word.strip(" *~!") for word in group):
        raise ValueError("every keyword group needs at least one non-empty word")
    for word in group:
        if "*" in word.rstrip("*"):
            raise ValueError(f"keyword '{word}': * may only end a keyword")
        if any(mark in word[1:] for mark in "~!"):
            raise ValueError(f"keyword '{word}': ~ and ! may only start a keyword")


class KeyPoint(_Strict):
    """One key point of a concept answer; covered when every keyword group has a hit."""

    text: str
    points: float = Field(default=1, gt=0)
    keywords: tuple[tuple[str, ...], ...] = Field(
        min_length=1,
        description="groups of synonyms; each group needs one hit in the same clause. A trailing * "
        "matches any word ending; a leading ~ counts the word even when negated, a leading ! "
        "only when negated ('does not have to !choos*').",
    )
    shape_example: bool = Field(
        default=False, description="a written H×W×C shape also covers this point"
    )
    anchored: bool = Field(
        default=False,
        description="the first group names what the point is about (early layers, deeper "
        "layers): a clause is cut where another anchored point's first group starts",
    )
    within: int | None = Field(
        default=None,
        ge=1,
        description="the groups' hits must lie within this many words of each other",
    )

    @field_validator("keywords")
    @classmethod
    def _no_empty_group(cls, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in groups:
            _check_keywords(group)
        return groups


class ConceptQuestion(WrittenQuestion):
    """An explanation graded against key points: suggested by the grader, confirmed by a person."""

    kind: Literal["concept"]
    min_words: int = Field(
        default=8, ge=0, description="shorter answers are flagged for a closer look"
    )
    key_points: tuple[KeyPoint, ...] = Field(min_length=1)
    misconceptions: tuple[str, ...] = Field(
        default=(),
        description="keywords of known wrong claims (same syntax as key point keywords): a "
        "sentence stating one is no evidence, and the answer's suggestions are marked uncertain",
    )

    ignore: tuple[str, ...] = Field(
        default=(),
        description="the question's own words (e.g. 'template matching'): a keyword hit inside "
        "them is no evidence, so restating the question earns nothing",
    )

    @field_validator("misconceptions", "ignore")
    @classmethod
    def _misconceptions_are_keywords(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if words:
            _check_keywords(words)
        return words

    @model_validator(mode="after")
    def _points_add_up(self) -> ConceptQuestion:
        total = round(sum(kp.points for kp in self.key_points), 6)
        if total != round(self.points, 6):
            raise ValueError(
                f"key points add up to {total:g} but the question is worth {self.points:g}"
            )
        return self


def score_concept(
    question_id: str,
    question: ConceptQuestion,
    compiled: tuple[CompiledKeyPoint, ...],
    answer_text: str,
    *,
    has_shape_example: bool,
) -> QuestionResult:
    suggestion = suggest_key_points(
        answer_text, compiled, has_shape_example=has_shape_example, min_words=question.min_words
    )
    missing = [e["key_point"] for e in suggestion.evidence if not e["covered"]]
    uncertain = [i + 1 for i, doubtful in enumerate(suggestion.uncertain) if doubtful]
    flags = []
    if suggestion.word_count < question.min_words:
        flags.append("very short answer")
    feedback = f"Suggested {suggestion.suggested_points:g}/{question.points:g}"
    feedback += f": {sum(suggestion.covered)} of {len(suggestion.covered)} key points found."
    if missing:
        feedback += " Not found: " + "; ".join(text.rstrip(".") for text in missing) + "."
    feedback += " A person will confirm this score."
    return QuestionResult(
        question_id=question_id,
        points=suggestion.suggested_points,
        max_points=question.points,
        status=Status.NEEDS_REVIEW,
        answer_text=answer_text,
        feedback=feedback,
        # The key points themselves are listed with the evidence; no separate expected answer.
        expected=None,
        review_reason=ReviewReason.CONCEPT,
        details={
            "evidence": list(suggestion.evidence),
            "word_count": suggestion.word_count,
            "flags": flags,
            "confidence": min(suggestion.confidence, default=1.0),
            "uncertain": uncertain,
        },
    )


class ConceptKind(Kind):
    name = "concept"
    part = Part.WRITTEN
    layout = AnswerLayout.PROSE
    model = ConceptQuestion
    placed_by_content = True

    def prepare(self, question: Any) -> tuple[CompiledKeyPoint, ...]:
        return compile_key_points(question)

    def score_written(
        self, grader: AnswerGrader, question_id: str, question: Any, text: str
    ) -> QuestionResult:
        return score_concept(
            question_id,
            question,
            grader.compiled_key_points(question_id),
            text,
            has_shape_example=any(kp.shape_example for kp in question.key_points)
            and any(len(s.dims) == 3 for s in extract_shapes(text)),
        )

    def review_group(self, result: QuestionResult) -> tuple[str, str] | None:
        """Concept answers that suggest the same key points are one group."""
        evidence = result.details.get("evidence") if isinstance(result.details, dict) else None
        if not isinstance(evidence, list):
            return None
        covered = [
            str(i + 1) for i, e in enumerate(evidence) if isinstance(e, dict) and e.get("covered")
        ]
        return "kp:" + ",".join(covered), "kp" + ("-".join(covered) or "0")

    def describe_key(self, key: QuestionKey | None, question: Any) -> list[tuple[str, str]]:
        return [
            (f"key point {i} ({kp.points:g} pt)", kp.text)
            for i, kp in enumerate(question.key_points, start=1)
        ]


KIND = ConceptKind()
