"""The one exception of `grader.data`: a data folder or archive that cannot be used as it is.

It names the missing or broken piece (as `path`) and the command that fixes
it (as `hint`); the CLI prints it as one line. Nothing here touches files.
"""

from __future__ import annotations

from grader.errors import GraderError


class DataError(GraderError):
    """A DATA_ROOT, archive or data file is missing, incomplete or not in the expected format."""
