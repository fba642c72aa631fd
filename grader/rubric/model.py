"""The rubric file's model (pydantic): the assignment, its questions, the notebook settings.

Each question is validated by its kind's own model, looked up in the kinds table
(`grader.kinds.table`); the shared fields live in `grader.kinds.base`. Checks that need
only the rubric itself live here; checks that need the parameters file or the computed
key live in `loading`. Must not read files.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from grader.data.formats import DatasetDeclaration, dataset_format, parse_declaration
from grader.deadlines import Deadline, LatePolicy
from grader.kinds.base import (
    WRITTEN_QUESTION_ID,
    NotebookQuestion,
    QuestionModel,
    WrittenQuestion,
)
from grader.results import Part
from grader.rubric.catalogue import CatalogueQuestion, QuestionCatalogue
from grader.sandbox.kernel_requirements import package_problem
from grader.sandbox.request import GiB, SandboxLimits

if TYPE_CHECKING:
    from grader.reference.answer_key import QuestionKey
    from grader.reference.course_module import CourseReference
    from grader.reference.parameters import AssignmentParameters

__all__ = [
    "WRITTEN_QUESTION_ID",
    "AssignmentSettings",
    "NotebookSettings",
    "Rubric",
    "question_from_table",
]

#: A reference module is a plain file name: it is loaded only from the template folder.
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.py$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def question_from_table(entry: Any, part: Part) -> QuestionModel:
    """One `[questions.<id>]` or `[models.<id>]` table validated by its kind's model.

    `kind` may be left out of a notebook question that measures a model ("accuracy").
    Raises `UnknownKind` or pydantic's `ValidationError`.
    """
    from grader.kinds.table import kind_names, kind_of

    if isinstance(entry, QuestionModel):
        return entry
    if not isinstance(entry, dict):
        raise ValueError("must be a table")
    name = entry.get("kind", "accuracy" if part is Part.NOTEBOOKS else None)
    if name is None:
        raise ValueError(f"missing field `kind` (kinds: {', '.join(kind_names(part))})")
    kind = kind_of(str(name))
    if kind.part is not part:
        table = "questions" if kind.part is Part.WRITTEN else "models"
        raise ValueError(
            f"kind '{name}' belongs in [{table}.…], not here (kinds here: {', '.join(kind_names(part))})"
        )
    return kind.model.model_validate({**entry, "kind": kind.name})


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
    data_aliases: tuple[str, ...] = Field(
        default=(),
        description="more environment variables naming the data folder, besides $GRADER_DATA "
        "(a released notebook that reads, say, $HW4_DATA keeps running)",
    )
    kernel: tuple[str, ...] = Field(
        default=(),
        description="the packages (pinned, name==version) student notebooks may import, torch "
        "and numpy among them; `make kernel-env` builds one environment per distinct list "
        "(default: the `kernel` extra of pyproject.toml; kernels/torchvision.txt adds torchvision)",
    )

    @model_validator(mode="after")
    def _kernel_pinned(self) -> NotebookSettings:
        problem = package_problem(self.kernel)
        if problem is not None:
            raise ValueError(f"kernel: {problem}")
        return self

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
    id: str = Field(min_length=1)
    title: str
    parameters: str | None = Field(
        default=None,
        description="parameters file, relative to the rubric file (needed by computed questions)",
    )
    reference: str | None = Field(
        default=None,
        description="the course's reference module: a .py file beside the parameters file",
    )
    total_points: float = Field(gt=0)
    show_expected: bool = True
    review_below_confidence: float = Field(default=0.8, ge=0, le=1)
    due: datetime | None = Field(
        default=None, description="the due date, e.g. 2026-11-20T23:59:00+01:00 (with its offset)"
    )
    timezone: str | None = Field(
        default=None,
        description="an IANA zone (Europe/Berlin) for a due date written without offset",
    )
    late: LatePolicy | None = Field(default=None, description="[assignment.late]: the late policy")

    @model_validator(mode="after")
    def _due_has_a_timezone(self) -> AssignmentSettings:
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"timezone {self.timezone!r} is not a known zone (write e.g. Europe/Berlin)"
                ) from None
        if self.due is not None and self.due.tzinfo is None and self.timezone is None:
            raise ValueError(
                "due has no timezone: write it with its offset, e.g. "
                f'{self.due.isoformat(timespec="minutes")}+01:00, or add timezone = "Europe/Berlin"'
            )
        if self.late is not None and self.due is None:
            raise ValueError(
                "[assignment.late] needs a due date: add due = 2026-11-20T23:59:00+01:00"
            )
        return self

    @property
    def deadline(self) -> Deadline | None:
        """The due date with its timezone (the offset written, else `timezone`) and the policy."""
        if self.due is None:
            return None
        due = self.due
        if due.tzinfo is None and self.timezone is not None:
            due = due.replace(tzinfo=ZoneInfo(self.timezone))
        return Deadline(due, self.late)


class Rubric(_Strict):
    """A loaded, validated rubric. `path` and `content_hash` identify it in grading runs."""

    _catalogue: QuestionCatalogue | None = PrivateAttr(default=None)
    _parameters: AssignmentParameters | None = PrivateAttr(default=None)
    _reference: CourseReference | None = PrivateAttr(default=None)
    _keys: dict[str, QuestionKey] | None = PrivateAttr(default=None)
    _sources: dict[str, str] = PrivateAttr(default_factory=dict)
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    assignment: AssignmentSettings
    questions: dict[str, WrittenQuestion] = Field(default_factory=dict)
    notebooks: NotebookSettings = NotebookSettings()
    datasets: dict[str, DatasetDeclaration] = Field(
        default_factory=dict, description="the notebook part's datasets: format and shapes"
    )
    models: dict[str, NotebookQuestion] = Field(default_factory=dict)
    path: Path = Path()
    content_hash: str = ""

    @model_validator(mode="before")
    @classmethod
    def _questions_by_kind(cls, raw: Any) -> Any:
        """Validate every question with its kind's model (the kinds table)."""
        if not isinstance(raw, dict):
            return raw
        converted = dict(raw)
        if isinstance(raw.get("datasets"), dict):
            converted["datasets"] = {
                name: parse_declaration(name, table) for name, table in raw["datasets"].items()
            }
        for table, part in (("questions", Part.WRITTEN), ("models", Part.NOTEBOOKS)):
            entries = raw.get(table)
            if isinstance(entries, dict):
                converted[table] = {
                    qid: question_from_table(entry, part) for qid, entry in entries.items()
                }
        return converted

    @model_validator(mode="after")
    def _models_fit_their_datasets(self) -> Rubric:
        from grader.measures import MEASURES

        for qid, question in self.models.items():
            name = getattr(question, "dataset", None)
            if name is None:
                continue
            declared = self.datasets.get(name)
            if declared is None:
                known = ", ".join(self.datasets) or "none declared"
                raise ValueError(
                    f"question {qid}: dataset '{name}' is not declared in [datasets] ({known})"
                )
            format = dataset_format(declared)
            classes = getattr(question, "classes", None)
            if (
                classes is not None
                and format.target(declared) == "class"
                and classes != format.classes(declared)
            ):
                raise ValueError(
                    f"question {qid}: classes = {classes} but {name} has "
                    f"{format.classes(declared)} classes"
                )
            measure = MEASURES[getattr(question, "measure", "accuracy")]
            if measure.target != format.target(declared):
                raise ValueError(
                    f"question {qid}: {measure.words} measures {measure.target} predictions, but "
                    f"{name} has {format.target(declared)} targets"
                )
            k = getattr(question, "k", 5)
            told_apart = classes or format.classes(declared)
            if measure.name == "top_k_accuracy" and k >= told_apart:
                raise ValueError(
                    f"question {qid}: top-{k} accuracy over {told_apart} classes is always 1; "
                    f"set k below {told_apart}"
                )
        return self

    def model_classes(self, question_id: str) -> int:
        """How many classes a model question's classifier tells apart (0 for real targets)."""
        question = self.models[question_id]
        classes = getattr(question, "classes", None)
        if classes is not None:
            return int(classes)
        declared = self.datasets[str(getattr(question, "dataset", ""))]
        return dataset_format(declared).classes(declared)

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
        """The parameters file (a rubric without computed questions may name none)."""
        if self.assignment.parameters is None:
            return self.path.parent / "parameters.toml"
        return (self.path.parent / self.assignment.parameters).resolve()

    @property
    def reference_path(self) -> Path | None:
        """The course's reference module, beside the parameters file, or None."""
        if self.assignment.reference is None:
            return None
        return self.parameters_path.parent / self.assignment.reference

    @property
    def parameters(self) -> AssignmentParameters:
        """The question parameters (set by `load_rubric`; empty for a rubric without any)."""
        if self._parameters is None:
            from grader.reference.parameters import AssignmentParameters

            return AssignmentParameters()
        return self._parameters

    @property
    def reference(self) -> CourseReference | None:
        return self._reference

    @property
    def keys(self) -> dict[str, QuestionKey]:
        """Every computed question's key, from the parameters (computed once)."""
        if self._keys is None:
            from grader.reference.answer_key import compute_key

            self._keys = compute_key(self.parameters, self.reference)
        return self._keys

    @property
    def sources(self) -> dict[str, str]:
        """The text of every file the rubric was loaded from, by role: rubric, parameters,
        reference. Stored with each run, so a gradebook knows the exact rubric it used."""
        return dict(self._sources)

    def with_loaded(
        self,
        *,
        parameters: AssignmentParameters | None,
        reference: CourseReference | None,
        sources: dict[str, str],
        content_hash: str,
    ) -> Rubric:
        """The rubric with what `load_rubric` read beside it."""
        copy = self.model_copy(update={"content_hash": content_hash})
        copy._parameters = parameters
        copy._reference = reference
        copy._sources = dict(sources)
        copy._keys = None
        copy._catalogue = None
        return copy

    @property
    def warnings(self) -> tuple[str, ...]:
        """Doubts about the rubric that do not stop grading (one line each, with the fix)."""
        return self._warnings

    def with_warnings(self, warnings: list[str]) -> Rubric:
        copy = self.model_copy()
        copy._warnings = tuple(warnings)
        return copy

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
                kind=question.kind,
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
                kind=model.kind,
                part=Part.NOTEBOOKS,
                points=model.points,
                order=len(entries),
                show_expected=False,  # a notebook question has no expected value to show
                visibility=model.visibility,
            )
        )
    return QuestionCatalogue(entries, deadline=rubric.assignment.deadline)


def _sheet_number_of(question_id: str) -> int:
    """q7 is question 7 on the sheet (ids are checked to look like this when loaded)."""
    match = WRITTEN_QUESTION_ID.fullmatch(question_id)
    if match is None:
        raise ValueError(f"question id {question_id!r} must look like q1, q2 … or set `number`")
    return int(match.group(1))
