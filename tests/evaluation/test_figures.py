"""Counting figures in an executed notebook, and the figures question scored from the count
(p1.visualize needs at least two)."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.evaluation import count_figures
from grader.notebooks import NotebookRun
from grader.rubric.model import FiguresQuestion
from grader.scoring.models import score_figures

VISUALIZE = FiguresQuestion(
    title="Activations and filters shown as figures.",
    kind="figures",
    notebook="p1_cats_dogs.ipynb",
    points=3,
    min_figures=2,
)


def _scored(notebook: dict) -> tuple[float, str]:
    run = NotebookRun(status="ok", message="ran", executed_notebook=notebook)
    result = score_figures("p1.visualize", VISUALIZE, run)
    return result.points, result.feedback


def _figure(mime: str = "image/png") -> dict:
    return new_output("display_data", data={mime: "iVBORw0KGgo=", "text/plain": "<Figure>"})


def test_counts_png_svg_and_jpeg_outputs_once_each():
    both = new_output("display_data", data={"image/png": "iVBO", "image/svg+xml": "<svg/>"})
    notebook = new_notebook(
        cells=[
            new_code_cell("plot()", outputs=[_figure(), _figure("image/svg+xml")]),
            new_code_cell(
                "show()", outputs=[both, new_output("stream", name="stdout", text="hi\n")]
            ),
            new_code_cell(
                "img",
                outputs=[
                    new_output("execute_result", data={"image/jpeg": "/9j/"}, execution_count=3)
                ],
            ),
        ]
    )
    assert count_figures(notebook) == 4
    assert _scored(notebook) == (3.0, "4 figure(s) in the executed notebook; 2 expected.")


def test_text_only_and_markdown_images_are_not_figures():
    markdown = new_markdown_cell("![filters](attachment:f.png)")
    markdown["attachments"] = {"f.png": {"image/png": "iVBO"}}
    notebook = new_notebook(
        cells=[
            markdown,
            new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")]),
            new_code_cell("plot()", outputs=[_figure()]),
            new_code_cell("empty()", outputs=[new_output("display_data", data={"image/png": ""})]),
        ]
    )
    assert count_figures(notebook) == 1
    assert _scored(notebook) == (1.5, "1 figure(s) in the executed notebook; 2 expected.")


def test_odd_shapes_are_skipped():
    hostile = {
        "cells": [
            "not a cell",
            {"cell_type": "code", "outputs": "nope"},
            {
                "cell_type": "code",
                "outputs": [None, {"output_type": 5}, {"output_type": "display_data", "data": []}],
            },
            {
                "cell_type": "code",
                "outputs": [{"output_type": "display_data", "data": {"image/png": ["iV", "BO"]}}],
            },
            {
                "cell_type": "code",
                "outputs": [{"output_type": "display_data", "data": {"image/png": 7}}],
            },
        ]
    }
    assert count_figures(hostile) == 1
    assert count_figures({"cells": "x"}) == 0
    assert count_figures([]) == 0  # type: ignore[arg-type]
