"""Take the written answers out of a Jupyter notebook: its Markdown (and raw) cells, in order.

Code cells are not answers: each is replaced by one line without digits,
`(code cell omitted)`, so neither its code nor its outputs can be taken for
an answer or a question marker (the answer readers do not skip fenced
code). Pictures pasted into Markdown are counted in a warning, and their
inline data is dropped. A file that is not a notebook raises
UnreadableSubmission naming the fix. This module must not parse answers or
run anything: the notebook is read as JSON, never executed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat.reader

from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.normalise import normalise_text

CODE_CELL_LINE = "(code cell omitted)"
MIN_TEXT_CHARS = 20  # fewer non-space characters beside pictures: the answers are the pictures
# Inline images (`![](data:image/png;base64,...)`, `<img src="data:...">`): base64 is noise.
_DATA_URI = re.compile(r"data:[A-Za-z0-9.+/-]+;base64,[A-Za-z0-9+/=\s]+")
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_TEXT_CELLS = frozenset({"markdown", "raw", "heading"})  # "heading": nbformat 3


def read_notebook_text(data: bytes, path: Path) -> tuple[str, tuple[str, ...]]:
    """The Markdown and raw cells' text, in order, and warnings about what was left out."""
    notebook = _parse(data, path)
    parts: list[str] = []
    code_cells = pictures = 0
    for cell in _cells(notebook, path):
        cell_type = cell.get("cell_type")
        source = _source(cell.get("source", cell.get("input")))
        if cell_type in _TEXT_CELLS:
            attachments = cell.get("attachments")
            pictures += len(_MARKDOWN_IMAGE.findall(source))
            pictures += len(attachments) if isinstance(attachments, dict) else 0
            source = _DATA_URI.sub("data:...", source)
            if cell_type == "heading":  # nbformat 3 kept headings in their own cell type
                source = "#" * _level(cell.get("level")) + " " + source
            parts.append(source)
        elif cell_type == "code" and source.strip():
            code_cells += 1
            parts.append(CODE_CELL_LINE)
    text = normalise_text("\n\n".join(parts))
    answers = text.replace(CODE_CELL_LINE, "")
    if sum(not char.isspace() for char in answers) < MIN_TEXT_CHARS:
        raise _no_answers(path, pictures, code_cells)
    warnings = []
    if code_cells:
        warnings.append(
            f"notebook has {code_cells} code cell(s): code and outputs are not read as written answers"
        )
    if pictures:
        warnings.append(
            f"notebook holds {pictures} picture(s) in Markdown cells the grader cannot read;"
            " an answer in a picture needs a person"
        )
    return text, tuple(warnings)


def _parse(data: bytes, path: Path) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _corrupt(path, "file is not UTF-8 text, so not a Jupyter notebook") from error
    try:
        notebook = nbformat.reader.parse_json(text)  # JSON only: neither validated nor run
    except nbformat.reader.NotJSONError as error:
        raise _corrupt(path, "notebook is not valid JSON (damaged or cut short)") from error
    except RecursionError as error:
        raise _corrupt(path, "notebook JSON is nested too deeply to read") from error
    if not isinstance(notebook, dict) or not ("cells" in notebook or "worksheets" in notebook):
        raise _corrupt(path, "file is JSON but not a Jupyter notebook (it has no cells)")
    return notebook


def _cells(notebook: dict[str, Any], path: Path) -> Iterator[dict[str, Any]]:
    major = notebook.get("nbformat")
    if major == 4 or (major is None and "cells" in notebook):
        containers = [notebook.get("cells")]
    elif major == 3:
        containers = [
            sheet.get("cells")
            for sheet in _as_list(notebook.get("worksheets"))
            if isinstance(sheet, dict)
        ]
    else:
        raise _corrupt(path, f"notebook format {major!r} is not read (only nbformat 3 and 4)")
    for cells in containers:
        if not isinstance(cells, list):
            raise _corrupt(path, "notebook has no list of cells")
        yield from (cell for cell in cells if isinstance(cell, dict))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _source(source: Any) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, list):
        return "".join(line for line in source if isinstance(line, str))
    return ""


def _level(level: Any) -> int:
    return level if isinstance(level, int) and 1 <= level <= 6 else 1


def _no_answers(path: Path, pictures: int, code_cells: int) -> UnreadableSubmission:
    if pictures:
        return UnreadableSubmission(
            "notebook's Markdown cells hold only pictures, no typed answers",
            kind=UnreadableKind.NO_TEXT_LAYER,
            path=path,
            hint="grade by hand from the pictures, or ask for typed answers",
        )
    where = f" ({code_cells} code cell(s), which are not read as answers)" if code_cells else ""
    return UnreadableSubmission(
        f"notebook has no written answers in Markdown cells{where}",
        kind=UnreadableKind.EMPTY,
        path=path,
        hint="write the answers in Markdown cells, or hand in a .md, .docx or .pdf file",
    )


def _corrupt(path: Path, message: str) -> UnreadableSubmission:
    return UnreadableSubmission(
        message,
        kind=UnreadableKind.CORRUPT_DOCUMENT,
        path=path,
        hint="open it in Jupyter and save it again (File > Save), or hand in the answers as .md or .pdf",
    )
