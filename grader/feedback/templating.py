"""The two jinja2 environments (HTML with autoescape, Markdown with its own escaping filters).

Environments are built once per process by cached functions, never at
import. This module must not know what a report contains: it only loads
templates and escapes text for the format being written.
"""

from __future__ import annotations

import functools
import re
from types import MappingProxyType

import jinja2
from markupsafe import Markup, escape

from grader.feedback.maths import render_maths
from grader.feedback.values import Grid, ValueView

# Characters that change the meaning of inline Markdown (emphasis, links, raw HTML,
# tables, entities), each escaped with a backslash as CommonMark allows. A read-only
# mapping: str.translate does the escaping in one pass, which matters at ~200,000 calls a run.
_MARKDOWN_ESCAPES = MappingProxyType({ord(c): "\\" + c for c in "\\`*_{}[]<>#+!|~&"})
# The same five characters markupsafe escapes, for cells escaped without making Markup objects.
_HTML_ESCAPES = MappingProxyType(
    {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&#34;", ord("'"): "&#39;"}
)
# At the start of a line these begin a list item or a rule: "- x", "---", "1. x", "1) x".
_LEADING_ORDINAL = re.compile(r"^([0-9]+)([.)])")
_BACKTICK_RUN = re.compile(r"`+")


def md_inline(text: object) -> str:
    """Student or grader text made safe for one line of Markdown: escaped, newlines folded.

    Safe at the start of a line too, so it can hold a whole paragraph.
    """
    escaped = " ".join(str(text).split()).translate(_MARKDOWN_ESCAPES)
    first = escaped[:1]
    if first == "-":
        return "\\" + escaped
    if first.isdigit():
        return _LEADING_ORDINAL.sub(r"\1\\\2", escaped)
    return escaped


def md_code_block(text: object) -> str:
    """Text shown verbatim in a fenced block whose fence no backtick run in the text can close."""
    body = str(text).replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def _grid_lines(grid: Grid) -> list[str]:
    # Differing entries are shown as [44]; the brackets keep the columns aligned in plain text.
    texts = [[f"[{c.text}]" if c.differs else c.text for c in row] for row in grid.rows]
    width = max((len(t) for row in texts for t in row), default=0)
    lines = ["  ".join(t.rjust(width) for t in row) for row in texts]
    if grid.truncated:
        lines.append("…")
    return lines


def md_value(view: ValueView) -> str:
    """A value for Markdown: grids as aligned text blocks, shapes and text inline."""
    if view.kind == "grids":
        lines: list[str] = []
        for grid in view.grids:
            if grid.label is not None:
                lines.append(f"{grid.label}:")
            lines.extend(_grid_lines(grid))
        return md_code_block("\n".join(lines))
    if view.kind in ("shape", "text"):
        return md_inline(view.text)
    return ""


def html_value(view: ValueView, mark_title: str) -> Markup:
    """A value for HTML: grids as small tables (differing cells highlighted), shapes and text as code.

    Built here rather than in a template macro: a class of 1,000 reports holds ~300,000 cells.
    """
    if view.kind == "grids":
        title = mark_title.translate(_HTML_ESCAPES)
        parts = ['<div class="values">']
        for grid in view.grids:
            parts.append('<table class="matrix">')
            if grid.label is not None:
                parts.append(f"<caption>{escape(grid.label)}</caption>")
            for row in grid.rows:
                parts.append("<tr>")
                parts.extend(
                    f'<td class="differs" title="{title}">{c.text.translate(_HTML_ESCAPES)}</td>'
                    if c.differs
                    else f"<td>{c.text.translate(_HTML_ESCAPES)}</td>"
                    for c in row
                )
                parts.append("</tr>")
            parts.append("</table>")
            if grid.truncated:
                parts.append('<p class="meta">(only the first rows and columns are shown)</p>')
        parts.append("</div>")
        return Markup("".join(parts))
    if view.kind in ("shape", "text"):
        return Markup(f"<p><code>{escape(view.text)}</code></p>")
    return Markup("")


def maths_or_empty(text: object) -> Markup:
    """The text with its formulas drawn as MathML, or empty when none converts (the template
    then shows the text as typed)."""
    drawn = render_maths(str(text or ""))
    return drawn if drawn is not None else Markup("")


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: object) -> Markup:
    """Escaped text with `backtick` spans shown as code (feedback and hints use them)."""
    escaped = str(escape(str(text or "")))
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))


def _loader() -> jinja2.BaseLoader:
    return jinja2.PackageLoader("grader.feedback", "templates")


@functools.cache
def html_environment() -> jinja2.Environment:
    """HTML templates: every expression is escaped unless it is already Markup (SVG, value tables)."""
    environment = jinja2.Environment(
        loader=_loader(),
        auto_reload=False,  # templates ship with the package: no stat() per report
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["html_value"] = html_value
    environment.filters["maths"] = maths_or_empty
    environment.filters["code_spans"] = code_spans
    return environment


@functools.cache
def markdown_environment() -> jinja2.Environment:
    """Markdown templates: no HTML escaping; templates apply md_inline / md_code_block themselves."""
    environment = jinja2.Environment(
        loader=_loader(),
        auto_reload=False,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = md_inline
    environment.filters["md_code"] = md_code_block
    environment.filters["md_value"] = md_value
    return environment
