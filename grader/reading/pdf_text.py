"""Take the text layer out of a PDF submission with pypdf, one line per baseline.

pypdf's plain extraction starts a new line only when the text moves by 0.8
of the font size from where the line began, so a matrix typeset beside its
label (`1. $\\begin{bmatrix}...$`: the label sits between the two rows) can
come out as one line `1. 45 45 54 54`. The pieces pypdf hands its visitor
carry their position: a piece whose baseline is half a font size or more
away from the previous piece's starts a new line, so rows stay rows.
(pypdf's layout mode is worse for typeset maths: it spreads rows over blank
lines.) Any failure inside pypdf means a corrupt PDF; a PDF with (almost) no
text is a scan. Both raise UnreadableSubmission. This module must not parse answers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PageObject, PdfReader

from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.normalise import normalise_text

MIN_TEXT_CHARS = 20  # fewer non-space characters than this over all pages: a scan
MAX_PAGES = 200
NEW_LINE_SHIFT = 0.5  # of the larger font size: a baseline this far away is another line


def read_pdf_text(data: bytes, path: Path) -> tuple[str, tuple[str, ...]]:
    """The text of every page, pages separated by a blank line, plus warnings (pages without text)."""
    warnings: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableSubmission(
                "PDF is password-protected",
                kind=UnreadableKind.CORRUPT_PDF,
                path=path,
                hint="submit the PDF without a password",
            )
        page_count = len(reader.pages)
        if page_count > MAX_PAGES:
            warnings.append(f"PDF has {page_count} pages; only the first {MAX_PAGES} were read")
        page_texts = [page_text(reader.pages[index]) for index in range(min(page_count, MAX_PAGES))]
    except UnreadableSubmission:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on damaged files
        raise UnreadableSubmission(
            f"PDF cannot be read ({type(error).__name__})",
            kind=UnreadableKind.CORRUPT_PDF,
            path=path,
            hint="re-export the PDF, or submit the answers as text",
        ) from error
    text = normalise_text("\n\n".join(page_texts))
    if sum(not char.isspace() for char in text) < MIN_TEXT_CHARS:
        raise UnreadableSubmission(
            "PDF has no text layer (looks scanned)",
            kind=UnreadableKind.NO_TEXT_LAYER,
            path=path,
            hint="grade by hand or submit a text PDF",
        )
    empty_pages = [
        str(number) for number, page in enumerate(page_texts, start=1) if not page.strip()
    ]
    if empty_pages:
        warnings.append(f"PDF pages without text (scanned?): {', '.join(empty_pages)}")
    return text, tuple(warnings)


def page_text(page: PageObject) -> str:
    """The page's text as pypdf extracts it, with a line break wherever the baseline moves."""
    pieces: list[str] = []
    previous: tuple[float, float] | None = None  # (baseline y, font height) of the last text

    def visit(text: str, cm: Any, tm: Any, font: Any, font_size: Any) -> None:
        nonlocal previous
        if not text:
            return
        if text.strip():
            baseline = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            height = abs(float(font_size or 10) * tm[3] * cm[3]) or 10.0
            if previous is not None:
                shift = abs(baseline - previous[0])
                ends_line = not pieces or pieces[-1].endswith("\n") or text.startswith("\n")
                if shift >= NEW_LINE_SHIFT * max(height, previous[1]) and not ends_line:
                    pieces.append("\n")
            previous = (baseline, height)
        pieces.append(text)

    extracted = page.extract_text(visitor_text=visit) or ""
    joined = "".join(pieces)
    return joined if joined.strip() or not extracted.strip() else extracted
