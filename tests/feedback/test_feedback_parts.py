"""Building blocks: number formatting, value views, histograms, Markdown escaping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grader.feedback.svg import histogram, histogram_svg, sparkline
from grader.feedback.templating import md_code_block, md_inline
from grader.feedback.values import (
    MAX_TEXT_CHARS,
    describe_path,
    format_number,
    shown_text,
    view_value,
)
from grader.kinds.base import AnswerLayout


def test_format_number():
    assert [format_number(v) for v in (2.0, 2, 1.5, 0.1 + 0.2, -0.0, 1e6, None, "x")] == [
        "2",
        "2",
        "1.5",
        "0.3",
        "0",
        "1000000",
        "",
        "x",
    ]


def test_view_value_kinds():
    assert view_value(None, layout=AnswerLayout.GRIDS).kind == "none"
    shape = view_value([126, 126, 16], layout=AnswerLayout.SHAPE)
    assert (shape.kind, shape.text) == ("shape", "126 × 126 × 16")
    matrix = view_value(
        [[1, 2.0], ["9 + 18", 4]], layout=AnswerLayout.GRIDS, marked=frozenset({(1, 0)})
    )
    assert [[(c.text, c.differs) for c in row] for row in matrix.grids[0].rows] == [
        [("1", False), ("2", False)],
        [("9 + 18", True), ("4", False)],
    ]
    channels = view_value({"R": [[1]], "G": [[2]]}, layout=AnswerLayout.GRIDS)
    assert [g.label for g in channels.grids] == ["channel R", "channel G"]
    block = view_value([[[1, 2, 3], [4, 5, 6]]] * 2, layout=AnswerLayout.GRIDS)
    assert [g.label for g in block.grids] == ["slice 1", "slice 2"]
    odd = view_value({"a": 1}, layout=AnswerLayout.GRIDS)
    assert (odd.kind, odd.text) == ("text", '{"a": 1}')


def test_huge_matrix_is_truncated():
    view = view_value([[0] * 500] * 500, layout=AnswerLayout.GRIDS)
    grid = view.grids[0]
    assert grid.truncated and len(grid.rows) == 32 and len(grid.rows[0]) == 32


def test_describe_path():
    assert describe_path((1, 0)) == "row 2, column 1"
    assert describe_path(("B", 1, 1)) == "channel B, row 2, column 2"
    assert describe_path((0, 1, 2)) == "slice 1, row 2, column 3"
    assert describe_path((4,)) == "entry 5"
    assert describe_path(()) == "an entry"


def test_histogram_discrete_and_ranges():
    bins = histogram([0, 1, 1, 3], 3)
    assert [(b.label, b.count) for b in bins] == [("0", 1), ("1", 2), ("2", 0), ("3", 1)]
    totals = histogram([12.3, 47.9, 100], 100, max_bins=10)
    assert [b.label for b in totals][:2] == ["0–10", "10–20"]
    assert [b.count for b in totals] == [0, 1, 0, 0, 1, 0, 0, 0, 0, 1]
    assert [(b.label, b.count) for b in histogram([], 0)] == [("0", 0)]


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30), st.floats(0, 1000))
def test_histogram_counts_every_finite_value(values, max_value):
    finite = [v for v in values if abs(v) != float("inf") and v == v]
    bins = histogram(values, max_value)
    assert sum(b.count for b in bins) == len(finite)
    assert 1 <= len(bins) <= 22
    assert histogram_svg(bins, title="q<1>").startswith("<svg")
    assert len(sparkline(bins)) == len(bins)


def test_svg_escapes_title():
    svg = histogram_svg(histogram([1], 2), title="<script>", question_id='"q1"')
    assert (
        "<script>" not in svg and "&lt;script&gt;" in svg and 'data-question="&#34;q1&#34;"' in svg
    )


def test_sparkline_levels():
    assert sparkline(histogram([0, 1, 1, 2, 2, 2, 2], 2)) == "▃▅█"
    assert sparkline(histogram([], 2)) == "▁▁▁"


def test_md_inline_and_code_block():
    assert md_inline("a *b* <c>\n\n- d") == "a \\*b\\* \\<c\\> - d"
    assert md_inline("1. x") == "1\\. x"
    assert md_code_block("x ```` y") == "`````text\nx ```` y\n`````"
    assert md_code_block("a\r\nb\n\n") == "```text\na\nb\n```"


def test_absurd_sizes_are_cut():
    assert shown_text("short") == "short"
    cut = shown_text("x" * (MAX_TEXT_CHARS + 5))
    assert cut.endswith(f"(cut here: the answer has {MAX_TEXT_CHARS + 5:,} characters)")
    many_channels = view_value({str(k): [[k]] for k in range(100)}, layout=AnswerLayout.GRIDS)
    assert len(many_channels.grids) == 32
    huge_odd = view_value({"k": "v" * 50_000}, layout=AnswerLayout.GRIDS)
    assert huge_odd.kind == "text" and len(huge_odd.text) == MAX_TEXT_CHARS + 1


def test_several_shapes_for_a_shape_question():
    both = view_value([[126, 126, 16], [128, 128, 16]], layout=AnswerLayout.SHAPE)
    assert (both.kind, both.text) == ("shape", "126 × 126 × 16 and 128 × 128 × 16")
