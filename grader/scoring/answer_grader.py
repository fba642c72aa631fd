"""`AnswerGrader`: built once per run from a rubric and its key, then grades each student's answers.

Building it computes the key and compiles the concept keyword patterns once,
so grading a submission is only reading and comparing. `with_keys` makes a
grader for a student with their own key (a per-student variant) that shares
the compiled patterns.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace

from grader.reading import extract_arrays, extract_shapes, split_into_questions
from grader.reference import QuestionKey, compute_key, load_parameters
from grader.reference.answer_key import to_jsonable
from grader.results import QuestionResult, Status
from grader.rubric.model import ConceptQuestion, ExactQuestion, Rubric
from grader.scoring.arrays import score_matrix, score_tensor
from grader.scoring.concept_answers import score_concept
from grader.scoring.concepts import CompiledKeyPoint, compile_key_points
from grader.scoring.shapes import score_shape


class AnswerGrader:
    """Grades answer texts question by question; holds only derived, read-only state."""

    def __init__(self, rubric: Rubric, keys: Mapping[str, QuestionKey] | None = None) -> None:
        self.rubric = rubric
        self.keys = (
            dict(keys) if keys is not None else compute_key(load_parameters(rubric.parameters_path))
        )
        self._compiled: dict[str, tuple[CompiledKeyPoint, ...]] = {
            qid: compile_key_points(q)
            for qid, q in rubric.questions.items()
            if isinstance(q, ConceptQuestion)
        }
        self.uses_variant = (
            False  # True when `keys` are one student's variant, not the canonical key
        )

    def with_keys(self, keys: Mapping[str, QuestionKey], *, variant: bool = True) -> AnswerGrader:
        """The same grader with another key (a student's variant); nothing is recompiled."""
        clone = copy.copy(self)  # shares the rubric and the compiled keyword patterns
        clone.keys = dict(keys)
        clone.uses_variant = variant
        return clone

    def expected_answer(self, question_id: str) -> object | None:
        """What the report may show as the expected answer (the first accepted convention)."""
        question = self.rubric.questions[question_id]
        if isinstance(question, ConceptQuestion):
            return None  # the key points are listed with the evidence instead
        key = self.keys[question.key]
        value = to_jsonable(key.accepted[0].value)
        if question.kind == "tensor":
            return dict(zip(key.channel_names, value, strict=True))
        return value

    def missing_result(
        self, question_id: str, feedback: str = "No answer found for this question."
    ) -> QuestionResult:
        question = self.rubric.questions[question_id]
        return QuestionResult(
            question_id=question_id,
            points=0.0,
            max_points=question.points,
            status=Status.MISSING,
            feedback=feedback,
            expected=self.expected_answer(question_id)
            if self.rubric.shows_expected(question_id)
            else None,
            details={"variant": True}
            if self.uses_variant and not isinstance(question, ConceptQuestion)
            else {},
        )

    def grade(self, question_id: str, answer_text: str | None) -> QuestionResult:
        """Grade one answer (None or blank → missing)."""
        if answer_text is None or not answer_text.strip():
            return self.missing_result(question_id)
        question = self.rubric.questions[question_id]
        review_below = self.rubric.assignment.review_below_confidence
        if isinstance(question, ConceptQuestion):
            return score_concept(
                question_id,
                question,
                self._compiled[question_id],
                answer_text,
                has_shape_example=any(kp.shape_example for kp in question.key_points)
                and any(len(s.dims) == 3 for s in extract_shapes(answer_text)),
            )
        result = self._grade_exact(question_id, question, answer_text, review_below)
        if not self.rubric.shows_expected(question_id):
            result = replace(result, expected=None)
        if self.uses_variant:
            result = replace(result, details={**result.details, "variant": True})
        return result

    def _grade_exact(
        self, question_id: str, question: ExactQuestion, answer_text: str, review_below: float
    ) -> QuestionResult:
        key = self.keys[question.key]
        if question.kind == "shape":
            return score_shape(
                question_id,
                question,
                key,
                answer_text,
                extract_shapes(answer_text),
                review_below=review_below,
            )
        arrays = extract_arrays(answer_text)
        scorer = score_tensor if question.kind == "tensor" else score_matrix
        return scorer(question_id, question, key, answer_text, arrays, review_below=review_below)

    def split_answers(self, text: str) -> dict[str, str]:
        """The text of each rubric question found in a written document, by question id."""
        numbers = [self.rubric.question_number(qid) for qid in self.rubric.questions]
        return {f"q{n}": answer for n, answer in split_into_questions(text, numbers).items()}

    def grade_all(self, answers: Mapping[str, str]) -> list[QuestionResult]:
        """Every rubric question, in rubric order, from a {question_id: text} map."""
        return [self.grade(qid, answers.get(qid)) for qid in self.rubric.questions]
