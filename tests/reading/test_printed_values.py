"""Values as students paste them: printed tensors and arrays, PyTorch shapes, Markdown tables,
rows split by blank lines, and OCR damage inside numbers and shapes."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader.reading import extract_arrays, extract_shapes
from grader.reading.found import CLEAN, OCR_REPAIRED


def _ints(found) -> list:
    def convert(value):
        return [convert(v) for v in value] if isinstance(value, tuple) else int(value)

    return convert(found.values)


@pytest.mark.parametrize(
    ("text", "shape", "values"),
    [
        ("tensor([[[[45., 45.], [54., 54.]]]])", (2, 2), [[45, 45], [54, 54]]),
        ("array([[[45, 45], [54, 54]]])", (2, 2), [[45, 45], [54, 54]]),
        (
            "tensor([[45., 45.],\n        [54., 54.]], dtype=torch.float64)",
            (2, 2),
            [[45, 45], [54, 54]],
        ),
        ("tensor([[45., 45.], [54., 54.]], device='cuda:0')", (2, 2), [[45, 45], [54, 54]]),
        (
            "tensor([[4.5000e+01, 4.5000e+01], [5.4000e+01, 5.4000e+01]])",
            (2, 2),
            [[45, 45], [54, 54]],
        ),
        (
            "tensor([[[[1., 1.], [1., 1.]], [[2., 2.], [2., 2.]], [[2., 2.], [4., 4.]]]])",
            (3, 2, 2),
            [[[1, 1], [1, 1]], [[2, 2], [2, 2]], [[2, 2], [4, 4]]],
        ),
    ],
)
def test_printed_tensors_and_arrays(text, shape, values):
    [found] = extract_arrays(text)
    assert found.shape == shape and _ints(found) == values and found.confidence == CLEAN


@pytest.mark.parametrize(
    ("text", "dims"),
    [
        ("torch.Size([1, 16, 126, 126])", (1, 16, 126, 126)),  # the scorer drops a batch of 1
        ("(N, 16, 126, 126)", (16, 126, 126)),
        ("(batch, 16, 126, 126)", (16, 126, 126)),
        ("(16, 126, 126)", (16, 126, 126)),
        ("torch.Size([16, 63, 63])", (16, 63, 63)),
    ],
)
def test_pytorch_shapes(text, dims):
    [shape] = extract_shapes(text)
    assert shape.dims == tuple(Fraction(d) for d in dims)


@pytest.mark.parametrize(
    "table",
    [
        "|    | c1 | c2 |\n|----|----|----|\n| r1 | 45 | 45 |\n| r2 | 54 | 54 |",
        "|   | 1 | 2 |\n|---|---|---|\n| 1 | 45 | 45 |\n| 2 | 54 | 54 |",
        "| col 1 | col 2 |\n|:-----:|:-----:|\n| 45 | 45 |\n| 54 | 54 |",
        "| | | |\n|---|---|---|\n| row 1 | 9 + 18 + 18 | 45 |\n| row 2 | 54 | 54 |",
    ],
)
def test_markdown_table_headers_and_row_labels_are_labels(table):
    [found] = extract_arrays(table)
    assert found.style == "table" and _ints(found) == [[45, 45], [54, 54]]


def test_markdown_tables_named_by_channel():
    text = (
        "| R | | |\n|---|---|---|\n| row 1 | 1 | 1 |\n| row 2 | 1 | 1 |\n\n"
        "| B | | |\n|---|---|---|\n| row 1 | 2 | 2 |\n| row 2 | 4 | 4 |"
    )
    red, blue = extract_arrays(text)
    assert (red.label, _ints(red)) == ("R", [[1, 1], [1, 1]])
    assert (blue.label, _ints(blue)) == ("B", [[2, 2], [4, 4]])


def test_rows_split_by_blank_lines_are_one_matrix():
    text = "18 27 27 18\n\n30 45 45 30\n\n36 54 54 36\n\n26 39 39 26\n"
    [found] = extract_arrays(text)
    assert found.shape == (4, 4) and _ints(found)[3] == [26, 39, 39, 26]


def test_stacked_matrices_stay_apart_and_side_by_side_blocks_keep_labels():
    assert [a.shape for a in extract_arrays("1 1\n1 1\n\n2 2\n2 2")] == [(2, 2), (2, 2)]
    text = "R          G\n1 1        2 2\n1 1        2 2\n\nB\n2 2\n4 4"
    found = extract_arrays(text)
    assert [(a.label, _ints(a)) for a in found] == [
        ("R", [[1, 1], [1, 1]]),
        ("G", [[2, 2], [2, 2]]),
        ("B", [[2, 2], [4, 4]]),
    ]


def test_numbers_in_prose_across_a_blank_line_are_not_a_matrix():
    assert extract_arrays("The answer is 45 45\n\nand 54 54 I think") == []
    assert extract_arrays("45 45\n\n\n54 54") == []  # two blank lines: two separate lines


def test_ocr_damage_in_a_grid_is_read_at_low_confidence():
    [found] = extract_arrays("4S 4S\n54 54")
    assert _ints(found) == [[45, 45], [54, 54]] and found.confidence == OCR_REPAIRED


@pytest.mark.parametrize(
    ("text", "dims"), [("l26 x 126 x l6", (126, 126, 16)), ("2O x 2O x 16", (20, 20, 16))]
)
def test_ocr_damage_in_a_shape_is_read_at_low_confidence(text, dims):
    [shape] = extract_shapes(text)
    assert shape.dims == tuple(Fraction(d) for d in dims) and shape.confidence == OCR_REPAIRED
    assert shape.source == text


def test_a_shape_cut_short_by_damage_is_marked():
    [shape] = extract_shapes("126 x 126 x ?6")
    assert shape.dims == (126, 126) and shape.truncated
    [whole] = extract_shapes("126 x 126 x 16 maps")
    assert not whole.truncated
