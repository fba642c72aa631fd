"""`AnswerGrader`: built once per run from a rubric and its key, then grades each student's answers.

Building it computes the key and compiles the concept keyword patterns once,
so grading a submission is only reading and comparing. `with_keys` makes a
grader for a student with their own key (a per-student variant) that shares
the compiled patterns.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from grader.kinds.table import kind_of
from grader.reading import extract_arrays, extract_shapes
from grader.reading.questions import QuestionSplit, split_document
from grader.reading.strikeout import remove_struck_out
from grader.reference import QuestionKey
from grader.results import Part, QuestionResult, ReviewReason, Status
from grader.rubric.model import Rubric
from grader.scoring.concept_placement import Placement, place_by_content
from grader.scoring.concepts import CompiledKeyPoint


class AnswerGrader:
    """Grades answer texts question by question; holds only derived, read-only state."""

    def __init__(self, rubric: Rubric, keys: Mapping[str, QuestionKey] | None = None) -> None:
        self.rubric = rubric
        self.keys = dict(keys) if keys is not None else rubric.keys
        self.review_below = rubric.assignment.review_below_confidence
        # Per-question state each kind builds once (a concept question's compiled patterns).
        self._prepared: dict[str, Any] = {
            qid: kind_of(q.kind).prepare(q) for qid, q in rubric.questions.items()
        }
        # Answers of these kinds may be found by their content when their marker is missing.
        self._compiled: dict[str, tuple[CompiledKeyPoint, ...]] = {
            qid: self._prepared[qid]
            for qid, q in rubric.questions.items()
            if kind_of(q.kind).placed_by_content
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

    def compiled_key_points(self, question_id: str) -> tuple[CompiledKeyPoint, ...]:
        compiled: tuple[CompiledKeyPoint, ...] = self._prepared[question_id]
        return compiled

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The written questions, in rubric order."""
        return self.rubric.catalogue.ids(Part.WRITTEN)

    def expected_answer(self, question_id: str) -> object | None:
        """What the report may show as the expected answer (the first accepted convention)."""
        question = self.rubric.questions[question_id]
        kind = kind_of(question.kind)
        if not kind.computed:
            return None  # concept key points are listed with the evidence instead
        return kind.shown_key(self.keys[question.key], question)  # type: ignore[attr-defined]

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
            if self.uses_variant and kind_of(question.kind).computed
            else {},
        )

    def grade(self, question_id: str, answer_text: str | None) -> QuestionResult:
        """Grade one answer (None or blank → missing) with its kind's scorer."""
        if answer_text is not None:
            answer_text = remove_struck_out(answer_text)  # a crossed-out attempt is not the answer
        if answer_text is None or not answer_text.strip():
            return self.missing_result(question_id)
        question = self.rubric.questions[question_id]
        kind = kind_of(question.kind)
        result = kind.score_written(self, question_id, question, answer_text)
        if not kind.computed:
            return result
        if not self.rubric.shows_expected(question_id):
            result = replace(result, expected=None)
        if self.uses_variant:
            result = replace(result, details={**result.details, "variant": True})
        return result

    def _ids_by_number(self) -> dict[int, str]:
        return {
            entry.sheet_number: entry.id
            for entry in self.rubric.catalogue.in_part(Part.WRITTEN)
            if entry.sheet_number is not None
        }

    def split_answers(self, text: str) -> dict[str, str]:
        """The text of each rubric question found in a written document, by question id."""
        by_number = self._ids_by_number()
        found = split_document(text, list(by_number)).answers
        return {by_number[number]: answer for number, answer in found.items()}

    def grade_all(self, answers: Mapping[str, str]) -> list[QuestionResult]:
        """Every written question, in rubric order, from a {question_id: text} map."""
        return [self.grade(qid, answers.get(qid)) for qid in self.question_ids]

    def grade_document(self, text: str) -> GradedDocument:
        """Split a written document into answers and grade every written question.

        Never a silent zero: a question without a marker is `missing` only when nothing
        in the file could be its answer. When text no question took holds a matrix, a
        shape or prose, the question waits for a person with that text shown; when few
        markers were found at all, the unfound questions wait for a person too.
        """
        by_number = self._ids_by_number()
        split = split_document(text, list(by_number))
        answers = {by_number[number]: answer for number, answer in split.answers.items()}
        notes = {by_number[number]: "out_of_order" for number in split.out_of_order} | {
            by_number[number]: "ocr_marker" for number in split.ocr_markers
        }
        shared = {by_number[n]: by_number[m] for n, m in split.shared.items() if m in by_number}
        unassigned = "\n\n".join(split.unassigned)
        # A concept answer without a readable marker sits inside another answer or before the
        # first marker: place it by its content (and position); unsure placements go to a person.
        unanswered = [q for q in self._compiled if not answers.get(q, "").strip()]
        placed = place_by_content(
            answers, unanswered, unassigned, self._compiled, self.question_ids
        )
        answers, unassigned = placed.answers, placed.preamble
        holds_answer = _could_hold_an_answer(unassigned)
        few_markers = split.markers_found * FEW_MARKERS_DIVISOR < len(by_number)
        results: list[QuestionResult] = []
        for qid in self.question_ids:
            if qid in placed.placements:
                result = _found_by_content(self.grade(qid, answers[qid]), placed.placements[qid])
            elif qid in answers and answers[qid].strip():
                result = self.grade(qid, answers[qid])
                if qid in notes:
                    result = replace(result, details={**result.details, notes[qid]: True})
                if qid in shared:
                    result = _shared_heading(result, shared[qid])
            elif holds_answer:
                result = self._unassigned_result(qid, unassigned)
            elif few_markers:
                result = replace(
                    self.missing_result(qid, _few_markers_message(split, len(by_number))),
                    status=Status.NEEDS_REVIEW,
                    review_reason=ReviewReason.SUBMISSION,
                )
            else:
                result = self.missing_result(qid)
            results.append(result)
        problems: list[str] = []
        if few_markers:
            problems.append(_few_markers_message(split, len(by_number)))
        if holds_answer and len(answers) < len(self.question_ids):
            problems.append(
                f"text not assigned to any question (before the first marker): {_clip(unassigned)}"
            )
        return GradedDocument(tuple(results), tuple(problems), split)

    def _unassigned_result(self, question_id: str, unassigned: str) -> QuestionResult:
        missing = self.missing_result(
            question_id,
            "No marker for this question was found, but the file holds text that no question "
            "took (shown here); a person will check whether it answers this question.",
        )
        return replace(
            missing,
            status=Status.NEEDS_REVIEW,
            review_reason=ReviewReason.UNASSIGNED,
            answer_text=unassigned,
        )


FEW_MARKERS_DIVISOR = 3  # fewer markers than a third of the questions: the file needs a look
PROSE_WORDS = 12  # unassigned text this long may be an answer, not a name and a date
CLIP_CHARS = 200


@dataclass(frozen=True)
class GradedDocument:
    """Every written question's result, the submission-level problems, and how it was split."""

    results: tuple[QuestionResult, ...]
    problems: tuple[str, ...]
    split: QuestionSplit


def _shared_heading(result: QuestionResult, heading_id: str) -> QuestionResult:
    """One text answers this question and `heading_id` ("Question 7 and 8"): a person splits it."""
    return replace(
        result,
        status=Status.NEEDS_REVIEW,
        review_reason=ReviewReason.AMBIGUOUS,
        feedback=f"{result.feedback} A person will check this answer: it is written under "
        f"the heading of {heading_id} together with this question, without a sub-part for each.",
        details={**result.details, "shared_with": heading_id},
    )


def _found_by_content(result: QuestionResult, placement: Placement) -> QuestionResult:
    """A concept answer placed by its content: said so, and sent to a person unless sure."""
    where = placement.found_in
    if not where.startswith("text"):
        where = f"the answer to {where}"
    details = {
        **result.details,
        "found_by_content": True,
        "found_in": placement.found_in,
        "placement_sure": placement.sure,
        "placement_relevance": placement.relevance,
    }
    if placement.alternative:
        details["placement_alternative"] = placement.alternative
    if placement.damaged_marker:
        details["damaged_marker"] = placement.damaged_marker
    note = f"No marker for this question was read; this answer was found by its content in {where}"
    if placement.sure:
        return replace(result, details=details, feedback=f"{note}. {result.feedback}")
    candidates = (
        f" (it could answer {placement.alternative} as well: both are shown)"
        if placement.alternative
        else ""
    )
    return replace(
        result,
        status=Status.NEEDS_REVIEW,
        review_reason=ReviewReason.UNASSIGNED,
        details=details,
        feedback=f"{note}, but the grader is not sure it answers this question{candidates}: a "
        f"person will check the text shown. {result.feedback}",
    )


def _could_hold_an_answer(text: str) -> bool:
    """A matrix, a shape or a few sentences: more than a name, an id and a date."""
    if not text.strip():
        return False
    if len(text.split()) >= PROSE_WORDS:
        return True
    return bool(extract_shapes(text)) or any(a.shape[0] >= 2 for a in extract_arrays(text))


def _few_markers_message(split: QuestionSplit, questions: int) -> str:
    return (
        f"only {split.markers_found} of {questions} question markers were found in the file; "
        "a person will check how the answers are marked (fix: mark each answer with its "
        "number, e.g. `Q7.` or `7.`)"
    )


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CLIP_CHARS else flat[: CLIP_CHARS - 1] + "…"
