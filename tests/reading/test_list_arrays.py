from fractions import Fraction

from grader.reading.list_arrays import find_nested_lists

from .helpers import as_ints


def test_reads_python_lists():
    (found,) = find_nested_lists("out = [[45, 45], [54, 54]]", min_depth=2)
    assert as_ints(found.values) == [[45, 45], [54, 54]]
    assert found.style == "nested_list"


def test_reads_numpy_and_torch_printouts():
    numpy_text = "array([[45., 45.],\n       [54., 54.]], dtype=float32)"
    torch_text = "tensor([[45 45]\n        [54 54]])"
    for text in (numpy_text, torch_text):
        (found,) = find_nested_lists(text, min_depth=2)
        assert as_ints(found.values) == [[45, 45], [54, 54]]


def test_depth_three_is_a_three_dimensional_array():
    text = "[[[1 1]\n  [1 1]]\n\n [[2 2]\n  [2 2]]\n\n [[1 1]\n  [2 2]]]"
    (found,) = find_nested_lists(text, min_depth=2)
    assert found.shape == (3, 2, 2)
    assert as_ints(found.values) == [[[1, 1], [1, 1]], [[2, 2], [2, 2]], [[1, 1], [2, 2]]]


def test_lists_of_pixel_tuples():
    (found,) = find_nested_lists("[[(1,2,2), (1,2,2)], [(1,2,4), (1,2,4)]]", min_depth=2)
    assert found.shape == (2, 2, 3)
    assert as_ints(found.values) == [[[1, 2, 2], [1, 2, 2]], [[1, 2, 4], [1, 2, 4]]]


def test_arithmetic_and_matlab_rows():
    (found,) = find_nested_lists("[[(9+18+18), 1*1+2*2], [3·6, 2×9]]", min_depth=2)
    assert found.values == ((Fraction(45), Fraction(5)), (Fraction(18), Fraction(18)))
    (matlab,) = find_nested_lists("[1 2; 3 4]", min_depth=2)
    assert as_ints(matlab.values) == [[1, 2], [3, 4]]


def test_min_depth_decides_whether_flat_lists_count():
    assert find_nested_lists("see [1, 2, 3]", min_depth=2) == []
    (row,) = find_nested_lists("see [1, 2, 3]", min_depth=1)
    assert row.shape == (1, 3)
    assert find_nested_lists("see [1] and [a, b]", min_depth=1) == []


def test_ragged_lists_lower_confidence_and_broken_lists_are_skipped():
    (ragged,) = find_nested_lists("[[1, 2], [3], [5, 6]]", min_depth=2)
    assert as_ints(ragged.values) == [[1, 2], [5, 6]]
    assert ragged.confidence == 0.5
    assert find_nested_lists("[[1, 2], [3, 4]", min_depth=2) == []
    assert find_nested_lists("[[[[1]]]]", min_depth=2) == []
