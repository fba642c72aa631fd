import pytest

from grader.reading.ocr import repair_ocr_digits


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1O 2O", "10 20"),
        ("O 1 2", "0 1 2"),
        ("45 4o", "45 40"),
        ("l2 2l", "12 21"),
        ("1I 5", "11 5"),
        ("1S2 3", "152 3"),
        ("1|2 3", "112 3"),
    ],
)
def test_repairs_lookalike_letters_in_numbers(line, expected):
    assert repair_ocr_digits(line) == (expected, True)


@pytest.mark.parametrize(
    "line",
    [
        "45 45",
        "Solo loss of 2",  # letters glued to letters stay letters
        "no digits: O l I S",
        "| 1 | 2 |",  # pipes of a table row are borders, not ones
        "|1|2|",
        "Sobel 3",
    ],
)
def test_leaves_prose_and_clean_numbers_alone(line):
    assert repair_ocr_digits(line) == (line, False)
