"""The `figures` kind: figures the executed notebook must show (e.g. activations and filters),
counted from the notebook's outputs; images too small, blank, undecodable or of unknown size
go to a person.

One formula (`figures_result`) serves grading and re-scoring. Never runs anything.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import Field

from grader.evaluation.figures import MIN_FIGURE_PIXELS, survey_figures
from grader.kinds.base import AnswerLayout, Kind, NotebookQuestion, RescoreContext
from grader.kinds.evidence import (
    NotebookEvidence,
    notebook_details,
    run_status_note,
    stored_run_note,
)
from grader.notebooks import NotebookRun
from grader.results import Part, QuestionResult, ReviewReason, Status


class FiguresQuestion(NotebookQuestion):
    """Figures the executed notebook must show (e.g. activations and filters)."""

    kind: Literal["figures"]
    min_figures: int = Field(default=2, ge=1)


def figures_result(
    question_id: str,
    question: FiguresQuestion,
    figures: int,
    doubtful: list[str],
    run_note: str,
    details: dict[str, Any],
) -> QuestionResult:
    """Share of the required figures; doubtful images make up the count only by a person."""
    share = min(figures / question.min_figures, 1.0)
    points = round(share * question.points, 2)
    feedback = f"{figures} figure(s) in the executed notebook; {question.min_figures} expected."
    needs_person = figures < question.min_figures and bool(doubtful)
    if needs_person:
        shown = "; ".join(doubtful[:5]) + (
            f"; and {len(doubtful) - 5} more" if len(doubtful) > 5 else ""
        )
        feedback += (
            f" {len(doubtful)} more image(s) were not counted, being smaller than "
            f"{MIN_FIGURE_PIXELS}×{MIN_FIGURE_PIXELS} px, blank, undecodable or of unknown "
            f"size ({shown}); a person will check them."
        )
    feedback += run_note
    return QuestionResult(
        question_id=question_id,
        points=points,
        max_points=question.points,
        status=Status.NEEDS_REVIEW if needs_person else Status.GRADED,
        feedback=feedback,
        review_reason=ReviewReason.AMBIGUOUS if needs_person else None,
        details={**details, "figures": figures},
    )


def score_figures(question_id: str, question: FiguresQuestion, run: NotebookRun) -> QuestionResult:
    """Share of the required figures found in the executed notebook's outputs.

    Only real figures (at least MIN_FIGURE_PIXELS on each side, read from the image header)
    earn points. When images too small or of unreadable size would make up the count, the
    question waits for a person (needs_review) with the points of the real figures so far.
    """
    survey = survey_figures(run.executed_notebook or {})
    details = {
        "images_too_small": list(survey.too_small),
        "images_unmeasured": list(survey.unmeasured),
        "images_blank": list(survey.blank),
        "flags": [],
        **notebook_details(run),
    }
    return figures_result(
        question_id,
        question,
        survey.real,
        [*survey.too_small, *survey.unmeasured, *survey.blank],
        run_status_note(run),
        details,
    )


class FiguresKind(Kind):
    name = "figures"
    part = Part.NOTEBOOKS
    layout = AnswerLayout.MEASUREMENT
    model = FiguresQuestion

    def score_notebook(
        self, question_id: str, question: Any, evidence: NotebookEvidence
    ) -> QuestionResult:
        return score_figures(question_id, question, evidence.run)

    def rescore(
        self, context: RescoreContext, question_id: str, question: Any, stored: QuestionResult
    ) -> QuestionResult:
        details = dict(stored.details)
        figures = details.get("figures")
        if not isinstance(figures, int):
            return replace(stored, max_points=question.points)
        doubtful = [
            str(item)
            for key in ("images_too_small", "images_unmeasured", "images_blank")
            for item in (details.get(key) or [])
        ]
        result = figures_result(
            question_id, question, figures, doubtful, stored_run_note(details), details
        )
        return replace(result, answer_text=stored.answer_text)


KIND = FiguresKind()
