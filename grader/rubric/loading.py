"""Read a rubric TOML file, validate it against its parameters file, and hash both.

Every failure is a `RubricError` naming the file, the question and the fix.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from pydantic import ValidationError

from grader.errors import ParametersError, RubricError
from grader.reference.parameters import ConvQuestion, PoolQuestion, ShapeQuestion, load_parameters
from grader.rubric.catalogue import QuestionKind
from grader.rubric.model import WRITTEN_QUESTION_ID, ExactQuestion, Rubric

MODEL_ID = re.compile(r"^p\d{1,2}\.[a-z][a-z0-9_]*$")
NOTEBOOK_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.ipynb$")
KIND_OF_OPERATION = {ConvQuestion: "matrix", PoolQuestion: "tensor", ShapeQuestion: "shape"}


def _first_error(exc: ValidationError) -> tuple[str | None, str]:
    """(question id or None, 'field: message') for the first pydantic error."""
    error = exc.errors()[0]
    location = [str(part) for part in error["loc"]]
    question = location[1] if len(location) > 1 and location[0] in ("questions", "models") else None
    # Drop the discriminator tag pydantic inserts ("matrix", "concept"...) from the path.
    tags = {kind.value for kind in QuestionKind}
    rest = [part for part in location[2:] if part not in tags]
    field = ".".join(rest) if question else ".".join(location)
    message = error["msg"].removeprefix("Value error, ")
    return question, f"{field}: {message}" if field else message


def load_rubric(path: Path) -> Rubric:
    """Load and fully validate a rubric, including that every `key` exists in its parameters file."""
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise RubricError(
            "rubric file not found", path=path, hint="pass --rubric rubrics/hw4.toml"
        ) from None
    except IsADirectoryError:
        raise RubricError(
            "is a folder, not a rubric file", path=path, hint="pass the .toml file itself"
        ) from None
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(
            f"not valid TOML: {exc}", path=path, hint="fix the syntax at the position shown"
        ) from None

    for question_id in raw.get("questions", {}):
        if not WRITTEN_QUESTION_ID.fullmatch(question_id):
            raise RubricError(
                "question ids must look like q1, q2 …",
                path=path,
                question=question_id,
                hint="rename the table",
            )
    for model_id, model in raw.get("models", {}).items():
        if not MODEL_ID.match(model_id):
            raise RubricError(
                "model ids must look like p1.scratch (part number, dot, lower-case name)",
                path=path,
                question=model_id,
                hint="rename the table",
            )
        notebook = model.get("notebook", "") if isinstance(model, dict) else ""
        if not NOTEBOOK_NAME.match(str(notebook)):
            raise RubricError(
                f"notebook '{notebook}' must be a plain file name ending in .ipynb",
                path=path,
                question=model_id,
                hint='e.g. notebook = "p1_cats_dogs.ipynb"',
            )
    try:
        rubric = Rubric.model_validate({**raw, "path": path})
    except ValidationError as exc:
        failed_question, message = _first_error(exc)
        raise RubricError(
            message, path=path, question=failed_question, hint=_hint_for(message)
        ) from None

    try:
        parameters = load_parameters(rubric.parameters_path)
        parameters_bytes = rubric.parameters_path.read_bytes()
    except ParametersError as exc:
        # One hint only: the parameters file's own, else ours (one_line() would repeat "fix:").
        where = f"{exc.path}: " if exc.path else ""
        raise RubricError(
            f"assignment.parameters: {where}{exc.message}",
            path=path,
            hint=exc.hint or "point `parameters` at the right file",
        ) from None

    for question_id, question in rubric.questions.items():
        if not isinstance(question, ExactQuestion):
            continue
        computed = parameters.questions.get(question.key)
        if computed is None:
            raise RubricError(
                f"key '{question.key}' is not in {rubric.parameters_path.name}",
                path=path,
                question=question_id,
                hint=f"use one of: {', '.join(sorted(parameters.questions))}",
            )
        expected_kind = KIND_OF_OPERATION[type(computed)]
        if question.kind != expected_kind:
            raise RubricError(
                f"kind is '{question.kind}' but key '{question.key}' computes a {expected_kind}",
                path=path,
                question=question_id,
                hint=f'set kind = "{expected_kind}"',
            )

    content_hash = hashlib.sha256(raw_bytes + b"\0" + parameters_bytes).hexdigest()
    return rubric.model_copy(update={"content_hash": content_hash})


def _hint_for(message: str) -> str:
    if "add up to" in message:
        return "make the points agree"
    if "Field required" in message:
        return "add the missing field"
    if "Extra inputs" in message:
        return "remove or rename the unknown field"
    if "discriminator" in message or "tag" in message:
        return "set kind to one of matrix, tensor, shape, concept"
    return "see rubrics/hw4.toml for a valid example"
