from grader.reading.pixel_tuples import find_pixel_tuple_grids

from .helpers import as_ints


def test_reads_rows_of_pixel_tuples_as_height_width_channels():
    text = "Result:\n(1,2,2) (1,2,2)\n(1,2,4) (1,2,4)\n"
    (found,) = find_pixel_tuple_grids(text)
    assert found.shape == (2, 2, 3)
    assert as_ints(found.values) == [[[1, 2, 2], [1, 2, 2]], [[1, 2, 4], [1, 2, 4]]]
    assert found.style == "pixel_tuples"
    assert text[found.start : found.end] == "(1,2,2) (1,2,2)\n(1,2,4) (1,2,4)"


def test_accepts_commas_and_brackets_between_tuples():
    text = "[(1, 2, 2), (1, 2, 2)],\n[(1, 2, 4), (1, 2, 4)]"
    (found,) = find_pixel_tuple_grids(text)
    assert found.shape == (2, 2, 3)


def test_a_lone_shape_or_single_row_is_not_an_image():
    assert find_pixel_tuple_grids("(126, 126, 16)\n(63, 63, 16)") == []
    assert find_pixel_tuple_grids("(1,2,2) (1,2,2)") == []
    assert find_pixel_tuple_grids("(1,2,2) (1,2,2)\n(1,2) (1,2)") == []
