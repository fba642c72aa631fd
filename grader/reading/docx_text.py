"""Take the text out of a Word `.docx` submission, in document order, with python-docx.

Paragraphs (with the list numbers Word draws), tables (one line per row,
cells between ` | ` so the grid readers read a matrix typed as a table),
equations (`docx_math`), text boxes; struck-through runs become `~~…~~` so
they are dropped like Markdown strike-outs, tracked changes are read as
accepted. Pictures cannot be read: they are counted in a warning, and a
document of pictures only is routed to a person like a scan. A file that is
not a Word document raises UnreadableSubmission. This module must not parse answers.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx

from grader.reading.docx_inline import DocxWalker
from grader.reading.docx_numbering import ListNumbering
from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.normalise import normalise_text

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a zip bomb is refused before python-docx inflates it
MAX_ARCHIVE_MEMBERS = 5000
MIN_TEXT_CHARS = 20  # fewer non-space characters beside pictures: the answers are the pictures
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc, or a password-protected .docx


def read_docx_text(data: bytes, path: Path) -> tuple[str, tuple[str, ...]]:
    """The document's text (normalised) and warnings about what could not be read."""
    _check_archive(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = ListNumbering.from_parts(_numbering_element(document), document.styles.element)
        walker = DocxWalker(numbering)
        lines = walker.block_lines(document.element.body)
    except UnreadableSubmission:
        raise
    except Exception as error:  # python-docx and lxml raise many kinds of errors on damaged files
        raise _corrupt(path, f"Word document cannot be read ({type(error).__name__})") from error
    text = normalise_text("\n".join(lines)).strip("\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")) + "\n"
    warnings = walker.warnings()
    if sum(not char.isspace() for char in text) < MIN_TEXT_CHARS and walker.unreadable_count():
        raise UnreadableSubmission(
            "Word document holds only pictures or embedded objects, no typed text"
            " (photographed or scanned answers?)",
            kind=UnreadableKind.NO_TEXT_LAYER,
            path=path,
            hint="grade by hand from the pictures, or ask for typed answers",
        )
    return text, warnings


def _check_archive(data: bytes, path: Path) -> None:
    if data.startswith(_OLE_SIGNATURE):
        raise _corrupt(
            path,
            "file is an old-style Word .doc or a password-protected document, not a .docx",
            hint="save it as .docx (without a password) or as PDF",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        raise _corrupt(path, "file is not a Word .docx (not a zip archive)") from error
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise _corrupt(
            path,
            f"Word document holds {len(members):,} parts; at most {MAX_ARCHIVE_MEMBERS:,} are read",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableSubmission(
            f"Word document unpacks to {unpacked:,} bytes, over the {MAX_UNPACKED_BYTES:,} bytes limit",
            kind=UnreadableKind.TOO_LARGE,
            path=path,
            hint="compress the pictures in the document, or submit it as PDF",
        )
    if "word/document.xml" not in {member.filename for member in members}:
        raise _corrupt(
            path,
            "file is a zip archive but not a Word document (no word/document.xml)",
            hint="export the answers from your editor as .docx or PDF (an .odt or .pages renamed to .docx is not read)",
        )


def _numbering_element(document: Any) -> Any | None:
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return None  # a document without lists has no numbering part


def _corrupt(path: Path, message: str, *, hint: str | None = None) -> UnreadableSubmission:
    return UnreadableSubmission(
        message,
        kind=UnreadableKind.CORRUPT_DOCUMENT,
        path=path,
        hint=hint or "open the file in Word and save it again as .docx, or export it as PDF",
    )
