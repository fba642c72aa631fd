"""Count the figures an executed notebook shows (p1.visualize needs at least two).

A figure is one display_data / execute_result output carrying a PNG, SVG or JPEG image; an output
with several image formats counts once. Images pasted into markdown cells are not figures the code
made. This module only counts; it does not judge what a figure shows.
"""

from __future__ import annotations

from typing import Any

from grader.evaluation.notebook_cells import iter_cells, iter_outputs, output_data, text_of

IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


def count_figures(notebook: dict[str, Any]) -> int:
    """Number of image outputs in the notebook's code cells."""
    figures = 0
    for _, cell_type, cell in iter_cells(notebook):
        if cell_type != "code":
            continue
        for output in iter_outputs(cell):
            data = output_data(output)
            if any(text_of(data.get(mime), max_chars=16) for mime in IMAGE_TYPES):
                figures += 1
    return figures
