"""The one domain exception of hidden-test evaluation.

Raised when what came back from the evaluation sandbox (predictions, summary) cannot be used, or a
result cannot be scored as asked. It names the file and the model; it never carries the data itself.
"""

from __future__ import annotations

from pathlib import Path

from grader.errors import GraderError


class EvaluationError(GraderError):
    """A model's evaluation output cannot be used (missing, unsafe, malformed) or scored."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        model_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.model_id = model_id
        if model_id:
            message = f"model {model_id}: {message}"
        super().__init__(message, path=path, hint=hint)
