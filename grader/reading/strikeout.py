"""Remove text the student struck out: markdown `~~…~~`, LaTeX `\\sout{…}`/`\\st{…}`, HTML `<del>`/`<s>`.

Struck-out text is replaced by the line breaks it held, so the lines around
it stay apart. This module must not change any other text.
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"~~(?=\S)(.+?)~~", re.DOTALL)
_HTML_TAGS = ("del", "strike", "s")
_HTML = {
    tag: re.compile(rf"<{tag}(?:\s[^<>]*)?>.*?</{tag}\s*>", re.DOTALL | re.IGNORECASE)
    for tag in _HTML_TAGS
}
_HTML_CLOSE = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in _HTML_TAGS}
_LATEX = re.compile(r"\\(?:sout|st|xout|strike)\s*\{")
_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)


def remove_struck_out(text: str) -> str:
    """The text without anything struck out."""
    if "~~" in text:
        text = _MARKDOWN.sub(_keep_line_breaks, text)
    if "<" in text:
        text = _remove_html(text)
    if "\\" in text:
        text = _remove_latex(text)
    return text


def _keep_line_breaks(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


def _remove_html(text: str) -> str:
    for tag in _HTML_TAGS:
        closings = list(_HTML_CLOSE[tag].finditer(text))
        if closings:
            # An opening tag after the last closing one cannot match: do not search there.
            last = closings[-1].end()
            text = _HTML[tag].sub(_keep_line_breaks, text[:last]) + text[last:]
    return text


def _remove_latex(text: str) -> str:
    if _LATEX.search(text) is None:
        return text
    closing = _matching_braces(text)
    pieces: list[str] = []
    position = 0
    for match in _LATEX.finditer(text):
        end = closing.get(match.end() - 1)
        if match.start() < position or end is None:
            continue  # inside an argument already removed, or never closed
        pieces.append(text[position : match.start()])
        pieces.append("\n" * text.count("\n", match.start(), end))
        position = end + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _matching_braces(text: str) -> dict[int, int]:
    """Index of each "{" mapped to the index of its "}", in one pass (escaped braces skipped)."""
    closing: dict[int, int] = {}
    open_braces: list[int] = []
    for match in _BRACE_OR_ESCAPE.finditer(text):
        char = match.group()
        if char == "{":
            open_braces.append(match.start())
        elif char == "}" and open_braces:
            closing[open_braces.pop()] = match.start()
    return closing
