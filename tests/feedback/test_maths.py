"""Students' LaTeX drawn as MathML: what converts, what stays text, and that nothing unsafe passes."""

from __future__ import annotations

from grader.feedback import render_student_html
from grader.feedback.maths import render_maths, to_mathml
from grader.results import StudentGrades
from tests.feedback.conftest import make_catalogue, make_question


def test_a_fraction_becomes_mathml_with_the_text_around_it_escaped() -> None:
    drawn = render_maths(r"size <b> is $\frac{32-5+2}{1}+1 = 30$ so")
    assert drawn is not None
    assert drawn.startswith("size &lt;b&gt; is <math ")
    assert "<mfrac><mrow><mn>32</mn><mo>−</mo><mn>5</mn>" in drawn
    assert drawn.endswith("<mn>30</mn></mrow></math> so")


def test_display_forms_are_block_maths() -> None:
    for text in (r"$$x^2$$", r"\[x^2\]", r"\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}"):
        drawn = render_maths(text)
        assert drawn is not None and 'display="block"' in drawn, text
    matrix = render_maths(r"\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}")
    assert matrix is not None and matrix.count("<mtr>") == 2 and matrix.count("<mtd>") == 4


def test_script_inside_text_never_reaches_the_page() -> None:
    text = r"$\text{<script>alert(1)</script>}$ and $x$"
    drawn = render_maths(text)
    assert drawn is not None
    assert "<script" not in drawn
    assert r"$\text{&lt;script&gt;alert(1)&lt;/script&gt;}$" in drawn  # stays as escaped text
    assert "<mi>x</mi>" in drawn


def test_links_and_unknown_attributes_are_dropped() -> None:
    drawn = to_mathml(r"\href{javascript:alert(1)}{x}")
    assert drawn is not None
    assert "href" not in drawn and "javascript" not in drawn
    assert "<mi>x</mi>" in drawn


def test_a_formula_that_cannot_be_converted_stays_as_text() -> None:
    assert to_mathml(r"\frac{") is None
    assert render_maths(r"broken $\frac{$ here") is None
    assert render_maths("30 x 30 x 16, no dollars") is None
    mixed = render_maths(r"ok $y$, broken $\frac{1}{$")
    assert mixed is not None and r"broken $\frac{1}{$" in mixed and "<mi>y</mi>" in mixed


def test_report_draws_maths_with_the_typed_text_one_click_away() -> None:
    student = StudentGrades(
        student_id="s1",
        run_id=1,
        source_path="written/s1.md",
        problems=(),
        questions=(make_question("q7", answer_text=r"$\frac{32-3}{1}+1 = 30$"),),
    )
    catalogue = make_catalogue(("q7", "Output size", "shape", True))
    page = render_student_html(student, catalogue)
    assert '<div class="answer maths"><math' in page
    assert (
        '<details class="raw"><summary>as typed</summary><pre class="answer">$\\frac{32-3}{1}+1 = 30$</pre>'
        in page
    )
