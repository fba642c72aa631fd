import pytest

from grader.reading.labels import (
    label_before,
    labels_in,
    previous_line_labels,
    resolve_label,
    row_label_prefix,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R:", ["R"]),
        ("Red channel", ["R"]),
        ("GREEN", ["G"]),
        ("blue:", ["B"]),
        ("channel 1 (R)", ["R"]),
        ("Channel 2", [2]),
        ("c=0", [0]),
        ("(B)", ["B"]),
        ("g:", ["G"]),
        ("R        G        B", ["R", "G", "B"]),
        ("Because the bread is reduced", []),
        ("a b c", []),
    ],
)
def test_labels_in(text, expected):
    assert labels_in(text) == expected


@pytest.mark.parametrize(
    ("line", "label", "rest"),
    [
        ("R: 1 1 1", "R", "1 1 1"),
        ("Red channel = 1 1", "R", "1 1"),
        ("**G**: 2 2", "G", "2 2"),
        ("c = 0: 1 1", 0, "1 1"),
        ("channel 3 (B): 1 2", "B", "1 2"),
        ("B 1 1 1", "B", "1 1 1"),
        ("row 1: 9 18", None, "9 18"),
        ("1 1 1", None, "1 1 1"),
    ],
)
def test_row_label_prefix(line, label, rest):
    found, start = row_label_prefix(line)
    assert found == label
    assert line[start:] == rest


def test_label_before_reads_same_line_then_line_above():
    text = "Red channel:\n\n[[1, 1]]\n$G = \\begin{bmatrix}"
    assert label_before(text, text.index("[[")) == "R"
    assert label_before(text, text.index("\\begin")) == "G"
    prose = "This paragraph is far too long to be a label even though it says red.\n[[1]]"
    assert label_before(prose, prose.index("[[")) is None
    assert previous_line_labels("R G B\n1 1", 6) == ["R", "G", "B"]
    both = "R (channel 1):\n[[1, 1]]"
    assert label_before(both, both.index("[[")) == "R"


def test_resolve_label_counts_from_zero_or_one():
    assert resolve_label("G", zero_based=False) == "G"
    assert resolve_label(1, zero_based=False) == "R"
    assert resolve_label(1, zero_based=True) == "G"
    assert resolve_label(7, zero_based=True) is None
    assert resolve_label(None, zero_based=True) is None
