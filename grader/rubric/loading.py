"""Read a rubric, validate it against its parameters file and computed key, and fingerprint it.

Everything that can go wrong is caught here, before anything is graded, as one
`RubricError` line naming the file, the question and the fix in course words: an unknown
kind or field (with the closest name), a question whose parameters entry is missing, a
key that names nothing, a parameters entry no question uses, a question whose id looks
like a typo of its key's (`[questions.q77]` computing `q7`), a mistake name the key never
computes, an approximate key without a tolerance, points that do not add up, and (when
the template's `template.toml` sits beside the parameters) questions the assignment
does not list.

`load_rubric(path)` reads the files; `rubric_from_source` does the same from their text
(a gradebook keeps the text of every rubric a run used). Must not grade or write.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from grader.data.formats import DeclarationError
from grader.errors import ParametersError, RubricError
from grader.kinds.base import WRITTEN_QUESTION_ID, QuestionModel
from grader.kinds.table import UnknownKind, kind_of
from grader.reference.course_module import CourseReference, load_course_reference
from grader.reference.parameters import (
    AssignmentParameters,
    course_words,
    parameters_from_text,
)
from grader.results import Part
from grader.rubric.model import MODULE_NAME, AssignmentSettings, Rubric, question_from_table

MODEL_ID = re.compile(r"^p\d{1,2}\.[a-z][a-z0-9_]*$")
NOTEBOOK_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.ipynb$")
DOCS_HINT = "see docs/authoring.md for every field"
TEMPLATE_MANIFEST = "template.toml"


@dataclass(frozen=True)
class RubricSource:
    """The text of a rubric and of the files it names: what a run stores as its rubric of record."""

    path: Path
    rubric_text: str
    parameters_text: str | None = None
    reference_text: str | None = None

    @property
    def content_hash(self) -> str:
        """sha256 of the rubric, the parameters and the reference module (as graded)."""
        payload = (
            self.rubric_text.encode("utf-8") + b"\0" + (self.parameters_text or "").encode("utf-8")
        )
        if self.reference_text is not None:
            payload += b"\0" + self.reference_text.encode("utf-8")
        return hashlib.sha256(payload).hexdigest()

    def as_texts(self) -> dict[str, str]:
        texts = {"rubric": self.rubric_text}
        if self.parameters_text is not None:
            texts["parameters"] = self.parameters_text
        if self.reference_text is not None:
            texts["reference"] = self.reference_text
        return texts


def _read_text(path: Path, *, what: str, rubric: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        if path == rubric:
            raise RubricError(
                "rubric file not found",
                path=path,
                hint="pass --rubric with the rubric's .toml file",
            ) from None
        file = "parameters file" if what == "parameters" else "reference module"
        raise RubricError(
            f"assignment.{what}: {path}: {file} not found",
            path=rubric,
            hint=f"check the rubric's `{what}` path",
        ) from None
    except IsADirectoryError:
        raise RubricError(
            "is a folder, not a file", path=path, hint="pass the .toml file itself"
        ) from None
    except UnicodeDecodeError:
        raise RubricError("is not UTF-8 text", path=path, hint="save it as UTF-8") from None


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(
            f"not valid TOML: {exc}", path=path, hint="fix the syntax at the position shown"
        ) from None


def read_rubric_source(path: Path) -> RubricSource:
    """The rubric's text and that of the parameters file and reference module it names."""
    text = _read_text(path, what="rubric", rubric=path)
    assignment = _parse_toml(text, path).get("assignment")
    parameters = reference = None
    if isinstance(assignment, dict) and isinstance(assignment.get("parameters"), str):
        parameters_path = (path.parent / assignment["parameters"]).resolve()
        parameters = _read_text(parameters_path, what="parameters", rubric=path)
        module = assignment.get("reference")
        if isinstance(module, str) and MODULE_NAME.match(module):
            reference = _read_text(parameters_path.parent / module, what="reference", rubric=path)
    return RubricSource(path, text, parameters, reference)


def load_rubric(path: Path) -> Rubric:
    """Load and fully validate a rubric file (see the module docstring for what is checked)."""
    return rubric_from_source(read_rubric_source(path), check_template=True)


def rubric_from_source(source: RubricSource, *, check_template: bool = False) -> Rubric:
    """Validate a rubric from its text (and its parameters' and reference module's)."""
    path = source.path
    raw = _parse_toml(source.rubric_text, path)
    assignment = _assignment(raw, path)
    questions = _questions(raw, path)
    try:
        rubric = Rubric.model_validate({**raw, **questions, "path": path})
    except DeclarationError as exc:
        raise RubricError(str(exc), path=path, hint=DOCS_HINT) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        if isinstance((error.get("ctx") or {}).get("error"), DeclarationError):
            raise RubricError(str(error["ctx"]["error"]), path=path, hint=DOCS_HINT) from None
        raise RubricError(
            course_words(exc, Rubric), path=path, hint=_hint_for(course_words(exc, Rubric))
        ) from None
    _check_sheet_numbers(rubric, path)
    computed = {qid: q for qid, q in rubric.questions.items() if kind_of(q.kind).computed}
    parameters: AssignmentParameters | None = None
    reference: CourseReference | None = None
    if source.parameters_text is not None:
        parameters = _parameters(source, rubric)
    elif computed:
        first = next(iter(computed))
        raise RubricError(
            f"a {computed[first].kind} question computes its answer from a parameters file, but "
            "[assignment] names none",
            path=path,
            question=first,
            hint='add parameters = "../reference/<homework>/parameters.toml" to [assignment]',
        )
    if assignment.reference is not None:
        reference = _reference(source, rubric)
    loaded = rubric.with_loaded(
        parameters=parameters,
        reference=reference,
        sources=source.as_texts(),
        content_hash=source.content_hash,
    )
    if computed or parameters is not None:
        _check_keys(loaded, path)
    if check_template:
        loaded = loaded.with_warnings(template_list_warnings(loaded))
    return loaded


def _assignment(raw: dict[str, Any], path: Path) -> AssignmentSettings:
    table = raw.get("assignment")
    if not isinstance(table, dict):
        raise RubricError(
            "missing the [assignment] table",
            path=path,
            hint="add [assignment] with id, title and total_points",
        )
    try:
        settings = AssignmentSettings.model_validate(table)
    except ValidationError as exc:
        raise RubricError(
            f"assignment.{course_words(exc, AssignmentSettings)}", path=path, hint=DOCS_HINT
        ) from None
    if settings.reference is not None and not MODULE_NAME.match(settings.reference):
        raise RubricError(
            f"assignment.reference = '{settings.reference}' must be a plain .py file name",
            path=path,
            hint="put the module in the template folder, beside the parameters file, and name it "
            'alone, e.g. reference = "answers.py"',
        )
    return settings


def _questions(raw: dict[str, Any], path: Path) -> dict[str, dict[str, QuestionModel]]:
    """Every question validated by its kind's model; the first problem is one RubricError."""
    converted: dict[str, dict[str, QuestionModel]] = {}
    for table, part in (("questions", Part.WRITTEN), ("models", Part.NOTEBOOKS)):
        entries = raw.get(table, {})
        if not isinstance(entries, dict):
            raise RubricError(f"[{table}] must be a table of questions", path=path, hint=DOCS_HINT)
        converted[table] = {}
        for qid, entry in entries.items():
            _check_id(qid, entry, part, path)
            try:
                converted[table][qid] = question_from_table(entry, part)
            except UnknownKind as exc:
                raise RubricError(
                    exc.message, path=path, question=qid, hint="set kind to one of the kinds listed"
                ) from None
            except ValidationError as exc:
                words = course_words(exc, kind_of(str(entry.get("kind", "accuracy"))).model)
                raise RubricError(words, path=path, question=qid, hint=_hint_for(words)) from None
            except ValueError as exc:
                raise RubricError(str(exc), path=path, question=qid, hint=DOCS_HINT) from None
    return converted


def _check_id(qid: str, entry: Any, part: Part, path: Path) -> None:
    if part is Part.WRITTEN:
        number = entry.get("number") if isinstance(entry, dict) else None
        if not WRITTEN_QUESTION_ID.fullmatch(qid) and number is None:
            raise RubricError(
                "question ids must look like q1, q2 …",
                path=path,
                question=qid,
                hint="rename the table, or give the question its sheet `number`",
            )
        return
    if not MODEL_ID.match(qid):
        raise RubricError(
            "model ids must look like p1.scratch (part number, dot, lower-case name)",
            path=path,
            question=qid,
            hint="rename the table",
        )
    notebook = entry.get("notebook", "") if isinstance(entry, dict) else ""
    if not NOTEBOOK_NAME.match(str(notebook)):
        raise RubricError(
            f"notebook '{notebook}' must be a plain file name ending in .ipynb",
            path=path,
            question=qid,
            hint='e.g. notebook = "p1_cats_dogs.ipynb"',
        )


def _check_sheet_numbers(rubric: Rubric, path: Path) -> None:
    """Two questions answered under the same number: one of them can never be found."""
    seen: dict[int, str] = {}
    for entry in rubric.catalogue.in_part(Part.WRITTEN):
        if entry.sheet_number is None:
            continue
        other = seen.get(entry.sheet_number)
        if other is not None:
            raise RubricError(
                f"{other} and {entry.id} are both question {entry.sheet_number} on the sheet",
                path=path,
                question=entry.id,
                hint="fix the id or set a distinct `number`",
            )
        seen[entry.sheet_number] = entry.id


def _parameters(source: RubricSource, rubric: Rubric) -> AssignmentParameters:
    assert source.parameters_text is not None
    try:
        return parameters_from_text(source.parameters_text, path=rubric.parameters_path)
    except ParametersError as exc:
        # One hint only: the parameters file's own, else ours (one_line() would repeat "fix:").
        where = f"{exc.path}: " if exc.path else ""
        raise RubricError(
            f"assignment.parameters: {where}{exc.message}",
            path=source.path,
            hint=exc.hint or "point `parameters` at the right file",
        ) from None


def _reference(source: RubricSource, rubric: Rubric) -> CourseReference:
    module_path = rubric.reference_path
    assert module_path is not None
    if source.reference_text is None:
        raise RubricError(
            f"assignment.reference: {module_path}: no such file",
            path=source.path,
            hint="put the module in the template folder, beside the parameters file",
        )
    try:
        return load_course_reference(source.reference_text, path=module_path)
    except ParametersError as exc:
        raise RubricError(
            f"assignment.reference: {exc.one_line()}", path=source.path, hint=None
        ) from None


def _check_keys(rubric: Rubric, path: Path) -> None:
    """Every computed question names a parameters entry, every entry is used, the key fits."""
    parameters = rubric.parameters
    file_name = rubric.parameters_path.name
    try:
        keys = rubric.keys
    except ParametersError as exc:
        raise RubricError(
            f"assignment.parameters: {exc.message}",
            path=path,
            hint=exc.hint or "check the question's parameters",
        ) from None
    for qid, question in rubric.questions.items():
        kind = kind_of(question.kind)
        if not kind.computed:
            continue
        key_name = question.key  # type: ignore[attr-defined]
        if key_name not in parameters.questions:
            close = difflib.get_close_matches(key_name, list(parameters.questions), n=1)
            maybe = f" — did you mean '{close[0]}'?" if close else ""
            raise RubricError(
                f"key '{key_name}' is not in {file_name}{maybe}",
                path=path,
                question=qid,
                hint=f"add [questions.{key_name}] to {file_name}, or use one of: "
                f"{', '.join(sorted(parameters.questions)) or 'none'}",
            )
        if (
            key_name != qid
            and WRITTEN_QUESTION_ID.fullmatch(key_name)
            and key_name not in rubric.questions
        ):
            raise RubricError(
                f"computes key '{key_name}', but the rubric has no question {key_name}: is "
                f"[questions.{qid}] meant to be [questions.{key_name}]?",
                path=path,
                question=qid,
                hint=f"rename the table to [questions.{key_name}], or name the parameters entry "
                f"after the question ({qid})",
            )
        problems = kind.check(qid, question, keys[key_name])
        if problems:
            raise RubricError(problems[0], path=path, question=qid)


def template_list_warnings(rubric: Rubric) -> list[str]:
    """When the template's manifest sits beside the parameters, the questions it lists and the
    rubric's should be the same: each difference is one warning line (a misnamed table, a
    question added to one file and not the other). `check-template` makes them failures."""
    if rubric.assignment.parameters is None:
        return []
    manifest = rubric.parameters_path.parent / TEMPLATE_MANIFEST
    try:
        listed = tomllib.loads(manifest.read_text(encoding="utf-8")).get("questions", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # check-template reports a broken manifest itself
    if not isinstance(listed, dict):
        return []
    warnings: list[str] = []
    for table, graded, part in (
        ("written", rubric.questions, "questions"),
        ("notebooks", rubric.models, "models"),
    ):
        names = [str(name) for name in listed.get(table) or []]
        if not names:
            continue
        absent = [name for name in names if name not in graded]
        for qid in graded:
            if qid in names:
                continue
            close = difflib.get_close_matches(qid, absent, n=1)
            maybe = f"; is [{part}.{qid}] meant to be [{part}.{close[0]}]?" if close else ""
            warnings.append(
                f"{rubric.path}: question {qid} is not in the assignment's list in {manifest}{maybe} "
                f"(fix: rename the table, or add {qid} to [questions] {table} there)"
            )
        for qid in absent:
            warnings.append(
                f"{rubric.path}: question {qid} is in the assignment ({manifest}) but has no rubric "
                f"entry (fix: add [{part}.{qid}] to the rubric)"
            )
    return warnings


def _hint_for(message: str) -> str:
    if "add up to" in message:
        return "make the points agree"
    if "missing" in message:
        return "add the missing field"
    if "unknown field" in message:
        return "remove or rename the unknown field"
    return DOCS_HINT
