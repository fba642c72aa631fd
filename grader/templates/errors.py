"""Errors of assignment templates: the manifest, the release, the roster and the variants."""

from __future__ import annotations

from grader.errors import GraderError


class TemplateError(GraderError):
    """A template (or a file it uses, like a roster) cannot be used as written.

    `line` (1-based) points at the offending line of `path` when there is one.
    """
