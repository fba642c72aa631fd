"""Turn the bytes of a text submission into text: byte-order marks, UTF-8, Windows-1252, binary files.

A wrong encoding is repaired and reported as a warning; a file that is not
text at all raises UnreadableSubmission. This module must not parse answers.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.normalise import normalise_text

__all__ = ["decode_text", "normalise_text"]  # normalise_text lives in `normalise`, re-exported

MAX_NUL_SHARE = 0.01  # a few stray NUL bytes are removed; more means a binary file
MAX_CONTROL_SHARE = 0.05  # share of non-printable characters above which text is binary
# Control characters other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES = (
    (b"%PDF-", "the file is a PDF: submit it with a .pdf suffix"),
    (
        b"PK\x03\x04",
        "the file is a zip archive: a Word document must end in .docx; otherwise export it as PDF",
    ),
    (b"\x89PNG", "the file is an image: grade it by hand or submit a text PDF"),
    (b"\xff\xd8\xff", "the file is an image: grade it by hand or submit a text PDF"),
    (b"GIF8", "the file is an image: grade it by hand or submit a text PDF"),
)
_GENERIC_HINT = "submit the answers as a text, Markdown, LaTeX or PDF file"


def decode_text(data: bytes, path: Path) -> tuple[str, tuple[str, ...]]:
    """The text in `data`, normalised (`normalise.normalise_text`), plus warnings about repairs made."""
    warnings: list[str] = []
    text = _decode_with_bom(data, warnings)
    if text is None:
        text = _decode_without_bom(data, path, warnings)
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise _binary(data, path, "file is binary (mostly non-printable characters), not text")
    return normalise_text(text), tuple(warnings)


def _decode_with_bom(data: bytes, warnings: list[str]) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(encoding)
            except UnicodeDecodeError:
                warnings.append(
                    f"file starts with a {encoding} byte-order mark but is not valid {encoding}"
                )
                return body.decode(encoding, errors="replace") if encoding != "utf-8" else None
    return None


def _decode_without_bom(data: bytes, path: Path, warnings: list[str]) -> str:
    nul_count = data.count(0)
    if nul_count:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            warnings.append(
                f"file is {utf16.upper()} without a byte-order mark; read as {utf16.upper()}"
            )
            return data.decode(utf16, errors="replace")
        if nul_count > MAX_NUL_SHARE * len(data):
            raise _binary(data, path, "file is binary (it holds NUL bytes), not text")
        warnings.append(f"removed {nul_count} NUL byte(s) from the file")
        data = data.replace(b"\x00", b"")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        warnings.append("file is not UTF-8; read as Windows-1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        warnings.append("file is not UTF-8; read as Latin-1")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    # ASCII text in UTF-16 has a NUL in every other byte: odd bytes for LE, even bytes for BE.
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    halves = len(sample) // 2
    if sample[1::2].count(0) >= 0.9 * halves and sample[0::2].count(0) < 0.1 * halves:
        return "utf-16-le"
    if sample[0::2].count(0) >= 0.9 * halves and sample[1::2].count(0) < 0.1 * halves:
        return "utf-16-be"
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:65536]
    return len(_CONTROL.findall(sample)) / len(sample)


def _binary(data: bytes, path: Path, message: str) -> UnreadableSubmission:
    hint = next(
        (hint for signature, hint in _SIGNATURES if data.startswith(signature)), _GENERIC_HINT
    )
    return UnreadableSubmission(message, kind=UnreadableKind.BINARY, path=path, hint=hint)
