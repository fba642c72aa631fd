"""Typed rubric model (pydantic): questions, points, partial-credit policies, concept key points.

Validation rules that need only the rubric itself live here; checks that
need the parameters file (does every `key` exist?) live in `loading`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


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
    key: str = Field(description="the entry in the parameters file whose answers are computed")
    show_expected: bool | None = None
    partial: PartialCredit = PartialCredit()


class KeyPoint(_Strict):
    """One key point of a concept answer; covered when every keyword group has a hit."""

    text: str
    points: float = Field(default=1, gt=0)
    keywords: tuple[tuple[str, ...], ...] = Field(
        min_length=1,
        description="groups of synonyms; each group needs one hit. A trailing * matches any word ending.",
    )
    shape_example: bool = Field(
        default=False, description="a written H×W×C shape also covers this point"
    )

    @field_validator("keywords")
    @classmethod
    def _no_empty_group(cls, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in groups:
            if not group or any(not word.strip(" *") for word in group):
                raise ValueError("every keyword group needs at least one non-empty word")
            for word in group:
                if "*" in word.rstrip("*"):
                    raise ValueError(f"keyword '{word}': * may only end a keyword")
        return groups


class ConceptQuestion(_Strict):
    """An explanation graded against key points: suggested by the grader, confirmed by a person."""

    title: str
    kind: Literal["concept"]
    points: float = Field(gt=0)
    show_expected: bool | None = None
    min_words: int = Field(
        default=8, ge=0, description="shorter answers are flagged for a closer look"
    )
    key_points: tuple[KeyPoint, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _points_add_up(self) -> ConceptQuestion:
        total = round(sum(kp.points for kp in self.key_points), 6)
        if total != round(self.points, 6):
            raise ValueError(
                f"key points add up to {total:g} but the question is worth {self.points:g}"
            )
        return self


RubricQuestion = Annotated[ExactQuestion | ConceptQuestion, Field(discriminator="kind")]


class AssignmentSettings(_Strict):
    id: str
    title: str
    parameters: str = Field(description="parameters file, relative to the rubric file")
    total_points: float = Field(gt=0)
    show_expected: bool = True
    review_below_confidence: float = Field(default=0.8, ge=0, le=1)


class Rubric(_Strict):
    """A loaded, validated rubric. `path` and `content_hash` identify it in grading runs."""

    assignment: AssignmentSettings
    questions: dict[str, RubricQuestion]
    path: Path = Path()
    content_hash: str = ""

    @model_validator(mode="after")
    def _total_matches(self) -> Rubric:
        total = round(sum(q.points for q in self.questions.values()), 6)
        if total != round(self.assignment.total_points, 6):
            raise ValueError(
                f"question points add up to {total:g} but assignment.total_points is {self.assignment.total_points:g}"
            )
        return self

    def shows_expected(self, question_id: str) -> bool:
        setting = self.questions[question_id].show_expected
        return self.assignment.show_expected if setting is None else setting

    @property
    def parameters_path(self) -> Path:
        return (self.path.parent / self.assignment.parameters).resolve()

    def question_number(self, question_id: str) -> int:
        return int(question_id.lstrip("q"))
