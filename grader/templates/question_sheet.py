"""Render the written part's question sheet (Markdown and self-contained HTML) from its Jinja2 template.

The template (`question_sheet` in the manifest, e.g. `questions.md.j2` in the template
folder) writes Markdown; the values it shows (arrays, tensor sizes, modules) come from
the parameters it is given, so a student's variant sheet shows their own arrays.
The HTML is the same Markdown converted with raw HTML disabled (every `<`
from the template or the values is escaped) inside a page with inline CSS.
Output depends only on the template and the parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from grader.reference import AssignmentParameters
from grader.templates.errors import TemplateError

_PAGE_CSS = """\
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5;
  max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; border-bottom: 1px solid #ccc; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .3rem; }
pre { background: #f5f5f5; padding: .5rem .8rem; border-radius: 4px; display: inline-block;
  min-width: 6rem; margin: .2rem 1rem .6rem 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2rem .5rem; }
@media print { body { margin: 0; max-width: none; } }
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
{{ css }}</style>
</head>
<body>
<main>
{{ body }}</main>
</body>
</html>
"""


class SheetTemplate(Protocol):
    """What rendering needs from an assignment template (the manifest)."""

    @property
    def title(self) -> str: ...
    @property
    def question_sheet_path(self) -> Path: ...


def grid(matrix: Sequence[Sequence[int]]) -> str:
    """A matrix as a fenced block of right-aligned numbers, one row per line."""
    texts = [[str(v) for v in row] for row in matrix]
    width = max((len(t) for row in texts for t in row), default=1)
    body = "\n".join("  ".join(t.rjust(width) for t in row) for row in texts)
    return f"```text\n{body}\n```"


def dims(shape: Sequence[int]) -> str:
    """A shape as `128×128×32`."""
    return "×".join(str(d) for d in shape)


def vector(entries: Sequence[object]) -> str:
    """A vector as `(0, 0.25)`."""
    return "(" + ", ".join(str(v) for v in entries) + ")"


def _array_context(values: Sequence[Any], names: Sequence[str]) -> Any:
    """What a sheet may show of an array: its shape, and its rows or channels."""
    depth = 0
    probe: Any = values
    while isinstance(probe, list | tuple) and probe:
        depth += 1
        probe = probe[0]
    if depth == 1:
        return {
            "shape": dims((len(values),)),
            "length": len(values),
            "entries": list(values),
            "rows": [list(values)],
        }
    if depth == 2:
        return {
            "shape": dims((len(values), len(values[0]))),
            "height": len(values),
            "width": len(values[0]),
            "rows": values,
        }
    channels = len(values)
    height, width = len(values[0]), len(values[0][0])
    labels = list(names) or [str(i + 1) for i in range(channels)]
    return {
        "shape": dims((height, width, channels)),
        "height": height,
        "width": width,
        "depth": channels,
        "channels": [
            {"name": name, "rows": channel} for name, channel in zip(labels, values, strict=True)
        ],
    }


class QuestionSheet:
    """A compiled question-sheet template: load once, render for every student."""

    def __init__(self, source: str, *, path: Path, title: str) -> None:
        self.path = path
        self.title = title
        environment = jinja2.Environment(
            autoescape=False,  # Markdown; the HTML is escaped by the converter below
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        environment.filters["grid"] = grid
        environment.filters["dims"] = dims
        environment.filters["vector"] = vector
        try:
            self._template = environment.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"question sheet template: {exc.message}",
                path=path,
                line=exc.lineno,
                hint="fix the Jinja2 syntax",
            ) from None
        self._page = jinja2.Environment(autoescape=True).from_string(_PAGE)
        # html=False: raw HTML in the Markdown is shown as text, never passed through.
        self._markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

    def render_markdown(
        self, parameters: AssignmentParameters, *, student_id: str | None = None
    ) -> str:
        """The sheet as Markdown, showing these parameters' arrays and question settings."""
        image_names = parameters.image.channel_names if parameters.image is not None else ()
        arrays = {
            name: _array_context(
                spec.values, spec.channel_names or (image_names if name == "filter" else ())
            )
            for name, spec in parameters.named_arrays().items()
        }
        context = {
            "title": self.title,
            "student_id": student_id,
            "image": arrays.get("image"),
            "filter": arrays.get("filter"),
            "arrays": arrays,
            "questions": parameters.questions,
        }
        try:
            return self._template.render(context)
        except jinja2.TemplateError as exc:
            raise TemplateError(
                f"question sheet template: {exc}",
                path=self.path,
                hint="use only the values the sheet is given: title, student_id, arrays.<name> "
                "(image and filter too), questions.<id>",
            ) from None

    def render(
        self, parameters: AssignmentParameters, *, student_id: str | None = None
    ) -> tuple[str, str]:
        """(Markdown, self-contained HTML) of the sheet."""
        markdown = self.render_markdown(parameters, student_id=student_id)
        body = Markup(self._markdown.render(markdown))  # escaped by the converter (html=False)
        title = self.title if student_id is None else f"{self.title} — {student_id}"
        html = self._page.render(title=title, css=Markup(_PAGE_CSS), body=body)
        return markdown, html


def load_question_sheet(path: Path, *, title: str) -> QuestionSheet:
    """Read and compile the sheet template; a missing or broken file is a `TemplateError`."""
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(
            "question sheet template not found",
            path=path,
            hint="check `question_sheet` in the template's template.toml",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(
            f"cannot read the question sheet template ({exc})",
            path=path,
            hint="save it as UTF-8 text",
        ) from None
    return QuestionSheet(source, path=path, title=title)


def render_question_sheet(
    template: SheetTemplate, parameters: AssignmentParameters, *, student_id: str | None = None
) -> tuple[str, str]:
    """(Markdown, HTML) question sheet for these parameters (the canonical ones or a student's variant)."""
    sheet = load_question_sheet(template.question_sheet_path, title=template.title)
    return sheet.render(parameters, student_id=student_id)
