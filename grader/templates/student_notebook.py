"""Turn a master notebook into the notebook students get, and serialise it byte-for-byte reproducibly.

Solutions become stubs, hidden regions and `hidden`-tagged cells go, a cell
left empty is dropped, outputs and execution counts are cleared, metadata is
scrubbed to the kernel's and language's names, cell ids are `cell-<index>`,
and the JSON has sorted keys and a trailing newline: the same master always
gives the same bytes. This module transforms notebooks in memory; it never
reads templates or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from grader.templates.markers import (
    ANSWER_STUB,
    CODE_STUB,
    HIDDEN_TAG,
    MARKER_TAGS,
    SOLUTION_TAG,
    cell_tags,
    regions,
    remove_hidden,
    strip_solutions,
)


@dataclass(frozen=True)
class StudentNotebook:
    """The released notebook and what was taken out of the master to make it."""

    notebook: nbformat.NotebookNode
    solutions_stubbed: int
    hidden_removed: int
    cells_dropped: int


def _scrubbed_metadata(metadata: nbformat.NotebookNode) -> dict[str, dict[str, str]]:
    """Only the kernel's and the language's names survive (nbgrader, otter, widgets... do not)."""
    kept: dict[str, dict[str, str]] = {}
    kernelspec = metadata.get("kernelspec")
    if isinstance(kernelspec, dict) and isinstance(kernelspec.get("name"), str):
        name = kernelspec["name"]
        display = kernelspec.get("display_name")
        # The nbformat schema requires display_name next to name.
        kept["kernelspec"] = {
            "name": name,
            "display_name": display if isinstance(display, str) else name,
        }
    language = metadata.get("language_info")
    if isinstance(language, dict) and isinstance(language.get("name"), str):
        kept["language_info"] = {"name": language["name"]}
    return kept


def _kept_tags(cell: nbformat.NotebookNode) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    if not isinstance(tags, list):
        return []
    return [str(tag) for tag in tags if str(tag).lower() not in MARKER_TAGS]


def student_notebook(master: nbformat.NotebookNode, *, name: Path | str) -> StudentNotebook:
    """The student version of `master`; marker problems raise `TemplateError` naming `name` and the cell."""
    cells: list[nbformat.NotebookNode] = []
    stubbed = removed = dropped = 0
    for index, cell in enumerate(master.cells):
        cell_type = cell.get("cell_type", "code")
        tags = cell_tags(cell)
        source = cell.get("source", "")
        if HIDDEN_TAG in tags:
            removed += 1
            dropped += 1
            continue
        found = regions(source, notebook=name, cell=index)
        if SOLUTION_TAG in tags:
            stub = CODE_STUB if cell_type == "code" else ANSWER_STUB
            released = "\n".join(stub)
            stubbed += 1
        else:
            released = strip_solutions(
                remove_hidden(source, notebook=name, cell=index),
                cell_type=cell_type,
                notebook=name,
                cell=index,
            )
            stubbed += sum(1 for region in found if region.kind == "solution")
            removed += sum(1 for region in found if region.kind == "hidden")
        if not released.strip() and source.strip():
            dropped += 1
            continue
        cells.append(_new_cell(cell, cell_type, released, index=len(cells)))
    notebook = new_notebook(cells=cells, metadata=_scrubbed_metadata(master.get("metadata", {})))
    return StudentNotebook(notebook, stubbed, removed, dropped)


def _new_cell(
    master_cell: nbformat.NotebookNode, cell_type: str, source: str, *, index: int
) -> nbformat.NotebookNode:
    tags = _kept_tags(master_cell)
    metadata = {"tags": tags} if tags else {}
    if cell_type == "code":
        cell = new_code_cell(source=source, metadata=metadata)  # no outputs, no execution count
    elif cell_type == "markdown":
        cell = new_markdown_cell(source=source, metadata=metadata)
        attachments = master_cell.get("attachments")
        if attachments:
            cell["attachments"] = attachments
    else:
        cell = new_raw_cell(source=source, metadata=metadata)
    cell["id"] = f"cell-{index}"
    return cell


def notebook_bytes(notebook: nbformat.NotebookNode) -> bytes:
    """nbformat's JSON (sorted keys, one-space indent) with a trailing newline, as UTF-8."""
    nbformat.validate(notebook)
    text = nbformat.writes(notebook, version=4)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")
