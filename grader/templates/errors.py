"""Errors of assignment templates: the manifest, the release, the roster and the variants."""

from __future__ import annotations

from pathlib import Path

from grader.errors import GraderError


class TemplateError(GraderError):
    """A template (or a file it uses, like a roster) cannot be used as written.

    `line` (1-based) points at the offending line of `path` when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.line = line
        if line is not None:
            message = f"line {line}: {message}"
        super().__init__(message, path=path, hint=hint)
