"""Hostile notebooks that fake the figures question: tiny images instead of plots, and a run
status rewritten from a cell. Graded for real in the sandbox, then scored on the host."""

from __future__ import annotations

from grader.kinds.figures import FiguresQuestion, score_figures

VISUALIZE = FiguresQuestion(
    title="Activations and filters shown as figures.",
    kind="figures",
    notebook="p1_cats_dogs.ipynb",
    points=3,
    min_figures=2,
)

TWO_DOTS = """
import base64
from IPython.display import Image, display
DOT = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)
display(Image(data=DOT))
display(Image(data=DOT))
"""

TWO_PLOTS = """
import matplotlib.pyplot as plt
for index in range(2):
    plt.figure(figsize=(3, 2))
    plt.imshow([[0, 1], [1, 0]])
    plt.show()
"""


def test_two_one_pixel_pngs_earn_nothing_and_go_to_a_person(run_notebook, host):
    run = run_notebook(TWO_DOTS)
    assert run.status == "ok", run.message
    result = score_figures("p1.visualize", VISUALIZE, run)
    assert result.points == 0.0
    assert result.status == "needs_review"
    assert result.details["figures"] == 0
    assert result.details["images_too_small"] == ["cell 1: 1×1 px image/png"] * 2
    host.assert_clean()


def test_real_matplotlib_figures_count_even_when_the_run_status_is_forged(run_notebook, host):
    # The last cell makes the runner report a failure in cell 1 that never happened: the
    # report says it is advisory, and the points are the same as for an honest run.
    forge = (
        "import gc\n"
        "for runner in [o for o in gc.get_objects() if type(o).__name__ == 'NotebookRun']:\n"
        "    runner.failed_cell = 0\n"
        "    runner.error = {'ename': 'ForgedError', 'evalue': 'forged', 'traceback': []}\n"
    )
    honest = run_notebook(TWO_PLOTS)
    forged = run_notebook(TWO_PLOTS, forge)
    assert honest.status == "ok", honest.message
    assert forged.status == "error"
    assert forged.message == "cell 1 (In [1]) failed: ForgedError: forged"
    honest_result = score_figures("p1.visualize", VISUALIZE, honest)
    forged_result = score_figures("p1.visualize", VISUALIZE, forged)
    assert honest_result.points == forged_result.points == 3.0
    assert honest_result.status == forged_result.status == "graded"
    assert forged_result.feedback.endswith(
        "(advisory only: code in the notebook can change this report, and no points depend on it)."
    )
    host.assert_clean()


HEADER_AND_EMPTY_SVG = """
from IPython.display import SVG, Image, display
HEADER = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000fa000000fa008")  # 25 bytes
display(Image(data=HEADER, format="png"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"></svg>'))
"""

EMPTY_MATPLOTLIB_FIGURES = """
import matplotlib.pyplot as plt
for index in range(2):
    plt.figure(figsize=(3, 2))
    plt.axis("off")
    plt.show()
"""


def test_a_png_header_and_an_empty_svg_earn_nothing_and_go_to_a_person(run_notebook, host):
    """Issue #19: these two outputs earned the question's 3 points."""
    run = run_notebook(HEADER_AND_EMPTY_SVG)
    assert run.status == "ok", run.message
    result = score_figures("p1.visualize", VISUALIZE, run)
    assert (result.points, result.status, result.details["figures"]) == (0.0, "needs_review", 0)
    assert result.details["images_unmeasured"] == [
        "cell 1: 4000×4000 px image/png that does not decode"
    ]
    assert result.details["images_blank"] == [
        "cell 1: 400×300 px image/svg+xml with nothing drawn (0 drawable element(s))"
    ]
    host.assert_clean()


def test_figures_with_nothing_drawn_are_blank(run_notebook, host):
    run = run_notebook(EMPTY_MATPLOTLIB_FIGURES)
    assert run.status == "ok", run.message
    result = score_figures("p1.visualize", VISUALIZE, run)
    assert (result.points, result.status) == (0.0, "needs_review")
    assert [line.split(" px ")[1] for line in result.details["images_blank"]] == [
        "image/png of one colour"
    ] * 2
    host.assert_clean()
