"""Fixtures that build PDF submissions in the test's temporary folder."""

from pathlib import Path

import pytest
from fpdf import FPDF


def _text_pdf(path: Path, lines: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 8, text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.fixture
def text_pdf(tmp_path: Path) -> Path:
    """A one-page PDF with a real text layer holding two answers."""
    return _text_pdf(
        tmp_path / "answers.pdf", ["1. The output is", "45 45", "54 54", "7. 126x126x16"]
    )


@pytest.fixture
def scanned_pdf(tmp_path: Path) -> Path:
    """A PDF with only drawings on its pages, as a scan without OCR has only images."""
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
        pdf.line(20, 100, 150, 120)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    return path


@pytest.fixture
def half_scanned_pdf(tmp_path: Path) -> Path:
    """Page 1 has text, page 2 only a drawing."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 8, text="Q1 The output is 45 45 54 54 as computed.", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    path = tmp_path / "half.pdf"
    pdf.output(str(path))
    return path
