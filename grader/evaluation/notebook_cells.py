"""Walk an executed notebook (a parsed nbformat-v4-like dict) that a student's code produced.

The notebook is untrusted: anything may have any type or size. These helpers yield only
well-typed pieces, cap counts and text lengths, and skip the rest silently. They only read;
they never execute, render or modify a notebook.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MAX_CELLS = 5_000
MAX_OUTPUTS_PER_CELL = 500
MAX_TEXT_CHARS = 200_000  # per source or output text; longer text is cut


def text_of(value: Any, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """nbformat's multiline text (a str, or a list of str) as one capped str; "" for odd types."""
    if isinstance(value, str):
        return value[:max_chars]
    if isinstance(value, list):
        parts: list[str] = []
        size = 0
        for part in value:
            if not isinstance(part, str):
                continue
            parts.append(part[: max_chars - size])
            size += len(parts[-1])
            if size >= max_chars:
                break
        return "".join(parts)
    return ""


def iter_cells(
    notebook: Any, *, max_cells: int = MAX_CELLS
) -> Iterator[tuple[int, str, Mapping[str, Any]]]:
    """(index, cell_type, cell) for each cell that is a mapping with a string cell_type."""
    cells = notebook.get("cells") if isinstance(notebook, Mapping) else None
    if not isinstance(cells, list):
        return
    for index, cell in enumerate(cells[:max_cells]):
        if isinstance(cell, Mapping) and isinstance(cell.get("cell_type"), str):
            yield index, cell["cell_type"], cell


def iter_outputs(cell: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The outputs of a code cell that are mappings with a string output_type."""
    outputs = cell.get("outputs")
    if not isinstance(outputs, list):
        return
    for output in outputs[:MAX_OUTPUTS_PER_CELL]:
        if isinstance(output, Mapping) and isinstance(output.get("output_type"), str):
            yield output


def output_data(output: Mapping[str, Any]) -> Mapping[str, Any]:
    """The mime bundle of a display_data / execute_result output, or {}."""
    if output["output_type"] not in ("display_data", "execute_result"):
        return {}
    data = output.get("data")
    return data if isinstance(data, Mapping) else {}
