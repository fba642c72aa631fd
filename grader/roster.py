"""The course roster: who the students are on the learning platform, read from a CSV file.

Job: read `ROSTER.csv` (one row per student: the submission folder id and the
platform's names for them) into a `Roster`, with one clear error naming the
file, the line and the fix for anything malformed. Exports use it to name
students as the platform knows them and to list students without a submission.
Must not grade, open the gradebook or write files.

Columns (header row, any order, case-insensitive): `student_id` (required: the
submission folder name; `id` or `student` are refused, being a platform's user id or
display name in its own exports), `name`, `lms_id`
(Canvas user id), `sis_user_id`, `login` (SIS login id), `email`, `section`.
Unknown columns are ignored. The one roster reader: `grader assign --variants`
uses it too.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

COLUMNS = ("student_id", "name", "lms_id", "sis_user_id", "login", "email", "section")
ID_COLUMN = "student_id"  # the submission folder column
#: Columns that look like the id but are not: a platform's own export calls its user id "ID"
#: and the student's display name "Student" (issue #19).
AMBIGUOUS_ID_COLUMNS = ("id", "student", "student_name", "user_id")
MAX_ROSTER_BYTES = 20 * 2**20


class RosterError(GraderError):
    """The roster file cannot be used as it is; `line` (1-based) points at the line."""


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
    line: int = 0  # where the roster lists the student


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


def _header_name(cell: str) -> str:
    """ "Student ID", "student-id" and "STUDENT_ID" are one column name."""
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise RosterError(
                f"roster is larger than {MAX_ROSTER_BYTES // 2**20} MiB",
                path=path,
                hint="pass the course roster CSV",
            )
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(
            "roster not found", path=path, hint="pass the CSV file listing the students"
        ) from None
    except UnicodeDecodeError:
        raise RosterError(
            "roster is not UTF-8 text", path=path, hint="save the roster as CSV (UTF-8)"
        ) from None
    except OSError as exc:
        raise RosterError(
            f"cannot read the roster ({exc.strerror})", path=path, hint="check its permissions"
        ) from None


def load_roster(path: Path, *, repeats_allowed: bool = False) -> Roster:
    """Read and check a roster CSV (UTF-8, BOM allowed; comma, semicolon or tab separated).

    A student listed twice is an error, unless `repeats_allowed` (the first row counts).
    """
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text), strict=True)
    entries: dict[str, RosterEntry] = {}
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise RosterError(
                "roster is empty",
                path=path,
                hint="write a header line with a `student_id` column, then one student per line",
            )
        names = [_header_name(cell) for cell in header]
        id_column = names.index(ID_COLUMN) if ID_COLUMN in names else None
        lookalike = next((name for name in AMBIGUOUS_ID_COLUMNS if name in names), None)
        if id_column is None and lookalike is not None:
            raise RosterError(
                f"no `student_id` column, and `{lookalike}` is not taken for one: a platform's "
                "export uses it for its own user id or the display name, not the submission "
                "folder",
                path=path,
                line=reader.line_num,
                hint="name the column of submission folder names `student_id` (Canvas's ID is "
                "`lms_id`)",
            )
        if id_column is None:
            raise RosterError(
                f"no student id column in the header ({', '.join(h.strip() for h in header)})",
                path=path,
                line=reader.line_num,
                hint="name the column of student ids `student_id`",
            )
        positions = {name: names.index(name) for name in COLUMNS[1:] if name in names}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line, or only separators
            student_id = normal_id(row[id_column]) if id_column < len(row) else ""
            if not student_id:
                raise RosterError(
                    "no student id on this line",
                    path=path,
                    line=reader.line_num,
                    hint="fill in the id or delete the line",
                )
            if student_id in entries:
                if repeats_allowed:
                    continue
                raise RosterError(
                    f"student id {student_id!r} is listed again (first on line "
                    f"{entries[student_id].line})",
                    path=path,
                    line=reader.line_num,
                    hint="keep one row per student",
                )
            values = {
                name: normal_id(row[index]) if index < len(row) else ""
                for name, index in positions.items()
            }
            entries[student_id] = RosterEntry(student_id=student_id, line=reader.line_num, **values)
    except csv.Error as exc:
        raise RosterError(
            f"not valid CSV ({exc})", path=path, line=reader.line_num, hint="fix the quoting"
        ) from None
    if not entries:
        raise RosterError("roster lists no students", path=path, hint="add one student id per line")
    return Roster(path=path, entries=tuple(entries.values()))


def csv_delimiter(text: str) -> str:
    """Spreadsheets save "CSV" with ; or tabs in some locales: the header line tells which."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return max(",;\t", key=first_line.count)


def normal_id(text: str) -> str:
    """A student id as the submission folders give it: trimmed, Unicode NFC (a Mac's "José"
    is the same id as Windows')."""
    return unicodedata.normalize("NFC", text.strip())
