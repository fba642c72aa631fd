"""Typed rubric model (pydantic): questions, points, partial-credit policies, concept key points.

Validation rules that need only the rubric itself live here; checks that
need the parameters file (does every `key` exist?) live in `loading`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)


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


class AccuracyCurve(_Strict):
    """Full points at or above `full_at`, linear down to zero at `zero_at`."""

    full_at: float = Field(gt=0, le=1)
    zero_at: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> AccuracyCurve:
        if self.zero_at >= self.full_at:
            raise ValueError("zero_at must be below full_at")
        return self


class ModelQuestion(_Strict):
    """A saved model (`artifacts/<id>.pt`) measured on the hidden test split."""

    title: str
    kind: Literal["accuracy"] = "accuracy"
    notebook: str
    dataset: Literal["cats_vs_dogs", "cifar10"]
    points: float = Field(gt=0)
    thresholds: dict[str, AccuracyCurve] = Field(
        min_length=1, description="per dataset name (dataset.toml `name`): synthetic, real, ..."
    )
    structure: Literal["scratch_cnn", "inception", "residual"] | None = None
    structure_share: float = Field(
        default=0.25, ge=0, le=1, description="share of the points for the required structure"
    )


class FiguresQuestion(_Strict):
    """Figures the executed notebook must show (e.g. activations and filters)."""

    title: str
    kind: Literal["figures"]
    notebook: str
    points: float = Field(gt=0)
    min_figures: int = Field(default=2, ge=1)


def _notebook_question_kind(value: object) -> str:
    """`kind` may be left out of accuracy questions (the common case)."""
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return str(kind) if kind is not None else "accuracy"


NotebookQuestion = Annotated[
    Annotated[ModelQuestion, Tag("accuracy")] | Annotated[FiguresQuestion, Tag("figures")],
    Discriminator(_notebook_question_kind),
]


class NotebookSettings(_Strict):
    """Execution limits for the notebook part; CLI options override them."""

    timeout_seconds: float = Field(default=900, gt=0, description="wall clock per notebook")
    cell_timeout_seconds: float = Field(default=600, gt=0, description="wall clock per cell")
    address_space_gib: float = Field(default=8, gt=0, description="RLIMIT_AS backstop per notebook")
    max_processes: int = Field(default=512, ge=16, description="RLIMIT_NPROC (threads count too)")
    threads: int = Field(default=1, ge=1, description="OMP/MKL/torch threads per notebook")
    output_bytes: int = Field(default=1 << 20, ge=1024, description="captured output cap")
    evaluation_timeout_seconds: float = Field(default=300, gt=0, description="per model evaluation")
    reported_accuracy_tolerance: float = Field(default=0.05, ge=0, le=1)


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

    def question_number(self, question_id: str) -> int:
        return int(question_id.lstrip("q"))
