from fractions import Fraction

import pytest

from grader.reading.latex_arrays import find_latex_arrays

from .helpers import as_ints


@pytest.mark.parametrize("environment", ["bmatrix", "pmatrix", "vmatrix", "Bmatrix", "matrix"])
def test_reads_matrix_environments(environment):
    text = f"$$\\begin{{{environment}}} 45 & 45 \\\\ 54 & 54 \\end{{{environment}}}$$"
    (found,) = find_latex_arrays(text)
    assert as_ints(found.values) == [[45, 45], [54, 54]]
    assert found.shape == (2, 2)
    assert found.style == "latex"
    assert found.confidence == 1.0


def test_reads_array_with_column_spec_and_hline():
    text = "\\begin{array}{c|c} \\hline 45.0 & 45 \\\\ \\hline 54 & 9 \\cdot 6 \\\\ \\end{array}"
    (found,) = find_latex_arrays(text)
    assert as_ints(found.values) == [[45, 45], [54, 54]]


def test_reads_left_right_brackets_with_and_without_environment():
    wrapped = "\\left[ \\begin{array}{cc} 1 & 2 \\\\ 3 & 4 \\end{array} \\right]"
    bare = "\\left[ 1 & 2 \\\\ 3 & 4 \\right]"
    assert [as_ints(found.values) for found in find_latex_arrays(wrapped)] == [[[1, 2], [3, 4]]]
    assert [as_ints(found.values) for found in find_latex_arrays(bare)] == [[[1, 2], [3, 4]]]


def test_evaluates_unevaluated_arithmetic_in_cells():
    text = (
        "\\begin{bmatrix} 9 + 18 + 18 & 1\\times 1 + 2 \\times 2 \\\\"
        " \\frac{9}{2} & \\mathbf{7} \\end{bmatrix}"
    )
    (found,) = find_latex_arrays(text)
    assert found.values == ((Fraction(45), Fraction(5)), (Fraction(9, 2), Fraction(7)))


def test_reads_rows_written_with_spaces_instead_of_ampersands():
    (found,) = find_latex_arrays("\\begin{bmatrix} 1 2 \\\\ 3 4 \\end{bmatrix}")
    assert as_ints(found.values) == [[1, 2], [3, 4]]


def test_ragged_rows_lower_confidence():
    (found,) = find_latex_arrays("\\begin{bmatrix} 1 & 2 \\\\ 3 \\\\ 5 & 6 \\end{bmatrix}")
    assert as_ints(found.values) == [[1, 2], [5, 6]]
    assert found.confidence == 0.5


def test_reads_only_inner_matrices_and_skips_unreadable_ones():
    text = (
        "\\begin{bmatrix} \\begin{bmatrix} 1 & 1 \\\\ 1 & 1 \\end{bmatrix} & x \\end{bmatrix}"
        " \\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix} \\begin{bmatrix} 7 \\end{bmatrix}"
    )
    assert [as_ints(found.values) for found in find_latex_arrays(text)] == [[[1, 1], [1, 1]]]


def test_one_by_n_row_in_latex_is_an_array():
    (found,) = find_latex_arrays("\\begin{bmatrix} 1 & 2 & 3 \\end{bmatrix}")
    assert found.shape == (1, 3)
