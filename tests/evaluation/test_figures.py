"""Counting figures in an executed notebook, and the figures question scored from the count
(p1.visualize needs at least two)."""

from __future__ import annotations

import base64
import io

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image, ImageDraw

from grader.evaluation import count_figures
from grader.evaluation.figures import FigureSurvey, jpeg_size, png_size, survey_figures, svg_size
from grader.kinds.figures import FiguresQuestion, score_figures
from grader.notebooks import NotebookRun

VISUALIZE = FiguresQuestion(
    title="Activations and filters shown as figures.",
    kind="figures",
    notebook="p1_cats_dogs.ipynb",
    points=3,
    min_figures=2,
)


def _result(notebook: dict, status: str = "ok", message: str = "ran"):
    run = NotebookRun(status=status, message=message, executed_notebook=notebook)
    return score_figures("p1.visualize", VISUALIZE, run)


def _scored(notebook: dict) -> tuple[float, str]:
    result = _result(notebook)
    return result.points, result.feedback


def encoded(
    width: int, height: int, image_format: str = "PNG", exif: bytes = b"", drawn: bool = True
) -> str:
    """A real image of that size (a line drawn on it unless `drawn` is false), base64 as in a
    notebook output."""
    buffer = io.BytesIO()
    options = {"exif": exif} if exif else {}
    image = Image.new("RGB", (width, height), (200, 30, 30))
    if drawn:
        ImageDraw.Draw(image).line((0, 0, width, height), fill=(0, 0, 255), width=3)
    image.save(buffer, format=image_format, **options)
    return base64.b64encode(buffer.getvalue()).decode()


PLOT_PNG = encoded(640, 480)
DOT_PNG = encoded(1, 1)
SVG_PLOT = (
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="460.8pt" '
    'height="345.6pt" viewBox="0 0 460.8 345.6"><path d="M 0 345.6 L 460.8 345.6 L 460.8 0 z" '
    'style="fill: #ffffff"/><path d="M 57 307 L 103 250 L 149 190" style="stroke: #1f77b4"/>'
    "</svg>"
)
EMPTY_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="460.8pt" height="345.6pt"></svg>'
# Issue #19's attack: 25 bytes, a PNG signature and an IHDR claiming 4000×4000 px.
HEADER_ONLY_PNG = base64.b64encode(
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x0f\xa0\x00\x00\x0f\xa0\x08"
).decode()


def _figure(mime: str = "image/png", data: str = PLOT_PNG) -> dict:
    return new_output("display_data", data={mime: data, "text/plain": "<Figure>"})


def test_counts_png_svg_and_jpeg_outputs_once_each():
    both = new_output("display_data", data={"image/png": PLOT_PNG, "image/svg+xml": SVG_PLOT})
    notebook = new_notebook(
        cells=[
            new_code_cell("plot()", outputs=[_figure(), _figure("image/svg+xml", SVG_PLOT)]),
            new_code_cell(
                "show()", outputs=[both, new_output("stream", name="stdout", text="hi\n")]
            ),
            new_code_cell(
                "img",
                outputs=[
                    new_output(
                        "execute_result",
                        data={"image/jpeg": encoded(120, 90, "JPEG")},
                        execution_count=3,
                    )
                ],
            ),
        ]
    )
    assert count_figures(notebook) == 4
    assert survey_figures(notebook) == FigureSurvey(real=4, too_small=(), unmeasured=())
    assert _scored(notebook) == (3.0, "4 figure(s) in the executed notebook; 2 expected.")


def test_image_sizes_are_read_from_the_headers_only():
    assert png_size(PLOT_PNG) == (640, 480)
    assert png_size(DOT_PNG) == (1, 1)
    assert png_size("iVBORw0KGgo=") is None  # a PNG signature and nothing else
    assert png_size("not base64 at all!") is None
    assert png_size(["iVBORw0KGgoAAAANSUhEUgAAAoAAAAHg", "CAIAAAA"]) == (640, 480)  # split lines
    assert jpeg_size(encoded(120, 90, "JPEG")) == (120, 90)
    exif = b"Exif\x00\x00" + b"\x00" * 30_000  # a big block before the frame header
    assert jpeg_size(encoded(300, 200, "JPEG", exif=exif)) == (300, 200)
    assert jpeg_size(PLOT_PNG) is None
    assert svg_size(SVG_PLOT) == (460, 345)
    assert svg_size('<svg viewBox="0 0 10 10"></svg>') is None


def test_two_one_pixel_pngs_are_not_figures_and_go_to_a_person():
    notebook = new_notebook(
        cells=[new_code_cell("fake()", outputs=[_figure(data=DOT_PNG), _figure(data=DOT_PNG)])]
    )
    result = _result(notebook)
    assert result.points == 0.0
    assert result.status == "needs_review"
    assert result.review_reason == "ambiguous"
    assert result.feedback == (
        "0 figure(s) in the executed notebook; 2 expected. 2 more image(s) were not counted, "
        "being smaller than 50×50 px, blank, undecodable or of unknown size (cell 1: 1×1 px "
        "image/png; cell 1: 1×1 px image/png); a person will check them."
    )
    assert result.details["images_too_small"] == ["cell 1: 1×1 px image/png"] * 2


def test_an_image_of_unknown_size_goes_to_a_person_only_when_it_matters():
    unknown = _figure("image/svg+xml", "<svg></svg>")
    one_real = new_notebook(cells=[new_code_cell("plot()", outputs=[_figure(), unknown])])
    result = _result(one_real)
    assert (result.points, result.status) == (1.5, "needs_review")
    assert result.details["images_unmeasured"] == ["cell 1: image/svg+xml of unknown size"]
    two_real = new_notebook(
        cells=[new_code_cell("plot()", outputs=[_figure(), _figure(), unknown])]
    )
    result = _result(two_real)
    assert (result.points, result.status, result.review_reason) == (3.0, "graded", None)


def test_the_run_status_is_reported_as_advisory_and_changes_no_points():
    notebook = new_notebook(cells=[new_code_cell("plot()", outputs=[_figure(), _figure()])])
    ok = _result(notebook)
    failed = _result(notebook, status="error", message="cell 3 failed: ValueError: x")
    assert failed.points == ok.points == 3.0
    assert failed.status == ok.status == "graded"
    assert failed.feedback == (
        "2 figure(s) in the executed notebook; 2 expected. The notebook run was reported as "
        "error: cell 3 failed: ValueError: x (advisory only: code in the notebook can change "
        "this report, and no points depend on it)."
    )
    assert failed.details["notebook_status_note"] == (
        "advisory only: code in the notebook can change this report, and no points depend on it"
    )


def test_text_only_and_markdown_images_are_not_figures():
    markdown = new_markdown_cell("![filters](attachment:f.png)")
    markdown["attachments"] = {"f.png": {"image/png": PLOT_PNG}}
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
                "outputs": [
                    {
                        "output_type": "display_data",
                        "data": {"image/png": [PLOT_PNG[:9], PLOT_PNG[9:]]},
                    }
                ],
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


def test_a_header_an_empty_svg_and_a_blank_canvas_are_not_figures():
    """Issue #19: a 25-byte PNG header claiming 4000×4000 px and an empty SVG earned 3 points."""
    blank_png = encoded(640, 480, drawn=False)
    forged = new_notebook(
        cells=[
            new_code_cell(
                "fake()",
                outputs=[
                    _figure(data=HEADER_ONLY_PNG),
                    _figure("image/svg+xml", EMPTY_SVG),
                    _figure(data=blank_png),
                ],
            )
        ]
    )
    assert len(base64.b64decode(HEADER_ONLY_PNG)) == 25
    survey = survey_figures(forged)
    assert survey == FigureSurvey(
        real=0,
        too_small=(),
        unmeasured=("cell 1: 4000×4000 px image/png that does not decode",),
        blank=(
            "cell 1: 460×345 px image/svg+xml with nothing drawn (0 drawable element(s))",
            "cell 1: 640×480 px image/png of one colour",
        ),
    )
    result = _result(forged)
    assert (result.points, result.status, result.review_reason) == (
        0.0,
        "needs_review",
        "ambiguous",
    )
    assert result.details["images_blank"] == list(survey.blank)
    assert "a person will check them" in result.feedback


def test_an_svg_with_entities_is_not_parsed_and_one_that_lies_about_its_size_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text>&a;</text>'
        '<path d="M 0 0 L 1 1"/></svg>'
    )
    whole = base64.b64decode(encoded(60, 60))
    truncated = base64.b64encode(whole[: len(whole) // 2]).decode()
    lying = _figure(data=truncated)  # a header, half the pixels
    notebook = new_notebook(
        cells=[new_code_cell("x", outputs=[_figure("image/svg+xml", bomb), lying])]
    )
    survey = survey_figures(notebook)
    assert survey.real == 0
    assert (
        survey.unmeasured[0]
        == "cell 1: 100×100 px image/svg+xml that declares a DOCTYPE or entities"
    )
    assert survey.unmeasured[1] == "cell 1: 60×60 px image/png that does not decode"
