"""Page images of a scan for a person: count, size caps, and the errors when it cannot be done."""

import random
import shutil
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from grader.reading import pdf_pages
from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.pdf_pages import PageRenderingUnavailable, render_pdf_pages
from grader.reading.pdf_text import read_pdf_text
from tests.fixtures.pdf_samples import FIXED_DATE, write_scanned_pdf

A4_AT_150_DPI = (1241, 1754)  # 210 × 297 mm = 595.3 × 841.9 pt; PDFium rounds up


def image_only_pdf(path: Path, pages: int) -> Path:
    """What a scanner makes: every page one photo (a white sheet with a black block), no text."""
    photo = path.parent / "photo.png"
    sheet = Image.new("RGB", (420, 594), "white")
    sheet.paste(Image.new("RGB", (210, 100), "black"), (0, 0))
    sheet.save(photo)
    pdf = FPDF()
    pdf.set_creation_date(FIXED_DATE)
    for _ in range(pages):
        pdf.add_page()
        pdf.image(str(photo), x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    return path


def test_a_scan_has_no_text_layer_and_renders_one_png_per_page(tmp_path):
    scan = image_only_pdf(tmp_path / "scan.pdf", pages=3)
    with pytest.raises(UnreadableSubmission) as caught:
        read_pdf_text(scan.read_bytes(), scan)
    assert caught.value.kind is UnreadableKind.NO_TEXT_LAYER

    pages = render_pdf_pages(scan, tmp_path / "pages")
    assert [page.name for page in pages] == ["page-001.png", "page-002.png", "page-003.png"]
    for page in pages:
        with Image.open(page) as image:
            assert image.format == "PNG"
            assert image.size == A4_AT_150_DPI
            assert image.convert("L").getpixel((100, 100)) < 40  # the black block, top left
            assert image.convert("L").getpixel((1000, 1500)) > 215  # the white sheet


def test_page_count_is_capped(tmp_path):
    scan = image_only_pdf(tmp_path / "scan.pdf", pages=4)
    pages = render_pdf_pages(scan, tmp_path / "pages", max_pages=2)
    assert [page.name for page in pages] == ["page-001.png", "page-002.png"]
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == [
        "page-001.png",
        "page-002.png",
    ]


def test_image_size_is_capped_on_the_longer_side(tmp_path):
    scan = write_scanned_pdf(tmp_path / "scan.pdf")  # the drawn-shapes scan of the samples
    (page,) = render_pdf_pages(scan, tmp_path / "pages", max_side=600)
    with Image.open(page) as image:
        assert image.size == (425, 600)  # 595.3 × 841.9 pt scaled to 600 px, rounded up


def test_a_huge_page_is_shrunk_not_rendered_at_full_size(tmp_path):
    pdf = FPDF(format=(5000, 5000))  # 5 m × 5 m: 29,528 px a side at 150 dpi
    pdf.add_page()
    pdf.rect(100, 100, 1000, 1000, style="F")
    path = tmp_path / "poster.pdf"
    pdf.output(str(path))
    (page,) = render_pdf_pages(path, tmp_path / "pages")
    with Image.open(page) as image:
        assert image.size == (2000, 2000)


def test_a_corrupt_pdf_is_unreadable(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n" + random.Random(3).randbytes(2000))
    with pytest.raises(UnreadableSubmission) as caught:
        render_pdf_pages(path, tmp_path / "pages")
    assert caught.value.kind is UnreadableKind.CORRUPT_PDF
    assert caught.value.message.startswith("PDF pages cannot be rendered (PdfiumError")
    assert caught.value.path == str(path)


def test_without_any_renderer_the_error_says_what_to_install(tmp_path, monkeypatch):
    scan = write_scanned_pdf(tmp_path / "scan.pdf")
    monkeypatch.setattr(pdf_pages, "_pypdfium2", lambda: None)
    monkeypatch.setattr(pdf_pages.shutil, "which", lambda name: None)
    with pytest.raises(PageRenderingUnavailable) as caught:
        render_pdf_pages(scan, tmp_path / "pages")
    assert caught.value.one_line() == (
        f"{scan}: no PDF renderer installed: cannot make page images"
        " (fix: install pypdfium2 (`pip install pypdfium2`)"
        " or poppler-utils (`apt-get install poppler-utils`))"
    )


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="Debian's poppler-utils not installed")
def test_pdftoppm_is_the_fallback(tmp_path, monkeypatch):
    scan = image_only_pdf(tmp_path / "scan.pdf", pages=2)
    monkeypatch.setattr(pdf_pages, "_pypdfium2", lambda: None)
    pages = render_pdf_pages(scan, tmp_path / "pages", max_side=800)
    assert [page.name for page in pages] == ["page-001.png", "page-002.png"]
    with Image.open(pages[0]) as image:
        assert max(image.size) == 800


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="max_pages"):
        render_pdf_pages(tmp_path / "scan.pdf", tmp_path, max_pages=0)
