"""Domain exceptions. Each carries the file (and question) it is about and a hint for the fix.

The CLI turns any of these into one clear line; library code never prints.
"""

from __future__ import annotations

from pathlib import Path


class GraderError(Exception):
    """Base class: a problem a user can cause and fix."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        hint: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint
        self.line = line  # 1-based line of `path` the problem is on, when there is one
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as one line: `file: line N: problem (fix: hint)`."""
        where = f"{self.path}: " if self.path else ""
        at = f"line {self.line}: " if self.line else ""
        fix = f" (fix: {self.hint})" if self.hint else ""
        return f"{where}{at}{self.message}{fix}"


class RubricError(GraderError):
    """The rubric file cannot be used as written."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        question: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.question = question
        if question:
            message = f"question {question}: {message}"
        super().__init__(message, path=path, hint=hint)


class ParametersError(GraderError):
    """The reference question parameters are missing or inconsistent."""


class SubmissionReadError(GraderError):
    """One student's written file cannot be read; recorded for that student, never raised past the batch."""


class GradebookError(GraderError):
    """The gradebook database cannot be opened or does not hold what was asked."""


class StaleDecisionError(GradebookError):
    """A decision was made on a version of the answer that someone else has changed since."""
