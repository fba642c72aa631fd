"""Read an assignment template's manifest (`template.toml`) into a validated `Template`.

Every path is resolved relative to the manifest and must name an existing file.
The files that reach the student release (notebooks, question sheet) and the
written solution and parameters must lie inside the template folder; only the
rubric may live elsewhere in the course repository (`rubrics/<id>.toml`).
Failures are one `TemplateError` line naming the file and the fix.

This module only reads and validates; it never builds, renders or grades.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grader.reference.parameters import course_words
from grader.templates.errors import TemplateError

MANIFEST_NAME = "template.toml"
TEMPLATE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
NOTEBOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.ipynb$")
WRITTEN_ID = re.compile(r"^q\d{1,3}$")
NOTEBOOK_QUESTION_ID = re.compile(r"^p\d{1,2}\.[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TemplateTable(_Strict):
    id: str = Field(pattern=TEMPLATE_ID.pattern)
    title: str = Field(min_length=1)
    rubric: str
    parameters: str
    written_solution: str
    question_sheet: str
    notebooks: tuple[str, ...] = Field(
        default=(), description="the master notebooks; none for a written-only homework"
    )

    @field_validator("notebooks")
    @classmethod
    def _plain_unique_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if not NOTEBOOK_NAME.match(name):
                raise ValueError(
                    f"'{name}' must be a plain file name ending in .ipynb, in the template folder"
                )
        if len(set(names)) != len(names):
            raise ValueError("a notebook is listed twice")
        return names

    @field_validator("rubric")
    @classmethod
    def _rubric_is_toml(cls, rubric: str) -> str:
        if not rubric.endswith(".toml"):
            raise ValueError(f"'{rubric}' must be the rubric's .toml file")
        return rubric


class _QuestionsTable(_Strict):
    written: tuple[str, ...] = ()
    notebooks: tuple[str, ...] = ()

    @field_validator("written")
    @classmethod
    def _written_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return _checked_ids(ids, WRITTEN_ID, "q1, q2 …")

    @field_validator("notebooks")
    @classmethod
    def _notebook_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return _checked_ids(ids, NOTEBOOK_QUESTION_ID, "p1.scratch (part, dot, lower-case name)")


def _checked_ids(ids: tuple[str, ...], pattern: re.Pattern[str], looks: str) -> tuple[str, ...]:
    for question_id in ids:
        if not pattern.match(question_id):
            raise ValueError(f"question id '{question_id}' must look like {looks}")
    if len(set(ids)) != len(ids):
        raise ValueError("a question id is listed twice")
    return ids


class VariantRanges(_Strict):
    """Inclusive ranges for the entries of each student's arrays: an image I and a filter F
    (`image_values`, `filter_values`) or any named array of the parameters (`[variants.arrays]`)."""

    image_values: tuple[int, int] | None = None
    filter_values: tuple[int, int] | None = None
    arrays: dict[str, tuple[int, int]] = Field(default_factory=dict)

    @field_validator("image_values", "filter_values")
    @classmethod
    def _ordered(cls, bounds: tuple[int, int] | None) -> tuple[int, int] | None:
        if bounds is not None and bounds[0] > bounds[1]:
            raise ValueError(
                f"[{bounds[0]}, {bounds[1]}] is an empty range: write the low bound first"
            )
        return bounds

    @field_validator("arrays")
    @classmethod
    def _arrays_ordered(cls, ranges: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for name, bounds in ranges.items():
            if bounds[0] > bounds[1]:
                raise ValueError(
                    f"{name} = [{bounds[0]}, {bounds[1]}] is an empty range: write the low bound first"
                )
        return ranges

    @property
    def ranges(self) -> dict[str, tuple[int, int]]:
        """Every array drawn, in drawing order: image, filter, then the named ones."""
        ranges: dict[str, tuple[int, int]] = {}
        if self.image_values is not None:
            ranges["image"] = self.image_values
        if self.filter_values is not None:
            ranges["filter"] = self.filter_values
        return {**ranges, **self.arrays}


class _Manifest(_Strict):
    template: _TemplateTable
    questions: _QuestionsTable
    variants: VariantRanges | None = None


class Template(_Strict):
    """A validated assignment template: absolute paths to its files, its question ids, its variant ranges."""

    id: str
    title: str
    root: Path = Field(description="the folder holding template.toml")
    manifest_path: Path
    rubric_path: Path
    parameters_path: Path
    written_solution_path: Path
    question_sheet_path: Path
    notebook_paths: tuple[Path, ...]
    written_questions: tuple[str, ...]
    notebook_questions: tuple[str, ...]
    variants: VariantRanges | None = None

    @property
    def question_ids(self) -> tuple[str, ...]:
        """Every question of the assignment: written first, then the notebook ones."""
        return self.written_questions + self.notebook_questions

    @property
    def array_ranges(self) -> dict[str, tuple[int, int]]:
        """The arrays each student's variant redraws, with their ranges."""
        return self._variant_ranges().ranges

    @property
    def image_values(self) -> tuple[int, int]:
        return self._range("image")

    @property
    def filter_values(self) -> tuple[int, int]:
        return self._range("filter")

    def _range(self, name: str) -> tuple[int, int]:
        ranges = self.array_ranges
        if name not in ranges:
            raise TemplateError(
                f"the template's [variants] table does not draw the {name}",
                path=self.manifest_path,
                hint=f"add {name}_values = [low, high] to [variants]",
            )
        return ranges[name]

    def _variant_ranges(self) -> VariantRanges:
        if self.variants is None or not self.variants.ranges:
            raise TemplateError(
                "the template has no [variants] table",
                path=self.manifest_path,
                hint="add [variants] with a range per array to redraw, e.g. image_values = "
                "[low, high] (see docs/authoring.md)",
            )
        return self.variants


def load_template(template_dir: Path) -> Template:
    """Load `template_dir/template.toml` (or the manifest file itself) and validate it and its paths."""
    manifest_path = template_dir if template_dir.suffix == ".toml" else template_dir / MANIFEST_NAME
    raw = _read_toml(manifest_path)
    try:
        manifest = _Manifest.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        words = course_words(
            exc, _TemplateTable if error["loc"][:1] == ("template",) else _Manifest
        )
        raise TemplateError(words, path=manifest_path, hint=_hint_for(words)) from None

    root = manifest_path.parent.resolve()
    table = manifest.template

    def inside(field: str, relative: str) -> Path:
        return _resolve_file(manifest_path, root, field, relative, may_leave_root=False)

    return Template(
        id=table.id,
        title=table.title,
        root=root,
        manifest_path=manifest_path.resolve(),
        rubric_path=_resolve_file(
            manifest_path, root, "template.rubric", table.rubric, may_leave_root=True
        ),
        parameters_path=inside("template.parameters", table.parameters),
        written_solution_path=inside("template.written_solution", table.written_solution),
        question_sheet_path=inside("template.question_sheet", table.question_sheet),
        notebook_paths=tuple(inside("template.notebooks", name) for name in table.notebooks),
        written_questions=manifest.questions.written,
        notebook_questions=manifest.questions.notebooks,
        variants=manifest.variants,
    )


def _read_toml(manifest_path: Path) -> dict[str, object]:
    try:
        text = manifest_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise TemplateError(
            "no template manifest here",
            path=manifest_path,
            hint=f"pass the template folder, the one holding {MANIFEST_NAME}",
        ) from None
    except (IsADirectoryError, NotADirectoryError):
        raise TemplateError(
            "is not a file", path=manifest_path, hint=f"pass the folder holding {MANIFEST_NAME}"
        ) from None
    except UnicodeDecodeError:
        raise TemplateError(
            "is not UTF-8 text", path=manifest_path, hint="save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(
            f"not valid TOML: {exc}",
            path=manifest_path,
            hint="fix the syntax at the position shown",
        ) from None


def _resolve_file(
    manifest_path: Path, root: Path, field: str, relative: str, *, may_leave_root: bool
) -> Path:
    """The file `relative` names, refusing absolute paths and (unless allowed) paths leaving `root`.

    Symlinks are resolved before the check, so a link cannot smuggle a file from
    outside the template into the student release.
    """
    posix = PurePosixPath(relative)
    if not relative or posix.is_absolute() or Path(relative).is_absolute() or "\\" in relative:
        raise TemplateError(
            f"{field} = '{relative}' must be a relative path (with /)",
            path=manifest_path,
            hint="write the path relative to template.toml",
        )
    resolved = (root / posix).resolve()
    if not may_leave_root and not resolved.is_relative_to(root):
        raise TemplateError(
            f"{field} = '{relative}' leaves the template folder {root}",
            path=manifest_path,
            hint="keep the file inside the template folder (no .. and no symlinks out of it)",
        )
    if not resolved.is_file():
        raise TemplateError(
            f"{field} = '{relative}': no such file ({resolved})",
            path=manifest_path,
            hint="create the file or fix the path (relative to template.toml)",
        )
    return resolved


def _hint_for(words: str) -> str:
    if words.startswith("missing field"):
        return "add the missing key (docs/authoring.md lists every key of template.toml)"
    if words.startswith("unknown field"):
        return "remove or rename the unknown key"
    return "see docs/authoring.md for a valid template.toml"
