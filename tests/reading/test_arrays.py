from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reading import FoundArray, extract_arrays

from .helpers import as_ints

Q11_CHANNELS = """\
R:
1 1
1 1

Green channel = [[2, 2], [2, 2]]

$B = \\begin{bmatrix} 2 & 2 \\\\ 4 & 4 \\end{bmatrix}$
"""


def test_reads_every_notation_in_document_order_with_labels():
    found = extract_arrays(Q11_CHANNELS)
    assert [(array.label, array.style, as_ints(array.values)) for array in found] == [
        ("R", "grid", [[1, 1], [1, 1]]),
        ("G", "nested_list", [[2, 2], [2, 2]]),
        ("B", "latex", [[2, 2], [4, 4]]),
    ]
    assert all(isinstance(array, FoundArray) for array in found)
    assert found[2].source.startswith("\\begin{bmatrix}")


def test_numbered_channels_count_from_one_unless_a_zero_appears():
    one_based = "channel 1:\n1 1\n1 1\n\nchannel 2:\n2 2\n2 2\n\nchannel 3:\n2 2\n4 4"
    zero_based = "c=0:\n1 1\n1 1\n\nc=1:\n2 2\n2 2\n\nc=2:\n2 2\n4 4"
    assert [array.label for array in extract_arrays(one_based)] == ["R", "G", "B"]
    assert [array.label for array in extract_arrays(zero_based)] == ["R", "G", "B"]


def test_channel_label_with_letter_wins_over_number():
    text = "Channel 1 (R)\n1 1\n1 1\n"
    (found,) = extract_arrays(text)
    assert found.label == "R"


def test_arrays_side_by_side_in_latex_take_their_own_labels():
    text = (
        "$R = \\begin{bmatrix} 1 & 1 \\\\ 1 & 1 \\end{bmatrix},"
        " G = \\begin{bmatrix} 2 & 2 \\\\ 2 & 2 \\end{bmatrix}$"
    )
    assert [array.label for array in extract_arrays(text)] == ["R", "G"]


def test_nothing_is_read_twice():
    text = "[[45, 45], [54, 54]]\n\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}\n[1 2]\n[3 4]"
    found = extract_arrays(text)
    assert [array.shape for array in found] == [(2, 2), (2, 2), (2, 2)]
    assert [array.style for array in found] == ["nested_list", "latex", "grid"]


def test_pixel_tuples_and_flat_rows():
    found = extract_arrays("(1,2,2) (1,2,2)\n(1,2,4) (1,2,4)\n\nshape [126, 126, 16]")
    assert [array.shape for array in found] == [(2, 2, 3), (1, 3)]


def test_plain_prose_has_no_arrays():
    text = "Pooling halves the resolution. With 3 layers and 16 filters, see Figure 2.\n3\n"
    assert extract_arrays(text) == []


def test_q1_answer_with_unevaluated_sums():
    text = "1. Output:\n   9 + 18 + 18   9 + 18 + 18\n   9 + 27 + 18   9 + 27 + 18\n"
    (found,) = extract_arrays(text)
    assert found.values == ((Fraction(45), Fraction(45)), (Fraction(54), Fraction(54)))


# Property tests: never crash; what we render, we read back.

_NOISE = st.lists(
    st.sampled_from(
        [
            "[",
            "]",
            "(",
            ")",
            "{",
            "}",
            "\\begin{bmatrix}",
            "\\end{bmatrix}",
            "\\begin{array}{cc}",
            "\\end{array}",
            "\\left[",
            "\\right]",
            "&",
            "\\\\",
            "\n",
            " ",
            "   ",
            "\t",
            ",",
            ";",
            "|",
            "|---|",
            "1",
            "-2",
            "45",
            "3.5",
            "9 + 18",
            "x",
            "×",
            "*",
            "=",
            "R:",
            "Red",
            "channel 1",
            "c=0",
            "(1,2,2)",
            "~~",
            "O",
            "l",
            "S",
            "array(",
            "None",
            "Q7",
            "1.",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), _NOISE))
def test_never_raises_on_arbitrary_text(text):
    for array in extract_arrays(text):
        assert array.shape and all(size > 0 for size in array.shape)
        assert 0 < array.confidence <= 1
        assert array.label in (None, "R", "G", "B")


_MATRICES = st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(min_value=-300, max_value=300), min_size=width, max_size=width),
        min_size=1,
        max_size=5,
    )
)


def _bmatrix(matrix: list[list[int]]) -> str:
    rows = " \\\\\n".join(" & ".join(str(value) for value in row) for row in matrix)
    return f"$$\n\\begin{{bmatrix}}\n{rows}\n\\end{{bmatrix}}\n$$"


def _grid(matrix: list[list[int]], separator: str) -> str:
    return "\n".join(separator.join(str(value) for value in row) for row in matrix)


def _nested_list(matrix: list[list[int]], numpy_style: bool) -> str:
    if numpy_style:
        width = max(len(str(value)) for row in matrix for value in row)
        rows = ["[" + " ".join(str(value).rjust(width) for value in row) + "]" for row in matrix]
        return "array([" + "\n       ".join(rows) + "])"
    return (
        "[" + ", ".join("[" + ", ".join(str(value) for value in row) + "]" for row in matrix) + "]"
    )


def _readable(matrix: list[list[int]]) -> bool:
    return len(matrix) * len(matrix[0]) > 1


@settings(max_examples=150, deadline=None)
@given(_MATRICES)
def test_bmatrix_round_trip(matrix):
    if not _readable(matrix):
        return
    (found,) = extract_arrays("The output is\n" + _bmatrix(matrix) + "\nas computed.")
    assert as_ints(found.values) == matrix


@settings(max_examples=150, deadline=None)
@given(_MATRICES, st.sampled_from([" ", "  ", "\t", ", "]))
def test_plain_grid_round_trip(matrix, separator):
    if len(matrix) < 2 or len(matrix[0]) < 2:
        return  # one line or one column of numbers alone is not a grid
    (found,) = extract_arrays("Output:\n" + _grid(matrix, separator) + "\n\nDone.")
    assert as_ints(found.values) == matrix


@settings(max_examples=150, deadline=None)
@given(_MATRICES, st.booleans())
def test_nested_list_round_trip(matrix, numpy_style):
    if not _readable(matrix):
        return
    (found,) = extract_arrays("out = " + _nested_list(matrix, numpy_style))
    assert as_ints(found.values) == matrix


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=2, max_value=3),
    st.integers(min_value=2, max_value=3),
    st.integers(min_value=2, max_value=4),
    st.data(),
)
def test_side_by_side_round_trip(count, width, height, data):
    cells = st.integers(min_value=0, max_value=99)
    matrices = [
        data.draw(
            st.lists(
                st.lists(cells, min_size=width, max_size=width), min_size=height, max_size=height
            )
        )
        for _ in range(count)
    ]
    lines = [
        "    ".join(" ".join(str(value) for value in matrix[row]) for matrix in matrices)
        for row in range(height)
    ]
    found = extract_arrays("\n".join(lines))
    assert [as_ints(array.values) for array in found] == matrices
    assert {array.style for array in found} == {"side_by_side"}
