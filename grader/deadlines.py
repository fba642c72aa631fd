"""Deadlines: the rubric's due date and late policy, per-student extensions, and the late penalty.

Job: turn (when a student submitted, their due date after any extension, the policy) into a
`Lateness`: how late, the penalty in points, and the sentence a report shows. The penalty
is its own line, never folded into a question's points. Also reads the two course files:
submission times (an LMS export or the roster: a student column and a time column) and
extensions (a student column and a new due date or extra days/hours). Must not touch the
gradebook or print.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.errors import GraderError
from grader.roster import csv_delimiter, normal_id


class LatePolicy(BaseModel):
    """`[assignment.late]`: what a late submission costs. Percentages are of the assignment's
    maximum; the penalty never takes the total below 0."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accepted: bool = Field(default=True, description="false: late work scores 0 (said so)")
    grace_minutes: float = Field(default=0, ge=0, description="late by at most this: no penalty")
    percent_per_day: float = Field(default=0, ge=0, le=100, description="per started day late")
    max_percent: float = Field(default=100, ge=0, le=100, description="the penalty's cap")
    accepted_until_days: float | None = Field(
        default=None, gt=0, description="later than this many days after the due date: scores 0"
    )

    @model_validator(mode="after")
    def _says_something(self) -> LatePolicy:
        if self.accepted and self.percent_per_day == 0 and self.accepted_until_days is None:
            raise ValueError(
                "a late policy needs percent_per_day, accepted_until_days or accepted = false"
            )
        return self


@dataclass(frozen=True)
class Deadline:
    """The assignment's due date (timezone-aware) and late policy (None: no penalty, late is
    still reported)."""

    due: datetime
    policy: LatePolicy | None = None

    @property
    def timezone(self) -> tzinfo:
        zone = self.due.tzinfo
        assert zone is not None  # the rubric refuses a due date without a timezone
        return zone


@dataclass(frozen=True)
class Lateness:
    """One student's standing against the deadline; `penalty` is in points."""

    submitted_at: datetime
    due: datetime  # after the student's extension, if any
    extended: bool
    late_by: timedelta  # zero when on time
    penalty: float
    accepted: bool
    words: str  # the report's sentence

    @property
    def is_late(self) -> bool:
        return self.late_by > timedelta(0)


def _duration_words(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes and not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or "less than a minute"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() or moment.isoformat()


def lateness(
    submitted_at: datetime,
    deadline: Deadline,
    *,
    extended_due: datetime | None,
    earned: float,
    maximum: float,
) -> Lateness:
    """How late `submitted_at` is against the (extended) due date and what it costs under the
    policy: `percent_per_day` of `maximum` per started day after the due date (once past the
    grace period), capped at `max_percent`, never more than `earned`."""
    due = extended_due or deadline.due
    late_by = max(submitted_at - due, timedelta(0))
    policy = deadline.policy

    def standing(penalty: float, words: str, *, accepted: bool = True) -> Lateness:
        return Lateness(
            submitted_at, due, extended_due is not None, late_by, penalty, accepted, words
        )

    if late_by == timedelta(0):
        return standing(0.0, "")
    due_words = f"due {_when(due.astimezone(deadline.timezone))}" + (
        " with your extension" if extended_due is not None else ""
    )
    late_words = f"Submitted {_duration_words(late_by)} after the deadline ({due_words})"
    if policy is None:
        return standing(0.0, late_words + ".")
    if late_by <= timedelta(minutes=policy.grace_minutes):
        return standing(
            0.0,
            f"{late_words}, within the {policy.grace_minutes:g}-minute grace period: no penalty.",
        )
    too_late = policy.accepted_until_days is not None and late_by > timedelta(
        days=policy.accepted_until_days
    )
    if not policy.accepted or too_late:
        reason = (
            "late work is not accepted"
            if not policy.accepted
            else f"work more than {policy.accepted_until_days:g} days late is not accepted"
        )
        return standing(
            round(max(earned, 0.0), 2),
            f"{late_words}; {reason}: the late penalty takes the total to 0.",
            accepted=False,
        )
    days = math.ceil(late_by / timedelta(days=1))
    percent = min(policy.percent_per_day * days, policy.max_percent)
    penalty = round(min(maximum * percent / 100, max(earned, 0.0)), 2)
    cap = (
        " (the cap)"
        if percent == policy.max_percent and percent < policy.percent_per_day * days
        else ""
    )
    return standing(
        penalty,
        f"{late_words}: {days} day{'s' if days != 1 else ''} late at "
        f"{policy.percent_per_day:g}% of {maximum:g} points per day = {percent:g}%{cap}, "
        f"a penalty of {penalty:g} points.",
    )


# ---- the course's files -------------------------------------------------------------------

_STUDENT_COLUMNS = ("student_id", "student", "id", "identifier", "username", "login")
_TIME_COLUMNS = (
    "submitted_at",
    "submission_time",
    "submitted",
    "last modified (submission)",
    "created_at",
    "submission date",
)
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%A, %d %B %Y, %I:%M %p",  # Moodle's grading worksheet: "Monday, 20 November 2026, 11:59 PM"
    "%d %B %Y, %I:%M %p",
)
_NO_TIME = {"", "-", "no submission", "none"}


def parse_time(text: str, zone: tzinfo) -> datetime:
    """An ISO 8601 time (with or without offset) or Moodle's worksheet form; a time without an
    offset is read in the due date's timezone. Raises ValueError with the text."""
    cleaned = text.strip()
    try:
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        for form in _TIME_FORMATS:
            try:
                moment = datetime.strptime(cleaned, form)
                break
            except ValueError:
                continue
        else:
            raise ValueError(
                f"{text!r} is not a time (use e.g. 2026-11-20T23:59:00+01:00)"
            ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _rows(path: Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GraderError(
            f"{what} file not found", path=path, hint=f"pass the {what} CSV"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GraderError(
            f"cannot read the {what} file ({exc})", path=path, hint="save it as CSV (UTF-8)"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    fields = [name.strip().lower() for name in reader.fieldnames or []]
    rows = [
        {str(key).strip().lower(): (value or "").strip() for key, value in row.items() if key}
        for row in reader
    ]
    return fields, rows


def _column(fields: list[str], choices: tuple[str, ...], path: Path, what: str) -> str:
    for choice in choices:
        if choice in fields:
            return choice
    raise GraderError(
        f"the {what} file has no {choices[0]} column (columns: {', '.join(fields) or 'none'})",
        path=path,
        hint=f"name a column one of: {', '.join(choices)}",
    )


def read_submission_times(path: Path, zone: tzinfo) -> dict[str, datetime]:
    """Student id → submission time, from a CSV with a student column and a time column (an
    LMS export or the roster). A blank time is no time (the student is not treated as late)."""
    fields, rows = _rows(path, "submission times")
    student_column = _column(fields, _STUDENT_COLUMNS, path, "submission times")
    time_column = _column(fields, _TIME_COLUMNS, path, "submission times")
    times: dict[str, datetime] = {}
    for number, row in enumerate(rows, start=2):
        student, when = normal_id(row.get(student_column, "")), row.get(time_column, "")
        if not student or when.lower() in _NO_TIME:
            continue
        try:
            times[student] = parse_time(when, zone)
        except ValueError as exc:
            raise GraderError(
                f"line {number}: {exc}", path=path, hint="write times as 2026-11-20T23:59:00+01:00"
            ) from None
    return times


def read_extensions(path: Path, deadline: Deadline) -> dict[str, datetime]:
    """Student id → their due date, from a CSV with a student column and either `due` (a new
    due date) or `days` / `hours` (added to the assignment's due date)."""
    fields, rows = _rows(path, "extensions")
    student_column = _column(fields, _STUDENT_COLUMNS, path, "extensions")
    kinds = [name for name in ("due", "days", "hours") if name in fields]
    if not kinds:
        raise GraderError(
            f"the extensions file has no due, days or hours column (columns: {', '.join(fields)})",
            path=path,
            hint="add a column due (a date) or days (extra days) beside student_id",
        )
    extensions: dict[str, datetime] = {}
    for number, row in enumerate(rows, start=2):
        student = normal_id(row.get(student_column, ""))
        if not student:
            continue
        try:
            if row.get("due"):
                extensions[student] = parse_time(row["due"], deadline.timezone)
            elif row.get("days") or row.get("hours"):
                extra = timedelta(
                    days=float(row.get("days") or 0), hours=float(row.get("hours") or 0)
                )
                if extra < timedelta(0):
                    raise ValueError("an extension cannot be negative")
                extensions[student] = deadline.due + extra
        except ValueError as exc:
            raise GraderError(
                f"line {number}: {exc}",
                path=path,
                hint="write due as 2026-11-22T23:59:00+01:00, or days as a number",
            ) from None
    return extensions
