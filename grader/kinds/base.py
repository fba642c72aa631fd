"""What every question kind is, and the rubric fields all questions share.

A kind (`Kind`) is one module under `grader/kinds/` listed in `grader.kinds.table`: it
owns the rubric model of its questions, how an answer is read and scored, how a stored
result is re-scored after a rubric change, how its key is shown (reports, review pages,
`grader key`), what a full-marks answer looks like (check-template), and which variants
are degenerate for it. Here: the base models, the layouts reports know, the Kind base
class with the behaviour most kinds share, and the written part's re-scoring rule.

Must not read files or hold state; must not import a kind module (the table does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.reference.answer_key import QuestionKey
from grader.reference.values import decimals_for, is_exact, to_jsonable
from grader.results import Part, QuestionResult, ReviewReason, Status

if TYPE_CHECKING:
    from grader.kinds.evidence import NotebookEvidence
    from grader.rubric.model import Rubric
    from grader.scoring.answer_grader import AnswerGrader

#: Written question ids: q1, q2 …; the digits are the question's number on the sheet.
WRITTEN_QUESTION_ID = re.compile(r"q(\d{1,3})")

#: When a student may see a question's score on Gradescope (its autograder visibilities).
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]


class AnswerLayout(StrEnum):
    """How a report lays out a question's answer and expected value."""

    GRIDS = "grids"  # one or more matrices (channels side by side), or a vector
    SHAPE = "shape"  # a tensor shape such as 126×126×16
    NUMBER = "number"  # one number, such as a parameter count
    PROSE = "prose"  # an explanation, with key-point evidence
    MEASUREMENT = "measurement"  # a saved model or figures, measured by the grader


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionModel(_Strict):
    """The fields every rubric question has, whatever its kind."""

    title: str
    kind: str
    points: float = Field(gt=0)
    visibility: Visibility = Field(
        default="visible", description="Gradescope test visibility of this question's score"
    )


class WrittenQuestion(QuestionModel):
    """A question of the written part (`[questions.<id>]`)."""

    number: int | None = Field(
        default=None, ge=1, description="the number on the question sheet (default: from the id)"
    )
    show_expected: bool | None = None


class NotebookQuestion(QuestionModel):
    """A question of the programming part (`[models.<id>]`), answered by a notebook."""

    notebook: str


class PartialCredit(_Strict):
    """Shares of a question's points for answers that are not an accepted one."""

    shape: float = Field(
        default=0.0, ge=0, le=1, description="for the right output shape with wrong values"
    )
    entries: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="scaled by the share of entries (or dimensions) that are right",
    )
    mistakes: dict[str, float] = Field(
        default_factory=dict,
        description="named mistakes with their own share, e.g. {'padding forgotten' = 0.25}",
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> PartialCredit:
        if self.shape + self.entries > 1:
            raise ValueError("partial.shape + partial.entries must not exceed 1")
        for name, share in self.mistakes.items():
            if not 0 <= share <= 1:
                raise ValueError(f"partial.mistakes['{name}'] must be between 0 and 1")
        return self


class ExactQuestion(WrittenQuestion):
    """A written question whose accepted answers are computed from the parameters file."""

    key: str = Field(description="the entry in the parameters file whose answers are computed")
    partial: PartialCredit = PartialCredit()
    tolerance: float | None = Field(
        default=None,
        gt=0,
        description="answers within this distance of the key count as equal; required when the "
        "key is not exact (a softmax, a tanh, a square root), shown rounded to it",
    )


@dataclass(frozen=True)
class RescoreContext:
    """What re-scoring one stored result needs besides the result itself."""

    grader: AnswerGrader  # the written part's grader: the rubric and its key
    rubric: Rubric
    dataset: str = ""  # the dataset this student's models were measured on


# Results that came from the whole file, not from an answer's text: re-reading their
# stored text would be wrong (it is a preamble, or nothing), so they are kept.
_KEPT_REASONS = frozenset(
    {ReviewReason.SUBMISSION, ReviewReason.NO_TEXT_LAYER, ReviewReason.UNASSIGNED}
)
_NOTES = ("out_of_order", "ocr_marker")


class Kind:
    """One kind of question. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    part: ClassVar[Part]
    layout: ClassVar[AnswerLayout]
    model: ClassVar[type[QuestionModel]]
    #: Its answers are computed from the parameters file (`key`), so it has a key to show.
    computed: ClassVar[bool] = False
    #: Notebook kinds: the saved model artifacts/<id>.pt is evaluated before scoring.
    needs_saved_model: ClassVar[bool] = False
    #: Written kinds whose answer may be found by its content when its marker is missing
    #: (`prepare` returns the compiled key points placement needs).
    placed_by_content: ClassVar[bool] = False

    def prepare(self, question: Any) -> Any:
        """Per-question state built once per run (compiled patterns); None when none is needed."""
        return None

    def score_written(
        self, grader: AnswerGrader, question_id: str, question: Any, text: str
    ) -> QuestionResult:
        raise TypeError(f"a {self.name} question is not answered in the written part")

    def score_notebook(
        self, question_id: str, question: Any, evidence: NotebookEvidence
    ) -> QuestionResult:
        raise TypeError(f"a {self.name} question is not answered by a notebook")

    def rescore(
        self, context: RescoreContext, question_id: str, question: Any, stored: QuestionResult
    ) -> QuestionResult:
        """The stored result under the current rubric; written kinds grade the stored text again."""
        grader = context.grader
        if stored.status is Status.ERROR or stored.review_reason in _KEPT_REASONS:
            return replace(stored, max_points=question.points)
        if stored.status is Status.MISSING or not stored.answer_text.strip():
            return grader.missing_result(
                question_id, stored.feedback or "No answer found for this question."
            )
        result = grader.grade(question_id, stored.answer_text)
        kept = {note: True for note in _NOTES if stored.details.get(note)}
        if "shared_with" in stored.details:  # answered under another question's heading
            return replace(
                result,
                status=Status.NEEDS_REVIEW,
                review_reason=ReviewReason.AMBIGUOUS,
                feedback=stored.feedback,
                details={**result.details, **kept, "shared_with": stored.details["shared_with"]},
            )
        return replace(result, details={**result.details, **kept}) if kept else result

    def shown_key(self, key: QuestionKey, question: Any) -> Any:
        """The expected answer a report may show (JSON-able), or None."""
        return None

    def describe_key(self, key: QuestionKey, question: Any) -> list[tuple[str, str]]:
        """(convention, value as text) for each accepted answer: `grader key`, the review page."""
        return []

    def answer_text(self, key: QuestionKey, question: Any) -> str:
        """A written answer that earns full marks (check-template grades it)."""
        raise TypeError(f"a {self.name} question has no computed answer")

    def degenerate_reason(self, key: QuestionKey) -> str | None:
        """Why a variant's key would make this question easier or ambiguous, or None."""
        return None

    def review_group(self, result: QuestionResult) -> tuple[str, str] | None:
        """(basis, readable tag) that makes two answers one group on the review page, or None
        for the default (the same value read, else the same text)."""
        return None

    def check(self, question_id: str, question: Any, key: QuestionKey | None) -> list[str]:
        """Problems of this question that need its key (each: what is wrong and the fix)."""
        return []


def shown_decimals(key: QuestionKey, question: ExactQuestion) -> int | None:
    """Decimals a key value is shown with: those of the tolerance, or all of an exact value."""
    if question.tolerance is not None:
        return decimals_for(question.tolerance)
    return None if key.exact else 4


def answer_decimals(question: ExactQuestion) -> int | None:
    """Decimals a full-marks answer is written with: one more than the tolerance needs."""
    return decimals_for(question.tolerance) + 1 if question.tolerance is not None else None


class ExactKind(Kind):
    """A written kind answered by a value computed from the parameters (matrix, shape, ...)."""

    part = Part.WRITTEN
    computed = True

    @staticmethod
    def score_answer(
        grader: AnswerGrader, question_id: str, question: Any, key: QuestionKey, text: str, /
    ) -> QuestionResult:
        """Score one answer against its key; each exact kind sets its own (a staticmethod)."""
        raise NotImplementedError

    def score_written(
        self, grader: AnswerGrader, question_id: str, question: Any, text: str
    ) -> QuestionResult:
        return self.score_answer(grader, question_id, question, grader.keys[question.key], text)

    def shown_key(self, key: QuestionKey, question: Any) -> Any:
        return to_jsonable(key.accepted[0].value, shown_decimals(key, question))

    def check(self, question_id: str, question: Any, key: QuestionKey | None) -> list[str]:
        if key is None:
            return []
        problems: list[str] = []
        if key.kind != self.name:
            problems.append(
                f"kind is '{self.name}' but key '{question.key}' computes a {key.kind} "
                f'(fix: set kind = "{key.kind}")'
            )
        computed = key.mistake_names
        for name in question.partial.mistakes:
            if name not in computed:
                listed = "; ".join(f"'{m}'" for m in computed) or "none for this question"
                problems.append(
                    f"partial.mistakes names '{name}', a mistake the key of '{question.key}' "
                    f"never computes (fix: use one of: {listed})"
                )
        if question.tolerance is None and not all(is_exact(a.value) for a in key.accepted):
            problems.append(
                f"the answer of key '{question.key}' is not exact (it has decimals that go on "
                "for ever), so answers need a tolerance (fix: add e.g. tolerance = 0.01)"
            )
        return problems
