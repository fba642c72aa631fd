"""Grade a concept answer as a suggestion: key points covered, evidence, and always a person's review.

Every concept answer goes to a person (status needs_review, reason "concept"):
points the grader thinks are missing cost the student marks, so a person
confirms them, as shared/hw4-concept-keypoints.md asks. Each key point's
evidence carries a confidence and an `uncertain` mark; the answer's
`details["confidence"]` is its least sure key point, and
`details["uncertain"]` lists the key points (1-based) a review page shows first
and must never let a person confirm in bulk unseen. This module must not
match keywords itself (that is `concepts`).
"""

from __future__ import annotations

from grader.results import QuestionResult, ReviewReason, Status
from grader.rubric.model import ConceptQuestion
from grader.scoring.concepts import CompiledKeyPoint, suggest_key_points


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
