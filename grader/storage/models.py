"""SQLAlchemy 2.0 typed ORM models of the gradebook tables.

Job: describe the tables and their constraints, and convert timestamps to and
from UTC. Must not open engines or sessions, run queries, or create tables:
the schema is created by named migrations (`migrations.py`), and these models
must stay in step with them (a test compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime.

    SQLite keeps no zone, so it is stored there as naive UTC; PostgreSQL stores a
    TIMESTAMP WITH TIME ZONE (migration rewrite of DATETIME) and gets the aware value.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the gradebook stores aware UTC times")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every gradebook table."""

    # Every model here maps one plain Table; saying so lets Core inserts type-check.
    __table__: ClassVar[Table]


class StudentRow(Base):
    """A student who has been graded at least once."""

    __tablename__ = "students"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubmissionRow(Base):
    """One distinct file a student handed in for a part, identified by its content hash."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint(
            "student_id", "part", "content_hash", name="uq_submissions_student_part_hash"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"))
    part: Mapped[str] = mapped_column(String)  # "written" or "notebooks"
    source_path: Mapped[str | None] = mapped_column(String)  # where it was first seen
    content_hash: Mapped[str] = mapped_column(String)  # sha256 hex of the file bytes
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GradingRunRow(Base):
    """One invocation of the grader over a batch of submissions."""

    __tablename__ = "grading_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rubric_path: Mapped[str] = mapped_column(String)
    rubric_hash: Mapped[str] = mapped_column(String)
    tool_version: Mapped[str] = mapped_column(String)
    options: Mapped[Any] = mapped_column(JSON)
    counts: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    # The assignment graded (the rubric's [assignment] id); '' for a run from before 0005
    # whose rubric could not be read any more.
    assignment_id: Mapped[str] = mapped_column(String, server_default=text("''"))


class GradedPartRow(Base):
    """Which file a run graded for one student's part, and that submission's problems."""

    __tablename__ = "graded_parts"
    __table_args__ = (
        # Finds the latest run per (student, part) without scanning every run.
        Index("ix_graded_parts_student_part_run", "student_id", "part", "run_id"),
        Index(
            "ix_graded_parts_assignment_student_part_run",
            "assignment_id",
            "student_id",
            "part",
            "run_id",
        ),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("grading_runs.id"), primary_key=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"), primary_key=True)
    part: Mapped[str] = mapped_column(String, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    source_path: Mapped[str | None] = mapped_column(String)  # as given in this run
    problems: Mapped[Any] = mapped_column(JSON)  # list of submission-level messages
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assignment_id: Mapped[str] = mapped_column(String, server_default=text("''"))  # the run's


class QuestionResultRow(Base):
    """What one run decided for one question of one student, before overrides."""

    __tablename__ = "question_results"
    __table_args__ = (
        UniqueConstraint(
            "run_id", "student_id", "question_id", name="uq_question_results_run_student_question"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("grading_runs.id"))
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    part: Mapped[str] = mapped_column(String)
    question_id: Mapped[str] = mapped_column(String)
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String)  # a results.Status value
    answer_text: Mapped[str] = mapped_column(Text)
    answer_read: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    convention: Mapped[str | None] = mapped_column(String)
    diagnosis: Mapped[str | None] = mapped_column(String)
    feedback: Mapped[str] = mapped_column(Text)
    expected: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    review_reason: Mapped[str | None] = mapped_column(String)  # a results.ReviewReason value
    details: Mapped[Any] = mapped_column(JSON)


class OverrideRow(Base):
    """Points a person set for a (student, question); only the active one counts."""

    __tablename__ = "overrides"
    __table_args__ = (
        Index("ix_overrides_student_question", "student_id", "question_id"),
        # At most one active override per question of a student, whatever code writes the table.
        Index(
            "uq_overrides_one_active",
            "assignment_id",
            "student_id",
            "question_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"))
    question_id: Mapped[str] = mapped_column(String)
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean)
    # What the person judged: the question's maximum and a hash of the answer then
    # (`grader.results.answer_fingerprint`). NULL for overrides from before 0003.
    judged_max_points: Mapped[float | None] = mapped_column(Float, nullable=True)
    judged_answer_hash: Mapped[str | None] = mapped_column(String, nullable=True)
    assignment_id: Mapped[str] = mapped_column(String, server_default=text("''"))
    # The key points the person ticked ("101": 1st and 3rd), and the comment for the student.
    key_points: Mapped[str | None] = mapped_column(String, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class WriteGenerationRow(Base):
    """One row: how many write transactions the gradebook has committed (a change stamp)."""

    __tablename__ = "write_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(Integer)


class AuditRow(Base):
    """One change to the gradebook: who, when, what, and the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_student", "student_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)  # "graded", "override"
    # No foreign keys: the log must outlive anything it mentions.
    student_id: Mapped[str | None] = mapped_column(String)
    question_id: Mapped[str | None] = mapped_column(String)
    before: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    assignment_id: Mapped[str | None] = mapped_column(String)


class RubricRow(Base):
    """A rubric exactly as a run used it: its text and its parameters' and reference module's.

    Keyed by the content hash every run records, so a gradebook can always say which
    rubric graded what, and commands that read it use that rubric, not whatever file
    happens to sit at the path today.
    """

    __tablename__ = "rubrics"

    content_hash: Mapped[str] = mapped_column(String, primary_key=True)
    assignment_id: Mapped[str] = mapped_column(String)
    path: Mapped[str] = mapped_column(String)
    rubric_text: Mapped[str] = mapped_column(Text)
    parameters_text: Mapped[str | None] = mapped_column(Text)
    reference_text: Mapped[str | None] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubmissionTimeRow(Base):
    """When a student submitted an assignment and their due date if extended (issue #21).

    Recorded from the course's files (an LMS export or the roster; an extensions CSV), per
    assignment, not per run: the late penalty is computed from it and the rubric of record
    whenever grades are read, so a changed policy or a new extension applies at once.
    Times are ISO 8601 text with their offset, as the course gave them.
    """

    __tablename__ = "submission_times"

    assignment_id: Mapped[str] = mapped_column(String, primary_key=True)
    student_id: Mapped[str] = mapped_column(String, primary_key=True)
    submitted_at: Mapped[str | None] = mapped_column(String)
    extended_due: Mapped[str | None] = mapped_column(String)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SavedCommentRow(Base):
    """A reviewer's comment saved for one question, offered on its other answers' pages."""

    __tablename__ = "saved_comments"
    __table_args__ = (
        UniqueConstraint("assignment_id", "question_id", "text", name="uq_saved_comments_text"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[str] = mapped_column(String)
    question_id: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotebookRunRow(Base):
    """One executed notebook of one student in one run: status, failure, and the executed file."""

    __tablename__ = "notebook_runs"

    run_id: Mapped[int] = mapped_column(ForeignKey("grading_runs.id"), primary_key=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"), primary_key=True)
    notebook: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String)
    failed_cell: Mapped[int | None] = mapped_column(Integer)
    error_name: Mapped[str | None] = mapped_column(String)
    error_value: Mapped[str | None] = mapped_column(String)
    traceback: Mapped[str | None] = mapped_column(String)
    message: Mapped[str] = mapped_column(String)
    wall_seconds: Mapped[float | None] = mapped_column(Float)
    # gzip-compressed .ipynb JSON, size-capped by the caller.
    executed_notebook: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
