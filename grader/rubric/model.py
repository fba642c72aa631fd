"""Typed rubric model (pydantic): questions, points, partial-credit policies, concept key points.

Validation rules that need only the rubric itself live here; checks that
need the parameters file (does every `key` exist?) live in `loading`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from grader.results import Part
from grader.rubric.catalogue import CatalogueQuestion, QuestionCatalogue, QuestionKind
from grader.sandbox.request import GiB, SandboxLimits

#: Written question ids: q1, q2 …; the digits are the question's number on the sheet.
WRITTEN_QUESTION_ID = re.compile(r"q(\d{1,3})")


#: When a student may see a question's score on Gradescope (its autograder visibilities).
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class ExactQuestion(_Strict):
    """A question with computed accepted answers: a matrix, a multi-channel tensor or a shape."""

    title: str
    kind: Literal["matrix", "tensor", "shape"]
    points: float = Field(gt=0)
    visibility: Visibility = Field(
        default="visible", description="Gradescope test visibility of this question's score"
    )
    key: str = Field(description="the entry in the parameters file whose answers are computed")
    number: int | None = Field(
        default=None, ge=1, description="the number on the question sheet (default: from the id)"
    )
    show_expected: bool | None = None
    partial: PartialCredit = PartialCredit()


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


class ConceptQuestion(_Strict):
    """An explanation graded against key points: suggested by the grader, confirmed by a person."""

    title: str
    kind: Literal["concept"]
    points: float = Field(gt=0)
    visibility: Visibility = Field(
        default="visible", description="Gradescope test visibility of this question's score"
    )
    show_expected: bool | None = None
    min_words: int = Field(
        default=8, ge=0, description="shorter answers are flagged for a closer look"
    )
    number: int | None = Field(
        default=None, ge=1, description="the number on the question sheet (default: from the id)"
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


RubricQuestion = Annotated[ExactQuestion | ConceptQuestion, Field(discriminator="kind")]


class AccuracyCurve(_Strict):
    """Full points at or above `full_at`, linear down to zero at `zero_at`."""

    full_at: float = Field(gt=0, le=1)
    zero_at: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> AccuracyCurve:
        if self.zero_at >= self.full_at:
            raise ValueError("zero_at must be below full_at")
        return self

    def share(self, measured: float) -> float:
        """Share of the question's points (0…1) for a measured accuracy; NaN earns nothing."""
        if not math.isfinite(measured) or measured <= self.zero_at:
            return 0.0
        if measured >= self.full_at:
            return 1.0
        return (measured - self.zero_at) / (self.full_at - self.zero_at)

    def points(self, measured: float, max_points: float) -> float:
        """Points for a measured accuracy, rounded to 2 decimals like every score."""
        return round(self.share(measured) * max_points, 2)


class ModelQuestion(_Strict):
    """A saved model (`artifacts/<id>.pt`) measured on the hidden test split."""

    title: str
    kind: Literal["accuracy"] = "accuracy"
    notebook: str
    dataset: Literal["cats_vs_dogs", "cifar10"]
    classes: int = Field(
        ge=2,
        description="classes the model tells apart: 2 reads N×1 logits as one binary output",
    )
    points: float = Field(gt=0)
    visibility: Visibility = Field(
        default="visible", description="Gradescope test visibility of this question's score"
    )
    thresholds: dict[str, AccuracyCurve] = Field(
        min_length=1, description="per dataset name (dataset.toml `name`): synthetic, real, ..."
    )
    structure: Literal["scratch_cnn", "inception", "residual"] | None = None
    structure_share: float = Field(
        default=0.25, ge=0, le=1, description="share of the points for the required structure"
    )

    @property
    def binary(self) -> bool:
        return self.classes == 2


class FiguresQuestion(_Strict):
    """Figures the executed notebook must show (e.g. activations and filters)."""

    title: str
    kind: Literal["figures"]
    notebook: str
    points: float = Field(gt=0)
    visibility: Visibility = Field(
        default="visible", description="Gradescope test visibility of this question's score"
    )
    min_figures: int = Field(default=2, ge=1)


def _notebook_question_kind(value: object) -> str:
    """`kind` may be left out of accuracy questions (the common case)."""
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return str(kind) if kind is not None else "accuracy"


NotebookQuestion = Annotated[
    Annotated[ModelQuestion, Tag("accuracy")] | Annotated[FiguresQuestion, Tag("figures")],
    Discriminator(_notebook_question_kind),
]


_SANDBOX_LIMITS = {spec.name: spec for spec in dataclasses.fields(SandboxLimits)}


def _sandbox_limit(limit: str, *, per: int = 1, **constraints: Any) -> Any:
    """A [notebooks] field that is the sandbox limit `limit`: its default (in units of `per`,
    e.g. GiB) and help text come from `SandboxLimits`, so they are stated once."""
    spec = _SANDBOX_LIMITS[limit]
    default: Any = spec.default  # every SandboxLimits field has a plain default
    return Field(
        default=default / per if per != 1 else default,
        description=spec.metadata["help"],
        **constraints,
    )


class NotebookSettings(_Strict):
    """The rubric's [notebooks] table: limits for running notebooks and evaluating saved models.

    Fields that are sandbox limits take their default and help from `SandboxLimits`;
    `sandbox_limits()` and `evaluation_limits()` build the limits a run uses.
    """

    timeout_seconds: float = _sandbox_limit("wall_seconds", gt=0)
    cell_timeout_seconds: float = Field(default=600, gt=0, description="wall clock per cell")
    address_space_gib: float = _sandbox_limit("address_space_bytes", per=GiB, gt=0)
    memory_gib: float = _sandbox_limit("memory_bytes", per=GiB, gt=0)
    max_processes: int = _sandbox_limit("max_processes", ge=16)
    threads: int = _sandbox_limit("threads", ge=1)
    output_bytes: int = _sandbox_limit("output_bytes", ge=1024)
    evaluation_timeout_seconds: float = Field(
        default=300, gt=0, description="wall clock per model evaluation on the hidden test inputs"
    )
    reported_accuracy_tolerance: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="a reported test accuracy further than this from the measured one is flagged",
    )

    def sandbox_limits(self, timeout_seconds: float | None = None) -> SandboxLimits:
        """Limits for executing one notebook; `timeout_seconds` (the CLI's --timeout) replaces
        the rubric's `timeout_seconds` when given."""
        return SandboxLimits(
            wall_seconds=timeout_seconds or self.timeout_seconds,
            address_space_bytes=int(self.address_space_gib * GiB),
            memory_bytes=int(self.memory_gib * GiB),
            max_processes=self.max_processes,
            output_bytes=self.output_bytes,
            threads=self.threads,
        )

    def evaluation_limits(self) -> SandboxLimits:
        """Limits for evaluating one saved model: the notebook's, with the evaluation timeout."""
        return dataclasses.replace(
            self.sandbox_limits(), wall_seconds=self.evaluation_timeout_seconds
        )


class AssignmentSettings(_Strict):
    id: str
    title: str
    parameters: str = Field(description="parameters file, relative to the rubric file")
    total_points: float = Field(gt=0)
    show_expected: bool = True
    review_below_confidence: float = Field(default=0.8, ge=0, le=1)


class Rubric(_Strict):
    """A loaded, validated rubric. `path` and `content_hash` identify it in grading runs."""

    _catalogue: QuestionCatalogue | None = PrivateAttr(default=None)

    assignment: AssignmentSettings
    questions: dict[str, RubricQuestion]
    notebooks: NotebookSettings = NotebookSettings()
    models: dict[str, NotebookQuestion] = Field(default_factory=dict)
    path: Path = Path()
    content_hash: str = ""

    @model_validator(mode="after")
    def _total_matches(self) -> Rubric:
        written = sum(q.points for q in self.questions.values())
        notebooks = sum(q.points for q in self.models.values())
        total = round(written + notebooks, 6)
        if total != round(self.assignment.total_points, 6):
            parts = f" ({written:g} written + {notebooks:g} notebooks)" if self.models else ""
            raise ValueError(
                f"question points add up to {total:g}{parts} but assignment.total_points is {self.assignment.total_points:g}"
            )
        return self

    @property
    def written_points(self) -> float:
        return round(sum(q.points for q in self.questions.values()), 6)

    @property
    def notebook_files(self) -> tuple[str, ...]:
        """The notebooks the rubric grades, in first-mentioned order."""
        return tuple(dict.fromkeys(q.notebook for q in self.models.values()))

    def shows_expected(self, question_id: str) -> bool:
        setting = self.questions[question_id].show_expected
        return self.assignment.show_expected if setting is None else setting

    @property
    def parameters_path(self) -> Path:
        return (self.path.parent / self.assignment.parameters).resolve()

    @property
    def catalogue(self) -> QuestionCatalogue:
        """Every question, written then notebook, in rubric order (built once)."""
        if self._catalogue is None:
            self._catalogue = _build_catalogue(self)
        return self._catalogue


def _build_catalogue(rubric: Rubric) -> QuestionCatalogue:
    entries: list[CatalogueQuestion] = []
    for qid, question in rubric.questions.items():
        entries.append(
            CatalogueQuestion(
                id=qid,
                title=question.title,
                kind=QuestionKind(question.kind),
                part=Part.WRITTEN,
                points=question.points,
                order=len(entries),
                show_expected=rubric.shows_expected(qid),
                visibility=question.visibility,
                sheet_number=question.number
                if question.number is not None
                else _sheet_number_of(qid),
            )
        )
    for qid, model in rubric.models.items():
        entries.append(
            CatalogueQuestion(
                id=qid,
                title=model.title,
                kind=QuestionKind(model.kind),
                part=Part.NOTEBOOKS,
                points=model.points,
                order=len(entries),
                show_expected=False,  # a notebook question has no expected value to show
                visibility=model.visibility,
            )
        )
    return QuestionCatalogue(entries)


def _sheet_number_of(question_id: str) -> int:
    """q7 is question 7 on the sheet (ids are checked to look like this when loaded)."""
    match = WRITTEN_QUESTION_ID.fullmatch(question_id)
    if match is None:
        raise ValueError(f"question id {question_id!r} must look like q1, q2 … or set `number`")
    return int(match.group(1))
