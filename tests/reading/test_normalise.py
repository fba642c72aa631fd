import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.reading import extract_arrays, extract_shapes, read_written_file
from grader.reading.normalise import normalise_text, normalise_unicode
from tests.reading.helpers import as_ints


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("The ﬁlter is eﬃcient", "The filter is efficient"),  # ligatures from PDFs and Word
        ("１２６ｘ１２６ｘ１６", "126x126x16"),  # full-width digits and letters (an IME)
        ("(128 − 3)/2 + 1", "(128 - 3)/2 + 1"),  # Unicode minus
        ("a\u2010b\u2011c\u2012d", "a-b-c-d"),  # hyphen look-alikes
        ("126\u00a0×\u202f126\u2009×\u300016", "126 × 126 × 16"),  # non-breaking, thin, ideographic
        ("4\u200b5 4\u00ad5\u2060", "45 45"),  # zero-width space, soft hyphen, word joiner
        ("１．Ｑ７", "1.Q7"),  # full-width punctuation
        ("line one\u2028line two\u2029end", "line one\nline two\nend"),
        ("page\x0cnext\x0bline", "page\nnext\nline"),
    ],
)
def test_compatibility_forms_read_as_ascii(written, read):
    assert normalise_unicode(written) == read


@pytest.mark.parametrize(
    "kept",
    [
        "126 × 126 × 16",  # the multiplication sign: shapes use it, NFKC keeps it
        "10² = 100",  # a superscript is not a digit: NFKC would make it 102
        "x₁ + x₂",
        "½ of the filters",  # NFKC would write 1⁄2
        "– en dash and — em dash",  # the readers treat an en dash as a minus themselves
        "café, naïve, 李雷",
    ],
)
def test_what_must_not_change(kept):
    assert normalise_unicode(kept) == kept


def test_pdf_junk_becomes_spaces_so_rows_stay_numbers():
    # pdflatex's big brackets come out as \x14/\x15 glued to a row, and bracket pieces as
    # private-use characters.
    text = "1. No padding:\n\x1445 45\n54 54\n\x15\n\uf8ee\n\uf8ef\uf8f0\n"
    assert normalise_unicode(text) == "1. No padding:\n 45 45\n54 54\n \n \n  \n"


def test_word_symbol_font_operators():
    assert normalise_unicode("126 \uf0b4 126 \uf0b4 16, 3 \uf02d 1") == "126 × 126 × 16, 3 - 1"


def test_normalise_text_also_fixes_line_ends_nul_and_bom():
    assert normalise_text("\ufeffQ1\r\n４５\x00 45\rQ2") == "Q1\n45 45\nQ2"


def test_ascii_is_returned_as_it_is():
    text = "Q7 126x126x16\n\tindented ~~struck~~ $\\times$"
    assert normalise_unicode(text) == text


@given(st.text(max_size=200))
def test_normalising_twice_changes_nothing(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and "\x00" not in once


def test_every_format_reader_normalises(tmp_path):
    path = tmp_path / "answers.md"
    path.write_text("1.\n４５ ４５\n５４ ５４\n\n7. １２６ × １２６ × １６ (the ﬁlters: −1 bias)\n")
    document = read_written_file(path)
    assert document.text == "1.\n45 45\n54 54\n\n7. 126 × 126 × 16 (the filters: -1 bias)\n"
    (matrix,) = extract_arrays(document.text.split("\n\n")[0])
    assert as_ints(matrix.values) == [[45, 45], [54, 54]]
    assert [shape.dims for shape in extract_shapes(document.text)] == [(126, 126, 16)]
