"""Read one student's written-answer file (.md, .txt, .tex, .pdf, .docx, .ipynb) into normalised text.

Checks the size before reading, picks the reader for the format (each one
normalises its text with `normalise.normalise_text`), reports repairs and
what could not be read as warnings, and raises UnreadableSubmission (with a
kind and a hint) for files that cannot be graded. This module must not
split or interpret the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.reading.decoding import decode_text
from grader.reading.docx_text import read_docx_text
from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.notebook_text import read_notebook_text
from grader.reading.pdf_text import read_pdf_text
from grader.settings import MAX_WRITTEN_FILE_BYTES

DEFAULT_MAX_BYTES = MAX_WRITTEN_FILE_BYTES.default
SOURCE_KINDS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".tex": "latex",
    ".pdf": "pdf",
    ".docx": "docx",
    ".ipynb": "notebook",
}
FORMATS_HINT = "submit a .md, .txt, .tex, .pdf (with text), .docx or .ipynb file"
_READERS = {"pdf": read_pdf_text, "docx": read_docx_text, "notebook": read_notebook_text}


@dataclass(frozen=True)
class WrittenDocument:
    """A written submission as text, ready to be split into answers."""

    text: str  # normalised: \n line ends, no NUL characters
    source_kind: str  # "markdown" | "text" | "latex" | "pdf" | "docx" | "notebook"
    # Repairs made while reading, e.g. "file is not UTF-8; read as Windows-1252".
    warnings: tuple[str, ...]


def read_written_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> WrittenDocument:
    """Read a written submission; raise UnreadableSubmission when it cannot be graded as text."""
    source_kind = SOURCE_KINDS.get(path.suffix.lower())
    if source_kind is None:
        raise UnreadableSubmission(
            f"file type {path.suffix or '(no suffix)'!r} is not a written-answer format",
            kind=UnreadableKind.UNSUPPORTED_TYPE,
            path=path,
            hint=FORMATS_HINT,
        )
    data = _read_bytes(path, max_bytes)
    if not data.strip():
        raise _empty(path)
    text, warnings = _READERS.get(source_kind, decode_text)(data, path)
    if not text.strip():
        raise _empty(path)
    return WrittenDocument(text=text, source_kind=source_kind, warnings=warnings)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        if not path.is_file():
            raise UnreadableSubmission(
                "file does not exist or is not a regular file",
                kind=UnreadableKind.MISSING,
                path=path,
                hint="check the submissions folder",
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(path, size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as error:
        raise UnreadableSubmission(
            f"file cannot be opened ({error.strerror or type(error).__name__})",
            kind=UnreadableKind.MISSING,
            path=path,
            hint="check the file's permissions",
        ) from error
    if len(data) > max_bytes:
        raise _too_large(path, len(data), max_bytes)
    return data


def _too_large(path: Path, size: int, max_bytes: int) -> UnreadableSubmission:
    return UnreadableSubmission(
        f"file is {_megabytes(size)}, over the {_megabytes(max_bytes)} limit",
        kind=UnreadableKind.TOO_LARGE,
        path=path,
        hint="submit a smaller file (compress images in the PDF) or raise the size limit",
    )


def _empty(path: Path) -> UnreadableSubmission:
    return UnreadableSubmission(
        "file is empty",
        kind=UnreadableKind.EMPTY,
        path=path,
        hint="submit the file with your answers",
    )


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):.1f} MB"
