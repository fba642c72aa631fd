"""The course roster: who the students are on the learning platform, read from a CSV file.

Job: read `ROSTER.csv` (one row per student: the submission folder id and the
platform's names for them) into a `Roster`, with one clear error naming the
file, the line and the fix for anything malformed. Exports use it to name
students as the platform knows them and to list students without a submission.
Must not grade, open the gradebook or write files.

Columns (header row, any order, case-insensitive): `student_id` (required: the
submission folder name), `name`, `lms_id` (Canvas user id), `sis_user_id`,
`login` (SIS login id), `email`, `section`. Unknown columns are ignored.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

COLUMNS = ("student_id", "name", "lms_id", "sis_user_id", "login", "email", "section")
MAX_ROSTER_BYTES = 20 * 2**20


class RosterError(GraderError):
    """The roster file cannot be used as it is."""


@dataclass(frozen=True)
class RosterEntry:
    """One student as the learning platform knows them."""

    student_id: str  # the submission folder name
    name: str = ""
    lms_id: str = ""
    sis_user_id: str = ""
    login: str = ""
    email: str = ""
    section: str = ""


@dataclass(frozen=True)
class Roster:
    """The roster's students in file order, by submission folder id."""

    path: Path
    entries: tuple[RosterEntry, ...]

    def __iter__(self) -> Iterator[RosterEntry]:
        return iter(self.entries)

    def get(self, student_id: str) -> RosterEntry | None:
        return next((e for e in self.entries if e.student_id == student_id), None)

    def ids(self) -> set[str]:
        return {entry.student_id for entry in self.entries}

    def not_in_roster(self, student_ids: Iterable[str]) -> list[str]:
        """Graded students the roster does not list (a warning names them)."""
        known = self.ids()
        return sorted(set(student_ids) - known)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def load_roster(path: Path) -> Roster:
    """Read and check a roster CSV (UTF-8, BOM allowed)."""
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise RosterError(
                f"roster is larger than {MAX_ROSTER_BYTES // 2**20} MiB",
                path=path,
                hint="pass the course roster CSV",
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(
            "roster file not found", path=path, hint="pass --roster ROSTER.csv"
        ) from None
    except UnicodeDecodeError:
        raise RosterError(
            "roster is not UTF-8 text", path=path, hint="save it as CSV UTF-8"
        ) from None
    except OSError as exc:
        raise RosterError(
            f"cannot read the roster ({exc.strerror})", path=path, hint="check the path"
        ) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise RosterError("roster is empty", path=path, hint="add a header row and students")
    header = [cell.strip().lower() for cell in rows[0]]
    if "student_id" not in header:
        raise RosterError(
            "roster has no student_id column",
            path=path,
            hint=f"name the submission-folder column student_id (columns: {', '.join(COLUMNS)})",
        )
    positions = {name: header.index(name) for name in COLUMNS if name in header}
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for line_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {
            name: _nfc(row[index]) if index < len(row) else "" for name, index in positions.items()
        }
        student_id = values["student_id"]
        if not student_id:
            raise RosterError(
                f"line {line_number} has no student_id",
                path=path,
                hint="give every row the submission folder name",
            )
        if student_id in seen:
            raise RosterError(
                f"student_id {student_id!r} appears on lines {seen[student_id]} and {line_number}",
                path=path,
                hint="keep one row per student",
            )
        seen[student_id] = line_number
        entries.append(RosterEntry(**values))
    return Roster(path=path, entries=tuple(entries))
