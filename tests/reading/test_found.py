from fractions import Fraction

from grader.reading.found import is_array_shape, rectangular


def test_rectangular_keeps_equal_rows_and_drops_odd_ones():
    one, two = Fraction(1), Fraction(2)
    assert rectangular([[one, two], [two, one]]) == (((one, two), (two, one)), False)
    assert rectangular([[one, two], [one], [two, one]]) == (((one, two), (two, one)), True)


def test_single_numbers_and_empty_shapes_are_not_arrays():
    assert not is_array_shape((1, 1))
    assert not is_array_shape((0, 3))
    assert is_array_shape((1, 3))
    assert is_array_shape((2, 2, 3))
