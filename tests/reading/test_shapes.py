from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reading import FoundShape, extract_shapes


@pytest.mark.parametrize(
    "text",
    [
        "126x126x16",
        "126 X 126 X 16",
        "126 × 126 × 16",
        "$126 \\times 126 \\times 16$",
        "(126, 126, 16)",
        "[126, 126, 16]",
        "(None, 126, 126, 16)",
        "The output is **126x126x16**.",
        "shape=(126,126,16)",
    ],
)
def test_reads_every_way_of_writing_a_shape(text):
    (shape,) = extract_shapes(text)
    assert shape.dims == (Fraction(126), Fraction(126), Fraction(16))
    assert shape.confidence == 1.0


def test_star_shapes_are_read_with_a_little_less_confidence():
    (shape,) = extract_shapes("126*126*16")
    assert shape.dims == (126, 126, 16)
    assert shape.confidence < 1.0


def test_fractional_dimensions_stay_exact():
    (shape,) = extract_shapes("not possible: 63.5 x 63.5 x 16")
    assert shape.dims == (Fraction(127, 2), Fraction(127, 2), Fraction(16))
    assert shape.source == "63.5 x 63.5 x 16"


def test_two_dimensional_shapes_and_document_order():
    shapes = extract_shapes("16 filters of 3×3×32 on 128x128x32 give 126x126x16; a 3x3 kernel")
    assert [shape.dims for shape in shapes] == [(3, 3, 32), (128, 128, 32), (126, 126, 16), (3, 3)]
    assert all(isinstance(shape, FoundShape) for shape in shapes)


@pytest.mark.parametrize(
    "text",
    [
        "(128-3)/1+1 = 126",
        "floor((128 - 3)/2) + 1 = 63",
        "The answer is 126 and the depth 16.",
        "2*1 + 1",
        "3*3*32 = 288 weights",
        "f(1, 2)",
        "[[1, 2], [3, 4]]",
        "0x10",
        "version 3.11",
    ],
)
def test_formulas_calls_and_sentence_numbers_are_not_shapes(text):
    assert extract_shapes(text) == []


def test_arithmetic_inside_tuples_and_torch_sizes():
    assert [shape.dims for shape in extract_shapes("(128/2, 128/2, 16)")] == [(64, 64, 16)]
    assert [shape.dims for shape in extract_shapes("torch.Size([1, 16, 126, 126])")] == [
        (1, 16, 126, 126)
    ]
    assert [shape.dims for shape in extract_shapes("128 by 128 by 32")] == [(128, 128, 32)]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(text):
    for shape in extract_shapes(text):
        assert len(shape.dims) >= 2
        assert all(dim > 0 for dim in shape.dims)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=4096), min_size=2, max_size=4),
    st.sampled_from(["x", " x ", " × ", " \\times ", "X"]),
)
def test_round_trip_of_rendered_shapes(dims, separator):
    (shape,) = extract_shapes("The output is " + separator.join(map(str, dims)) + ".")
    assert shape.dims == tuple(Fraction(dim) for dim in dims)
