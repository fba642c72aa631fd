"""Why a written submission file could not be read: one exception with a machine-readable kind.

Only the reason and the fix live here; reading happens in `files`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from grader.errors import SubmissionReadError


class UnreadableKind(StrEnum):
    """What is wrong with the file (compares equal to its plain string value)."""

    EMPTY = "empty"
    BINARY = "binary"
    TOO_LARGE = "too_large"
    CORRUPT_PDF = "corrupt_pdf"
    CORRUPT_DOCUMENT = "corrupt_document"  # a Word .docx or a notebook that cannot be parsed
    NO_TEXT_LAYER = "no_text_layer"  # a scan, or a document of pictures only: a person reads it
    UNSUPPORTED_TYPE = "unsupported_type"
    MISSING = "missing"  # no such file, or it cannot be opened


class UnreadableSubmission(SubmissionReadError):
    """A written submission that cannot be read; `kind` says why, `hint` says what to do."""

    def __init__(
        self,
        message: str,
        *,
        kind: UnreadableKind,
        path: Path | str | None = None,
        hint: str | None = None,
    ) -> None:
        self.kind = kind
        super().__init__(message, path=path, hint=hint)
