"""Load and validate an assignment's question parameters (`parameters.toml` in its template folder).

Only the inputs of the questions live in that file: named arrays (`[image]` and `[filter]`,
or any `[arrays.<name>]`) and, per question, the operation that computes its
key with that operation's own parameters (validated by the operation's model, looked up
in `grader.reference.operations.OPERATIONS`). Results are computed by `answer_key`.
Must not compute keys or know any one homework.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    field_validator,
    model_validator,
)

from grader.errors import ParametersError
from grader.reference.values import ExactArray, exact_array, exact_number

DOCS_HINT = "see docs/authoring.md for the parameters of each operation"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _tuples(values: Any) -> Any:
    if isinstance(values, list | tuple):
        return tuple(_tuples(v) for v in values)
    return values


def _rectangular_shape(values: Any, where: str = "values") -> tuple[int, ...]:
    """The shape of nested lists of numbers; ValueError when ragged or not numbers."""
    if not isinstance(values, list | tuple):
        exact_number(values)
        return ()
    if not values:
        raise ValueError(f"{where} is empty")
    shapes = {_rectangular_shape(item, where) for item in values}
    if len(shapes) != 1:
        raise ValueError(f"{where} is not rectangular: every row must have the same length")
    return (len(values), *shapes.pop())


class ArraySpec(_Strict):
    """A named array of numbers (any rank; a C×H×W image is one H×W matrix per channel).

    Entries are integers, decimals (0.5, read as the exact decimal) or fractions as text
    ("1/3").
    """

    description: str = ""
    channel_names: tuple[str, ...] = ()
    values: Any

    @field_validator("values", mode="before")
    @classmethod
    def _as_tuples(cls, values: Any) -> Any:
        """Nested lists as nested tuples: equal arrays compare equal however they were made."""
        return _tuples(values)

    @model_validator(mode="after")
    def _rectangular(self) -> ArraySpec:
        shape = _rectangular_shape(self.values)
        if not shape:
            raise ValueError(
                "values must be a list (a vector, a matrix, or one matrix per channel)"
            )
        if self.channel_names and len(self.channel_names) != shape[0]:
            raise ValueError(
                f"channel_names names {len(self.channel_names)} channels but values has {shape[0]}"
            )
        return self

    @property
    def shape(self) -> tuple[int, ...]:
        return _rectangular_shape(self.values)

    @property
    def exact(self) -> ExactArray:
        return exact_array(self.values)


class OperationParameters(_Strict):
    """The parameters of one question: `operation` names how its key is computed."""

    operation: str
    description: str = Field(default="", description="a note for staff; never shown to students")


#: An array given inline (nested numbers) or by the name of a top-level array ("image", "x").
ArrayRef = str | list[Any]


class AssignmentParameters(_Strict):
    """Everything the answer key is computed from."""

    image: ArraySpec | None = None
    filter: ArraySpec | None = None
    arrays: dict[str, ArraySpec] = Field(default_factory=dict)
    # SerializeAsAny: a dump keeps each operation's own fields, not only the base model's.
    questions: dict[str, SerializeAsAny[OperationParameters]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _questions_by_operation(cls, raw: Any) -> Any:
        """Validate each question entry with its operation's own model (see `OPERATIONS`)."""
        if not isinstance(raw, dict) or not isinstance(raw.get("questions"), dict):
            return raw
        return {
            **raw,
            "questions": {
                qid: parse_question(qid, entry) for qid, entry in raw["questions"].items()
            },
        }

    @model_validator(mode="after")
    def _names_unique(self) -> AssignmentParameters:
        for name in ("image", "filter"):
            if name in self.arrays and getattr(self, name) is not None:
                raise ValueError(
                    f"the array '{name}' is given twice ([{name}] and [arrays.{name}])"
                )
        return self

    def named_arrays(self) -> dict[str, ArraySpec]:
        """Every top-level array by the name a question uses for it."""
        named = dict(self.arrays)
        if self.image is not None:
            named["image"] = self.image
        if self.filter is not None:
            named["filter"] = self.filter
        return named


class QuestionParametersError(ValueError):
    """One question entry is not valid: the message names the field, in course words."""


def parse_question(question_id: str, entry: Any) -> OperationParameters:
    """One `[questions.<id>]` entry validated by its operation's model."""
    from grader.reference.operations import OPERATIONS  # the table imports this module

    if isinstance(entry, OperationParameters):
        return entry
    if not isinstance(entry, dict):
        raise QuestionParametersError(f"questions.{question_id} must be a table")
    operation = entry.get("operation")
    if operation is None:
        raise QuestionParametersError(
            f"questions.{question_id}: missing `operation` (one of: {', '.join(OPERATIONS)})"
        )
    spec = OPERATIONS.get(str(operation))
    if spec is None:
        close = difflib.get_close_matches(str(operation), list(OPERATIONS), n=1)
        maybe = f" — did you mean '{close[0]}'?" if close else ""
        raise QuestionParametersError(
            f"questions.{question_id}: operation '{operation}' is not one the grader computes"
            f"{maybe} (operations: {', '.join(OPERATIONS)})"
        )
    try:
        return spec.parameters.model_validate(entry)
    except ValidationError as exc:
        raise QuestionParametersError(
            f"questions.{question_id}: {course_words(exc, spec.parameters)}"
        ) from None


def course_words(exc: ValidationError, model: type[BaseModel]) -> str:
    """The first pydantic error as a lecturer reads it: which field, and what is wrong.

    A misspelt field shows as two errors (the right name missing, the wrong one unknown):
    the unknown one is named first, with the name it was meant to be."""
    errors = exc.errors()
    missing = {str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"]}
    misspelt = [
        e
        for e in errors
        if e["type"] == "extra_forbidden"
        and e["loc"]
        and difflib.get_close_matches(str(e["loc"][-1]), list(missing), n=1)
    ]
    error = misspelt[0] if misspelt else errors[0]
    field = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
    kind = error["type"]
    if kind == "missing":
        return f"missing field `{field}`"
    if kind == "extra_forbidden":
        known = list(model.model_fields)
        close = difflib.get_close_matches(field.split(".")[-1], known, n=1)
        maybe = f" — did you mean `{close[0]}`?" if close else ""
        return f"unknown field `{field}`{maybe} (fields: {', '.join(known)})"
    message = error["msg"].removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


def parameters_from_text(text: str, *, path: Path) -> AssignmentParameters:
    """Parse and validate the text of a parameters file; any problem is one `ParametersError`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParametersError(
            f"not valid TOML: {exc}", path=path, hint="fix the syntax at the position shown"
        ) from None
    try:
        return AssignmentParameters.model_validate(raw)
    except QuestionParametersError as exc:
        raise ParametersError(str(exc), path=path, hint=DOCS_HINT) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "value_error" and isinstance(
            (first.get("ctx") or {}).get("error"), QuestionParametersError
        ):
            raise ParametersError(str(first["ctx"]["error"]), path=path, hint=DOCS_HINT) from None
        raise ParametersError(
            course_words(exc, AssignmentParameters), path=path, hint=DOCS_HINT
        ) from None


def load_parameters(path: Path) -> AssignmentParameters:
    """Read and validate a parameters file; any problem is one `ParametersError` line."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ParametersError(
            "parameters file not found", path=path, hint="check the rubric's `parameters` path"
        ) from None
    except UnicodeDecodeError:
        raise ParametersError("is not UTF-8 text", path=path, hint="save it as UTF-8") from None
    return parameters_from_text(text, path=path)
