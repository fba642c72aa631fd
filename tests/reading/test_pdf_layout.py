"""Typeset PDFs: matrix rows stay on their own lines, and the text is Unicode-normalised."""

from pathlib import Path

import matplotlib
import pytest
from fpdf import FPDF

from grader.reading import extract_arrays, read_written_file, split_into_questions
from grader.reading.pdf_text import read_pdf_text
from tests.reading.helpers import as_ints

# A TrueType font that matplotlib ships: Unicode glyphs (−, ×, ligatures) without system fonts.
SERIF = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSerif.ttf"


def typeset_pdf(row_gap_mm: float, *, font_size: int = 11) -> bytes:
    """Like LaTeX's `1. text $\\begin{bmatrix}…$`: the label is written first, on the baseline
    between the two rows of the matrix beside it, then each entry at its own position."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("Serif", fname=str(SERIF))
    pdf.set_font("Serif", size=font_size)
    y = 40.0
    pdf.text(20, y, "1. Without padding:")
    for r, row in enumerate([["45", "45"], ["54", "54"]]):
        for c, value in enumerate(row):
            pdf.text(62 + c * 9, y - row_gap_mm / 2 + r * row_gap_mm, value)
    pdf.text(20, y + 14, "7. 126 × 126 × 16; the ﬁlter count is (128 − 3)/2 + 1 = 63.5")
    pdf.text(20, y + 22, "21. Grad-CAM: gradients of the class score ﬂow back to the last layer.")
    return bytes(pdf.output())


@pytest.mark.parametrize("row_gap_mm", [4.2, 4.8, 6.0])  # 12 to 17 pt, a LaTeX row at 11 pt
def test_matrix_rows_beside_a_label_stay_on_their_own_lines(row_gap_mm):
    text, warnings = read_pdf_text(typeset_pdf(row_gap_mm), Path("typeset.pdf"))
    assert warnings == ()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[:3] == ["1. Without padding:", "45 45", "54 54"]
    (matrix,) = extract_arrays(split_into_questions(text, [1, 7, 21])[1])
    assert as_ints(matrix.values) == [[45, 45], [54, 54]]


def test_typeset_pdf_text_is_unicode_normalised():
    text, _ = read_pdf_text(typeset_pdf(4.8), Path("typeset.pdf"))
    answers = split_into_questions(text, [1, 7, 21])
    assert answers[7] == "126 × 126 × 16; the filter count is (128 - 3)/2 + 1 = 63.5"
    assert answers[21] == "Grad-CAM: gradients of the class score flow back to the last layer."


def test_a_superscript_stays_on_its_line():
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("Serif", fname=str(SERIF))
    pdf.set_font("Serif", size=11)
    pdf.text(20, 40, "9. a 1×1 convolution costs n")
    pdf.set_font("Serif", size=7)
    pdf.text(71.5, 38.5, "2")  # raised by 1.5 mm, like TeX's superscript
    pdf.set_font("Serif", size=11)
    pdf.text(74, 40, "multiplications per pixel")
    text, _ = read_pdf_text(bytes(pdf.output()), Path("typeset.pdf"))
    assert len(text.strip().splitlines()) == 1


def test_pdflatex_sample_keeps_every_matrix_row():
    # submissions/judy/written.pdf was typeset by pdflatex (tests/fixtures/format_samples.py):
    # its bracket glyphs come out of the text layer as \x14/\x15, now blanked out.
    document = read_written_file(Path("submissions/judy/written.pdf"))
    assert document.source_kind == "pdf" and document.warnings == ()
    lines = [line.strip() for line in document.text.splitlines()]
    start = lines.index("1. Without padding:")
    assert lines[start : start + 5] == ["1. Without padding:", "", "45 45", "54 54", ""]
    dilation = lines.index("3. Dilation 2 and padding 1:")
    assert lines[dilation + 2 : dilation + 4] == ["24 24", "20 20"]
    assert "8. ⌊(128 - 3)/2⌋ + 1 = 63, so 63 × 63 × 16." in lines
    assert not any(char in document.text for char in "\x12\x13\x14\x15")
    q11 = split_into_questions(document.text, [11, 12])[11]
    found = {array.label: as_ints(array.values) for array in extract_arrays(q11)}
    assert found == {"R": [[1, 1], [1, 1]], "G": [[2, 2], [2, 2]], "B": [[2, 2], [4, 4]]}


def test_a_pdf_from_memory_and_from_a_file_read_alike(tmp_path):
    data = typeset_pdf(4.8)
    path = tmp_path / "written.pdf"
    path.write_bytes(data)
    assert read_written_file(path).text == read_pdf_text(data, path)[0]
