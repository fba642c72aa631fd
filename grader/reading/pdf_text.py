"""Take the text layer out of a PDF submission with pypdf.

Any failure inside pypdf means a corrupt PDF; a PDF with (almost) no text
is a scan. Both raise UnreadableSubmission. This module must not parse answers.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from grader.reading.decoding import normalise_text
from grader.reading.errors import UnreadableKind, UnreadableSubmission

MIN_TEXT_CHARS = 20  # fewer non-space characters than this over all pages: a scan
MAX_PAGES = 200


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
        page_texts = [
            reader.pages[index].extract_text() or "" for index in range(min(page_count, MAX_PAGES))
        ]
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
