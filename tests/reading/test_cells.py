from fractions import Fraction

import pytest

from grader.reading.cells import evaluate_cell, split_number_row


def _values(row: str) -> list[Fraction] | None:
    numbers = split_number_row(row)
    return None if numbers is None else list(numbers.values)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("1 2 3", [1, 2, 3]),
        ("1, 2, 3", [1, 2, 3]),
        ("1,2,3,", [1, 2, 3]),
        ("1\t2\t3", [1, 2, 3]),
        ("1 | 2 | 3", [1, 2, 3]),
        ("9 + 18 + 18   9 + 18 + 18", [45, 45]),
        ("(9+18+18) (9+18+18)", [45, 45]),
        ("1*1+2*2 3·6", [5, 18]),
        ("1 -2 3", [1, -2, 3]),
        ("1 - 2", [-1]),
        ("9 +18", [27]),
        ("45.0 54.", [45, 54]),
        ("9+18+18 = 45   9+18+18=45", [45, 45]),
    ],
)
def test_splits_rows_into_cells(row, expected):
    assert _values(row) == [Fraction(value) for value in expected]


@pytest.mark.parametrize("row", ["", "1 a 2", "1,,2", ", 1", "1 +", "the 3 cats", "| 1 | 2 |"])
def test_rejects_rows_that_are_not_numbers(row):
    assert split_number_row(row) is None


def test_gap_weights_show_wide_gaps_tabs_and_pipes():
    numbers = split_number_row("1 1    2 2\t3 3 | 4")
    assert numbers is not None
    assert [gap.weight for gap in numbers.gaps] == [1, 4, 1, 4, 1, 100]
    assert [gap.pipe for gap in numbers.gaps] == [False] * 5 + [True]


def test_cell_with_differing_sides_keeps_the_stated_result_and_flags_it():
    assert evaluate_cell("9 + 18 + 18 = 46") == (Fraction(46), True)
    assert evaluate_cell("9 + 18 + 18 = 45") == (Fraction(45), False)
    numbers = split_number_row("9+18+18=46 1")
    assert numbers is not None and numbers.mismatched
