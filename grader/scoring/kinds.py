"""The one table of question kinds: for each kind, its part, how it is scored and how reports show it.

Adding a question kind means one row in `QUESTION_KINDS` (and its rubric
model): `AnswerGrader` and the notebook part dispatch through the scorer
named here, and `grader.feedback` lays the answer out by the row's
`layout`. Must not read files, run anything or hold state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from grader.reading import extract_arrays, extract_shapes
from grader.reference.answer_key import to_jsonable
from grader.results import Part, QuestionResult
from grader.rubric.catalogue import QuestionKind
from grader.rubric.model import (
    ConceptQuestion,
    ExactQuestion,
    FiguresQuestion,
    ModelQuestion,
    RubricQuestion,
)
from grader.scoring.arrays import score_matrix, score_tensor
from grader.scoring.concept_answers import score_concept
from grader.scoring.models import NotebookEvidence, score_figures, score_model
from grader.scoring.shapes import score_shape

if TYPE_CHECKING:
    from grader.reference import QuestionKey
    from grader.scoring.answer_grader import AnswerGrader


class AnswerLayout(StrEnum):
    """How a report lays out a question's answer and expected value."""

    GRIDS = "grids"  # one or more matrices (channels side by side)
    SHAPE = "shape"  # a tensor shape such as 126×126×16
    PROSE = "prose"  # an explanation, with key-point evidence
    MEASUREMENT = "measurement"  # a saved model or figures, measured by the grader


WrittenScorer = Callable[["AnswerGrader", str, RubricQuestion, str], QuestionResult]
NotebookScorer = Callable[[str, Any, NotebookEvidence], QuestionResult]


@dataclass(frozen=True)
class KindSpec:
    """Everything kind-specific about a question, in one place."""

    part: Part
    layout: AnswerLayout
    score_written: WrittenScorer | None = None  # written kinds: (grader, id, question, text)
    score_notebook: NotebookScorer | None = None  # notebook kinds: (id, question, evidence)
    needs_saved_model: bool = False  # evaluate artifacts/<id>.pt before scoring
    shown_key: Callable[[QuestionKey], Any] | None = None  # expected value a report may show


def _exact(question: RubricQuestion) -> ExactQuestion:
    if not isinstance(question, ExactQuestion):
        raise TypeError(f"{type(question).__name__} is not an exact question")
    return question


def _exact_scorer(
    score: Callable[..., QuestionResult], read: Callable[[str], Any]
) -> WrittenScorer:
    """A written scorer for an exact kind: read the values from the text, score them on the key."""

    def scorer(
        grader: AnswerGrader, qid: str, question: RubricQuestion, text: str
    ) -> QuestionResult:
        exact = _exact(question)
        key = grader.keys[exact.key]
        return score(qid, exact, key, text, read(text), review_below=grader.review_below)

    return scorer


_matrix = _exact_scorer(score_matrix, extract_arrays)
_tensor = _exact_scorer(score_tensor, extract_arrays)
_shape = _exact_scorer(score_shape, extract_shapes)


def _concept(grader: AnswerGrader, qid: str, question: RubricQuestion, text: str) -> QuestionResult:
    if not isinstance(question, ConceptQuestion):
        raise TypeError(f"{type(question).__name__} is not a concept question")
    return score_concept(
        qid,
        question,
        grader.compiled_key_points(qid),
        text,
        has_shape_example=any(kp.shape_example for kp in question.key_points)
        and any(len(s.dims) == 3 for s in extract_shapes(text)),
    )


def _first_accepted(key: QuestionKey) -> Any:
    return to_jsonable(key.accepted[0].value)


def _channels(key: QuestionKey) -> Any:
    return dict(zip(key.channel_names, _first_accepted(key), strict=True))


def _model(qid: str, question: Any, evidence: NotebookEvidence) -> QuestionResult:
    if not isinstance(question, ModelQuestion):
        raise TypeError(f"{type(question).__name__} is not a model question")
    return score_model(qid, question, evidence)


def _figures(qid: str, question: Any, evidence: NotebookEvidence) -> QuestionResult:
    if not isinstance(question, FiguresQuestion):
        raise TypeError(f"{type(question).__name__} is not a figures question")
    return score_figures(qid, question, evidence.run)


QUESTION_KINDS: Mapping[QuestionKind, KindSpec] = MappingProxyType(
    {
        QuestionKind.MATRIX: KindSpec(
            Part.WRITTEN, AnswerLayout.GRIDS, score_written=_matrix, shown_key=_first_accepted
        ),
        QuestionKind.TENSOR: KindSpec(
            Part.WRITTEN, AnswerLayout.GRIDS, score_written=_tensor, shown_key=_channels
        ),
        QuestionKind.SHAPE: KindSpec(
            Part.WRITTEN, AnswerLayout.SHAPE, score_written=_shape, shown_key=_first_accepted
        ),
        QuestionKind.CONCEPT: KindSpec(Part.WRITTEN, AnswerLayout.PROSE, score_written=_concept),
        QuestionKind.ACCURACY: KindSpec(
            Part.NOTEBOOKS,
            AnswerLayout.MEASUREMENT,
            score_notebook=_model,
            needs_saved_model=True,
        ),
        QuestionKind.FIGURES: KindSpec(
            Part.NOTEBOOKS, AnswerLayout.MEASUREMENT, score_notebook=_figures
        ),
    }
)


def kind_spec(kind: QuestionKind | str) -> KindSpec:
    """The table row of a kind (every QuestionKind has one: a test checks it)."""
    return QUESTION_KINDS[QuestionKind(kind)]
