"""Find students and their written file in a submissions folder (`submissions/<student_id>/`).

Only lists and picks files; reading them is `grader.reading`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

WRITTEN_SUFFIXES = (".md", ".markdown", ".txt", ".tex", ".pdf")
PREFERRED_STEMS = re.compile(r"^(written|answers?|hw4)", re.IGNORECASE)
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")


@dataclass(frozen=True)
class WrittenFileChoice:
    """The written file chosen for a student, or why none could be chosen."""

    path: Path | None
    problem: str | None = None


def find_students(submissions_dir: Path) -> list[tuple[str, Path]]:
    """(student_id, folder) for every student folder, sorted; hidden and odd names skipped."""
    return sorted(
        (child.name, child)
        for child in submissions_dir.iterdir()
        if child.is_dir() and not child.is_symlink() and STUDENT_ID.match(child.name)
    )


def choose_written_file(student_dir: Path) -> WrittenFileChoice:
    """The one written file in the folder; a preferred name breaks ties, otherwise a person decides."""
    candidates = sorted(
        p
        for p in student_dir.iterdir()
        if p.suffix.lower() in WRITTEN_SUFFIXES and p.is_file() and not p.is_symlink()
    )
    if not candidates:
        return WrittenFileChoice(None, None)
    if len(candidates) == 1:
        return WrittenFileChoice(candidates[0])
    preferred = [p for p in candidates if PREFERRED_STEMS.match(p.stem)]
    if len(preferred) == 1:
        return WrittenFileChoice(preferred[0])
    names = ", ".join(p.name for p in candidates)
    return WrittenFileChoice(
        None, f"several written files ({names}): keep one, or name the answers file written.<ext>"
    )
