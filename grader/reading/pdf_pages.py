"""Render the pages of a PDF as PNG images, for a person to read a scan the grader cannot.

Uses pypdfium2 (a PyPI wheel that carries PDFium) and falls back to
Debian poppler's `pdftoppm` when pypdfium2 is not installed; it never
downloads anything. Page count and image size are capped so a hostile PDF
cannot fill the disk or the memory. This module must not read or judge answers.
"""

from __future__ import annotations

import importlib
import math
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

from grader.errors import GraderError
from grader.reading.errors import UnreadableKind, UnreadableSubmission

DEFAULT_MAX_PAGES = 20
DEFAULT_MAX_SIDE = 2000  # pixels on the longer side of a page image
DEFAULT_DPI = 150
MAX_PDF_BYTES = 50 * 1024 * 1024
PDFTOPPM_TIMEOUT_SECONDS = 120


class PageRenderingUnavailable(GraderError):
    """Neither pypdfium2 nor pdftoppm is installed, so no page images can be made."""


def render_pdf_pages(
    pdf: Path,
    out_dir: Path,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    dpi: int = DEFAULT_DPI,
) -> list[Path]:
    """`out_dir/page-001.png`… for the first `max_pages` pages, each at most `max_side` pixels a side.

    Raises UnreadableSubmission (kind corrupt_pdf or too_large) for a PDF that cannot be
    rendered, PageRenderingUnavailable when no renderer is installed.
    """
    if max_pages < 1 or max_side < 16 or dpi < 1:
        raise ValueError("max_pages, max_side and dpi must be positive (max_side at least 16)")
    size = pdf.stat().st_size
    if size > MAX_PDF_BYTES:
        raise UnreadableSubmission(
            f"PDF is {size:,} bytes, over the {MAX_PDF_BYTES:,} bytes limit for page images",
            kind=UnreadableKind.TOO_LARGE,
            path=pdf,
            hint="read the file in a PDF viewer",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    pdfium = _pypdfium2()
    if pdfium is not None:
        return _render_with_pdfium(pdfium, pdf, out_dir, max_pages, max_side, dpi)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is not None:
        return _render_with_pdftoppm(pdftoppm, pdf, out_dir, max_pages, max_side, dpi)
    raise PageRenderingUnavailable(
        "no PDF renderer installed: cannot make page images",
        path=pdf,
        hint="install pypdfium2 (`pip install pypdfium2`) or poppler-utils (`apt-get install poppler-utils`)",
    )


def page_image_name(number: int) -> str:
    """The file name of page `number` (1-based): page-001.png."""
    return f"page-{number:03d}.png"


def _pypdfium2() -> ModuleType | None:
    try:
        return importlib.import_module("pypdfium2")
    except ImportError:
        return None


def _render_with_pdfium(
    pdfium: ModuleType, pdf: Path, out_dir: Path, max_pages: int, max_side: int, dpi: int
) -> list[Path]:
    written: list[Path] = []
    try:
        document = pdfium.PdfDocument(pdf.read_bytes())
    except pdfium.PdfiumError as error:
        raise _corrupt(pdf, error) from error
    try:
        for index in range(min(len(document), max_pages)):
            page = document[index]
            try:
                width, height = page.get_size()
                scale = _scale(width, height, max_side, dpi)
                bitmap = page.render(scale=scale, may_draw_forms=False)
                target = out_dir / page_image_name(index + 1)
                bitmap.to_pil().save(target, format="PNG")
                written.append(target)
            finally:
                page.close()
    except pdfium.PdfiumError as error:
        raise _corrupt(pdf, error) from error
    finally:
        document.close()
    return written


def _scale(width: float, height: float, max_side: int, dpi: int) -> float:
    """Points to pixels at `dpi`, shrunk so the longer side fits `max_side`."""
    longer = max(width, height)
    if not math.isfinite(longer) or longer <= 0:
        return dpi / 72
    return min(dpi / 72, max_side / longer)


def _render_with_pdftoppm(
    pdftoppm: str, pdf: Path, out_dir: Path, max_pages: int, max_side: int, dpi: int
) -> list[Path]:
    work = out_dir / ".pdftoppm"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    command = [
        pdftoppm, "-png", "-r", str(dpi), "-scale-to", str(max_side),
        "-f", "1", "-l", str(max_pages), str(pdf), str(work / "page"),
    ]  # fmt: skip
    try:
        completed = subprocess.run(
            command, capture_output=True, timeout=PDFTOPPM_TIMEOUT_SECONDS, check=False
        )
        # pdftoppm numbers pages page-1.png or page-01.png, by the page count's digits.
        rendered = sorted(work.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if completed.returncode != 0 and not rendered:
            message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise _corrupt(pdf, RuntimeError(message[-1] if message else "pdftoppm failed"))
        written = []
        for number, image in enumerate(rendered[:max_pages], start=1):
            target = out_dir / page_image_name(number)
            image.replace(target)
            written.append(target)
        return written
    except subprocess.TimeoutExpired as error:
        raise _corrupt(pdf, error) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _corrupt(pdf: Path, error: Exception) -> UnreadableSubmission:
    return UnreadableSubmission(
        f"PDF pages cannot be rendered ({type(error).__name__}: {error})",
        kind=UnreadableKind.CORRUPT_PDF,
        path=pdf,
        hint="open the file in a PDF viewer, or ask the student to re-export it",
    )
