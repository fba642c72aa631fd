from fractions import Fraction

from grader.reading.grids import find_grids

from .helpers import as_ints


def test_reads_space_tab_and_comma_grids():
    text = "Output:\n45 45\n54 54\n\n1\t2\n3\t4\n\n9, 18\n18, 27\n"
    found = find_grids(text)
    assert [as_ints(grid.values) for grid in found] == [
        [[45, 45], [54, 54]],
        [[1, 2], [3, 4]],
        [[9, 18], [18, 27]],
    ]
    assert {grid.style for grid in found} == {"grid"}
    assert found[0].start == text.index("45")


def test_reads_rows_in_brackets_and_bars():
    text = "[1 2 3]\n[4 5 6]\n\n|1 2|\n|3 4|\n\n[1, 2],\n[3, 4]"
    assert [as_ints(grid.values) for grid in find_grids(text)] == [
        [[1, 2, 3], [4, 5, 6]],
        [[1, 2], [3, 4]],
        [[1, 2], [3, 4]],
    ]


def test_reads_markdown_tables_skipping_header_and_rule():
    text = "| a | b |\n|---|:-:|\n| 45 | 45 |\n| 54 | 54 |\n"
    (found,) = find_grids(text)
    assert as_ints(found.values) == [[45, 45], [54, 54]]
    assert found.style == "table"


def test_unevaluated_sums_with_wide_gaps_are_one_grid():
    text = "9 + 18 + 18   9 + 18 + 18\n18 + 27 + 27   18 + 27 + 27"
    (found,) = find_grids(text)
    assert as_ints(found.values) == [[45, 45], [72, 72]]


def test_side_by_side_grids_split_on_wide_gaps():
    text = "1 1    2 2    2 2\n1 1    2 2    2 2"
    found = find_grids(text)
    assert [as_ints(grid.values) for grid in found] == [
        [[1, 1], [1, 1]],
        [[2, 2], [2, 2]],
        [[2, 2], [2, 2]],
    ]
    assert {grid.style for grid in found} == {"side_by_side"}


def test_side_by_side_grids_split_on_tabs_and_pipes():
    tabs = "1 1\t2 2\n1 1\t2 2"
    pipes = "1 1 | 2 2 | 3 4\n1 1 | 2 2 | 3 4"
    assert [as_ints(grid.values) for grid in find_grids(tabs)] == [
        [[1, 1], [1, 1]],
        [[2, 2], [2, 2]],
    ]
    assert [as_ints(grid.values) for grid in find_grids(pipes)] == [
        [[1, 1], [1, 1]],
        [[2, 2], [2, 2]],
        [[3, 4], [3, 4]],
    ]


def test_side_by_side_labels_come_from_the_header_line():
    text = "R        G        B\n1 1      2 2      1 1\n1 1      2 2      2 2"
    assert [grid.label for grid in find_grids(text)] == ["R", "G", "B"]


def test_wide_gaps_everywhere_or_in_one_row_only_make_one_grid():
    uniform = "24   36   36   24\n36   54   54   36"
    one_row = "12  3 4\n 1 20 4"
    assert [grid.shape for grid in find_grids(uniform)] == [(2, 4)]
    assert [grid.shape for grid in find_grids(one_row)] == [(2, 3)]


def test_row_labels_start_new_grids():
    text = "R: 1 1\n   1 1\nG: 2 2\n   2 2"
    found = find_grids(text)
    assert [(grid.label, as_ints(grid.values)) for grid in found] == [
        ("R", [[1, 1], [1, 1]]),
        ("G", [[2, 2], [2, 2]]),
    ]


def test_single_lines_and_single_columns_are_not_grids():
    assert find_grids("The answer is 9 18 18 9.\n") == []
    assert find_grids("9 18\n") == []
    assert find_grids("3\n4\n5\n") == []
    assert find_grids("Figure 2.\n3\n") == []


def test_lone_bracketed_row_is_a_one_by_n_array():
    (found,) = find_grids("[1 2 3]")
    assert found.shape == (1, 3)


def test_ocr_repairs_lower_confidence():
    (found,) = find_grids("45 4O\n54 5l")
    assert as_ints(found.values) == [[45, 40], [54, 51]]
    assert found.confidence == 0.7


def test_ragged_rows_keep_the_common_width_at_lower_confidence():
    (found,) = find_grids("1 2 3\n4 5\n6 7 8")
    assert as_ints(found.values) == [[1, 2, 3], [6, 7, 8]]
    assert found.confidence == 0.5


def test_runs_of_different_widths_are_separate_grids():
    found = find_grids("1 2 3\n4 5 6\n7 8\n9 10")
    assert [grid.shape for grid in found] == [(2, 3), (2, 2)]
    assert all(grid.confidence == 1.0 for grid in found)


def test_decimals_and_negative_numbers():
    (found,) = find_grids("45.0 -1.5\n-2 0.25")
    assert found.values == ((Fraction(45), Fraction(-3, 2)), (Fraction(-2), Fraction(1, 4)))
