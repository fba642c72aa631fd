"""The gradebook's single writer: runs, results, overrides and the audit log.

Job: store what the grader decided (bulk, one transaction per batch), store
overrides a person made, log every change, and answer read queries by
delegating to `reading.py`. Every write opens its own session from the engine
holding the write lock (BEGIN IMMEDIATE on SQLite, the writer's advisory lock on
PostgreSQL: `database.write_engine`). Must not score, read submissions or render reports, and
must not hold sessions or other mutable state between calls.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Table, delete, exc, insert, select, update
from sqlalchemy.orm import Session

from grader.errors import GradebookError, StaleDecisionError
from grader.results import (
    GradedQuestion,
    NotebookRunRecord,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    StudentGrades,
    SubmissionResult,
    answer_fingerprint,
)
from grader.rubric.catalogue import QuestionCatalogue
from grader.storage import reading
from grader.storage.database import BUSY_TIMEOUT_MS, gradebook_label, write_engine
from grader.storage.models import (
    AuditRow,
    GradedPartRow,
    GradingRunRow,
    OverrideRow,
    QuestionResultRow,
    RubricRow,
    SavedCommentRow,
    StudentRow,
    SubmissionRow,
    SubmissionTimeRow,
    WriteGenerationRow,
)
from grader.storage.notebook_runs import read_notebook_runs, store_notebook_runs
from grader.storage.upserts import dialect_name, insert_or_ignore, upsert

# SQLite allows 32,766 bound parameters; IN lists stay far below that.
_IN_LIST_SIZE = 500
GRADER_ACTOR = "grader"


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _chunks(values: Iterable[str], size: int = _IN_LIST_SIZE) -> list[list[str]]:
    items = list(values)
    return [items[start : start + size] for start in range(0, len(items), size)]


class Gradebook:
    """Reads and writes grades in a gradebook engine made by `open_gradebook`.

    A gradebook may hold several assignments (the homeworks of one course). A Gradebook
    `scoped` to one reads and decides within it only; an unscoped one works on the
    gradebook's only assignment and refuses, naming them, when there are several.
    Keep one Gradebook as the gradebook's only writer; readers may be anywhere.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utc_now,
        assignment: str | None = None,
    ) -> None:
        self._engine = engine
        self._write_engine = write_engine(engine)
        self._clock = clock
        self._assignment = assignment
        label = gradebook_label(engine.url)
        self._path = None if label in ("", ":memory:") else label

    def scoped(self, assignment: str) -> Gradebook:
        """The same gradebook, reading and deciding within one assignment."""
        scoped = copy.copy(self)
        scoped._assignment = assignment
        return scoped

    @property
    def assignment(self) -> str | None:
        """The assignment this Gradebook is scoped to, or None (the gradebook's only one)."""
        return self._assignment

    def _assignment_in(self, session: Session) -> str:
        """The assignment reads and decisions are about: the scope, else the only one there is."""
        if self._assignment is not None:
            return self._assignment
        ids = reading.assignment_ids(session)
        if len(ids) > 1:
            raise self._error(
                f"the gradebook holds several assignments ({', '.join(repr(a) for a in ids)})",
                hint="say which with --assignment ID",
            )
        return ids[0] if ids else ""

    def _error(self, message: str, *, hint: str | None = None) -> GradebookError:
        return GradebookError(message, path=self._path, hint=hint)

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A session in one transaction holding the write lock, committed on success."""
        try:
            with Session(self._write_engine) as session, session.begin():
                yield session
                session.execute(
                    update(WriteGenerationRow)
                    .values(generation=WriteGenerationRow.generation + 1)
                    .execution_options(synchronize_session=False)
                )
        except exc.OperationalError as error:
            # SQLite: "database is locked"; PostgreSQL: lock_timeout on the writer lock.
            if "locked" not in str(error.orig) and "lock timeout" not in str(error.orig):
                raise
            raise self._error(
                f"the gradebook stayed locked by another writer for {BUSY_TIMEOUT_MS / 1000:g} s",
                hint="wait for the other grading run to finish, then run this again",
            ) from error

    def _require_run(self, session: Session, run_id: int) -> GradingRunRow:
        run = session.get(GradingRunRow, run_id)
        if run is None:
            raise self._error(
                f"no grading run {run_id}", hint="`grader runs` lists the runs of this gradebook"
            )
        return run

    # Runs

    def start_run(
        self,
        *,
        rubric_path: str,
        rubric_hash: str,
        tool_version: str,
        options: dict[str, Any],
        assignment_id: str | None = None,
        rubric_texts: Mapping[str, str] | None = None,
    ) -> int:
        """Record the start of a grading run of one assignment; return its id.

        `rubric_texts` (rubric, parameters, reference: as `Rubric.sources`) are kept once per
        content hash, so the gradebook can say exactly which rubric graded what.
        """
        assignment = assignment_id if assignment_id is not None else (self._assignment or "")
        now = self._clock()
        with self._writing() as session:
            if rubric_texts is not None and "rubric" in rubric_texts:
                session.execute(
                    insert_or_ignore(dialect_name(session), RubricRow.__table__, ["content_hash"]),
                    [
                        {
                            "content_hash": rubric_hash,
                            "assignment_id": assignment,
                            "path": rubric_path,
                            "rubric_text": rubric_texts["rubric"],
                            "parameters_text": rubric_texts.get("parameters"),
                            "reference_text": rubric_texts.get("reference"),
                            "stored_at": now,
                        }
                    ],
                )
            run = GradingRunRow(
                started_at=now,
                finished_at=None,
                rubric_path=rubric_path,
                rubric_hash=rubric_hash,
                tool_version=tool_version,
                options=options,
                counts=None,
                assignment_id=assignment,
            )
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, counts: dict[str, Any] | None = None) -> None:
        """Record the end of a run and its summary counts.

        Without `counts`, they are recounted from everything the run stored (`run_counts`),
        so a resumed run's counts describe the whole run, not the resumed part.
        """
        with self._writing() as session:
            run = self._require_run(session, run_id)
            if counts is None:
                counts = reading.run_counts(session, [run_id])[run_id]
            run.finished_at = self._clock()
            run.counts = counts

    # Results

    def record_submissions(
        self,
        run_id: int,
        submissions: Sequence[SubmissionResult],
        *,
        actor: str = GRADER_ACTOR,
    ) -> None:
        """Store a batch of graded submissions in one transaction.

        Recording a (run, student, part) again replaces its earlier rows for
        that run; if the batch names a (student, part) twice, the last wins.
        """
        # Keyed by (student, part): a later entry replaces an earlier one.
        batch = list({(s.student_id, s.part): s for s in submissions}.values())
        if not batch:
            return
        known_parts = [part.value for part in Part]
        unknown_parts = sorted({str(s.part) for s in batch} - set(known_parts))
        if unknown_parts:
            raise self._error(
                f"unknown submission part(s) {', '.join(map(repr, unknown_parts))}",
                hint=f"use one of {', '.join(known_parts)}",
            )
        now = self._clock()
        student_ids = sorted({s.student_id for s in batch})
        with self._writing() as session:
            assignment = self._require_run(session, run_id).assignment_id
            session.execute(
                insert_or_ignore(dialect_name(session), StudentRow.__table__, ["id"]),
                [{"id": sid, "created_at": now} for sid in student_ids],
            )
            submission_ids = self._store_files(session, batch, student_ids, now)

            _delete_earlier_results(session, run_id, batch)
            _upsert(
                session,
                GradedPartRow.__table__,
                ("run_id", "student_id", "part"),
                [
                    {
                        "run_id": run_id,
                        "student_id": s.student_id,
                        "part": s.part,
                        "submission_id": submission_ids.get(_file_key(s)),
                        "source_path": s.source_path,
                        "problems": list(s.problems),
                        "recorded_at": now,
                        "assignment_id": assignment,
                    }
                    for s in batch
                ],
            )
            # Keyed by (run, student, question): a question id that moved between
            # parts of one student within one run is replaced, not doubled.
            _upsert(
                session,
                QuestionResultRow.__table__,
                ("run_id", "student_id", "question_id"),
                [
                    _result_row(run_id, s, submission_ids.get(_file_key(s)), result)
                    for s in batch
                    for result in s.results
                ],
            )
            session.execute(
                insert(AuditRow.__table__),
                [
                    {
                        "at": now,
                        "actor": actor,
                        "action": "graded",
                        "student_id": s.student_id,
                        "question_id": None,
                        "before": None,
                        "after": {
                            "run_id": run_id,
                            "part": s.part,
                            "total": s.points,
                            "max": s.max_points,
                        },
                        "assignment_id": assignment,
                    }
                    for s in batch
                ],
            )

    def _store_files(
        self,
        session: Session,
        batch: Sequence[SubmissionResult],
        student_ids: Sequence[str],
        now: datetime,
    ) -> dict[tuple[str, str, str], int]:
        """Insert unseen files (reusing rows with the same content hash); map key → id."""
        hashed = [s for s in batch if s.content_hash]
        if not hashed:
            return {}
        session.execute(
            insert_or_ignore(
                dialect_name(session),
                SubmissionRow.__table__,
                ["student_id", "part", "content_hash"],
            ),
            [
                {
                    "student_id": s.student_id,
                    "part": s.part,
                    "source_path": s.source_path,
                    "content_hash": s.content_hash,
                    "first_seen_at": now,
                }
                for s in hashed
            ],
        )
        submission_ids: dict[tuple[str, str, str], int] = {}
        for ids in _chunks(student_ids):
            rows = session.execute(
                select(
                    SubmissionRow.id,
                    SubmissionRow.student_id,
                    SubmissionRow.part,
                    SubmissionRow.content_hash,
                ).where(SubmissionRow.student_id.in_(ids))
            )
            for submission_id, sid, part, content_hash in rows:
                submission_ids[(sid, part, content_hash)] = submission_id
        return submission_ids

    # Overrides

    def _current_question(
        self,
        session: Session,
        assignment: str,
        student_id: str,
        question_id: str,
        expected_version: str | None,
    ) -> GradedQuestion:
        """The question as stored now; refuses a decision made on an older version of it."""
        grades = reading.latest_grades(session, student_id, assignment=assignment)
        if not grades:
            raise self._error(
                f"student {student_id!r} has never been graded",
                hint="check the student id, or grade their submission first",
            )
        question = next((q for q in grades[0].questions if q.question_id == question_id), None)
        if question is None:
            known = ", ".join(q.question_id for q in grades[0].questions) or "none"
            raise self._error(
                f"student {student_id!r}: question {question_id!r} is not in their latest "
                f"results (questions: {known})",
                hint="use one of the listed question ids",
            )
        if expected_version is not None and question.version != expected_version:
            by = (
                f"{question.override.actor} set {question.override.points:g} points"
                if question.override is not None
                else "it was regraded or its decision undone"
            )
            raise StaleDecisionError(
                f"student {student_id!r}, question {question_id!r} changed since you opened it "
                f"({by}); nothing was saved",
                path=self._path,
                hint="reload the answer, check the newer decision, then decide again",
            )
        return question

    def add_override(
        self,
        student_id: str,
        question_id: str,
        points: float,
        *,
        reason: str,
        actor: str,
        expected_version: str | None = None,
        key_points: Sequence[bool] | None = None,
        comment: str = "",
    ) -> None:
        """Set a question's points by hand; it replaces any earlier override and survives regrades.

        `key_points` (concept questions) are the points the person ticked, in rubric order;
        `comment` is for the student (reports show it), `reason` for the audit.

        With `expected_version` (`GradedQuestion.version` as the reviewer saw it), the
        override is refused with StaleDecisionError when the question changed since.
        """
        with self._writing() as session:
            assignment = self._assignment_in(session)
            question = self._current_question(
                session, assignment, student_id, question_id, expected_version
            )
            if not (math.isfinite(points) and 0 <= points <= question.max_points):
                raise self._error(
                    f"student {student_id!r}, question {question_id!r}: {points} points is "
                    f"outside the allowed range 0 to {question.max_points:g}",
                    hint=f"give between 0 and {question.max_points:g} points",
                )
            grader_points = question.result.points
            now = self._clock()
            session.execute(
                update(OverrideRow)
                .where(
                    OverrideRow.assignment_id == assignment,
                    OverrideRow.student_id == student_id,
                    OverrideRow.question_id == question_id,
                    OverrideRow.active.is_(True),
                )
                .values(active=False)
                .execution_options(synchronize_session=False)
            )
            session.add(
                OverrideRow(
                    student_id=student_id,
                    question_id=question_id,
                    points=float(points),
                    reason=reason,
                    actor=actor,
                    created_at=now,
                    active=True,
                    judged_max_points=question.max_points,
                    judged_answer_hash=answer_fingerprint(question.result),
                    assignment_id=assignment,
                    key_points=(
                        "".join("1" if tick else "0" for tick in key_points)
                        if key_points is not None
                        else None
                    ),
                    comment=comment or None,
                )
            )
            session.add(
                AuditRow(
                    at=now,
                    actor=actor,
                    action="override",
                    student_id=student_id,
                    question_id=question_id,
                    before={
                        "points": question.points,
                        "status": str(question.status),
                        "overridden": question.overridden,
                        "override_reason": question.override_reason,
                    },
                    after={
                        "points": float(points),
                        "status": str(Status.GRADED),
                        "overridden": True,
                        "override_reason": reason,
                        "suggested_points": grader_points,
                        **({"key_points": [int(t) for t in key_points]} if key_points else {}),
                        **({"comment": comment} if comment else {}),
                    },
                    assignment_id=assignment,
                )
            )

    def undo_override(
        self,
        student_id: str,
        question_id: str,
        *,
        reason: str,
        actor: str,
        expected_version: str | None = None,
    ) -> bool:
        """Withdraw the active override (the grader's result counts again); False if there was none."""
        with self._writing() as session:
            assignment = self._assignment_in(session)
            question = self._current_question(
                session, assignment, student_id, question_id, expected_version
            )
            if question.override is None:
                return False
            session.execute(
                update(OverrideRow)
                .where(OverrideRow.id == question.override.override_id)
                .values(active=False)
                .execution_options(synchronize_session=False)
            )
            session.add(
                AuditRow(
                    at=self._clock(),
                    actor=actor,
                    action="undo override",
                    student_id=student_id,
                    question_id=question_id,
                    before={
                        "points": question.points,
                        "overridden": True,
                        "override_reason": question.override.reason,
                    },
                    after={
                        "points": question.result.points,
                        "status": str(question.result.status),
                        "overridden": False,
                        "reason": reason,
                    },
                    assignment_id=assignment,
                )
            )
            return True

    def record_submission_times(
        self,
        *,
        times: Mapping[str, datetime] | None = None,
        extensions: Mapping[str, datetime] | None = None,
        actor: str = "",
    ) -> int:
        """Record when students submitted and their extended due dates for this assignment
        (each given mapping replaces that column for the students it names). Returns how
        many students were recorded; the change is audited."""
        times = dict(times or {})
        extensions = dict(extensions or {})
        with self._writing() as session:
            assignment = self._assignment_in(session)
            existing = {
                row.student_id: row
                for row in session.scalars(
                    select(SubmissionTimeRow).where(SubmissionTimeRow.assignment_id == assignment)
                )
            }
            now = self._clock()
            for student in sorted(set(times) | set(extensions)):
                row = existing.get(student)
                if row is None:
                    row = SubmissionTimeRow(assignment_id=assignment, student_id=student)
                    session.add(row)
                if student in times:
                    row.submitted_at = times[student].isoformat()
                if student in extensions:
                    row.extended_due = extensions[student].isoformat()
                row.recorded_at = now
            session.add(
                AuditRow(
                    at=now,
                    actor=actor,
                    action="record submission times",
                    student_id=None,
                    question_id=None,
                    before=None,
                    after={"times": len(times), "extensions": len(extensions)},
                    assignment_id=assignment,
                )
            )
            return len(set(times) | set(extensions))

    def save_comment(self, question_id: str, text: str, *, actor: str) -> None:
        """Keep a reviewer's comment for `question_id` (the same text once)."""
        cleaned = text.strip()
        if not cleaned:
            return
        with self._writing() as session:
            assignment = self._assignment_in(session)
            exists = session.scalar(
                select(SavedCommentRow.id).where(
                    SavedCommentRow.assignment_id == assignment,
                    SavedCommentRow.question_id == question_id,
                    SavedCommentRow.text == cleaned,
                )
            )
            if exists is None:
                session.add(
                    SavedCommentRow(
                        assignment_id=assignment,
                        question_id=question_id,
                        text=cleaned,
                        created_by=actor,
                        created_at=self._clock(),
                    )
                )

    def remove_comment(self, comment_id: int) -> bool:
        """Forget a saved comment (decisions that used it keep their text); False if unknown."""
        with self._writing() as session:
            assignment = self._assignment_in(session)
            done = session.execute(
                delete(SavedCommentRow).where(
                    SavedCommentRow.id == comment_id,
                    SavedCommentRow.assignment_id == assignment,
                )
            )
            return bool(getattr(done, "rowcount", 0))

    def saved_comments(self, question_id: str) -> list[tuple[int, str]]:
        """(id, text) of the comments saved for `question_id`, oldest first."""
        with Session(self._engine) as session:
            assignment = self._assignment_in(session)
            rows = session.execute(
                select(SavedCommentRow.id, SavedCommentRow.text)
                .where(
                    SavedCommentRow.assignment_id == assignment,
                    SavedCommentRow.question_id == question_id,
                )
                .order_by(SavedCommentRow.id)
            )
            return [(row.id, row.text) for row in rows]

    # Reads

    def record_notebook_runs(self, run_id: int, records: Sequence[NotebookRunRecord]) -> None:
        """Store how each notebook ran (upsert by run, student, notebook)."""
        with self._writing() as session:
            self._require_run(session, run_id)
            store_notebook_runs(session, run_id, records, now=self._clock())

    def notebook_runs(self, student_id: str, run_id: int | None = None) -> list[NotebookRunRecord]:
        """The student's executed-notebook records (latest run with any, unless `run_id`)."""
        with Session(self._engine) as session:
            assignment = self._assignment_in(session)
            return read_notebook_runs(session, student_id, run_id, assignment=assignment)

    def latest_grades(
        self, student_id: str | None = None, *, catalogue: QuestionCatalogue | None = None
    ) -> list[StudentGrades]:
        """Current grades per student (latest run per part, overrides applied), by student id.

        With the rubric's `catalogue`, each student's questions come in rubric order.
        """
        with Session(self._engine) as session, session.begin():
            return reading.latest_grades(
                session, student_id, catalogue=catalogue, assignment=self._assignment_in(session)
            )

    def write_generation(self) -> int:
        """A stamp that grows with every committed write: equal stamps, the same gradebook."""
        with Session(self._engine) as session:
            return session.scalar(select(WriteGenerationRow.generation)) or 0

    def audit_entries(self, student_id: str | None = None) -> list[dict[str, Any]]:
        """The audit log as dicts, oldest first, optionally for one student."""
        with Session(self._engine) as session, session.begin():
            return reading.audit_entries(
                session, student_id, assignment=self._assignment_in(session)
            )

    def graded_students(self, run_id: int, part: Part) -> set[str]:
        """Students whose `part` this run has already stored: what a resumed run skips."""
        with Session(self._engine) as session:
            self._require_run(session, run_id)
            rows = session.scalars(
                select(GradedPartRow.student_id).where(
                    GradedPartRow.run_id == run_id, GradedPartRow.part == part
                )
            )
            return set(rows)

    def run_rubric_hash(self, run_id: int) -> str:
        """The rubric hash a run was started with (a resumed run must use the same rubric)."""
        with Session(self._engine) as session:
            return self._require_run(session, run_id).rubric_hash

    def runs(self) -> list[dict[str, Any]]:
        """Every grading run as a dict, oldest first (of the scoped assignment, when scoped)."""
        with Session(self._engine) as session, session.begin():
            found = reading.runs(session)
        if self._assignment is None:
            return found
        return [run for run in found if run["assignment"] == self._assignment]

    def assignment_ids(self) -> list[str]:
        """Every assignment the gradebook holds runs of, in the order of their first run."""
        with Session(self._engine) as session:
            return reading.assignment_ids(session)

    def rubric_texts(self, content_hash: str) -> dict[str, Any] | None:
        """The rubric a run recorded by its hash (texts, path, assignment), or None when the run
        is older than the gradebook's keeping of rubrics."""
        with Session(self._engine) as session:
            return reading.rubric_texts(session, content_hash)

    def latest_rubric_hashes(self) -> dict[str, dict[str, tuple[int, str]]]:
        """Per student and part of the assignment: (run id, rubric hash) of their current grades."""
        with Session(self._engine) as session:
            return reading.latest_rubric_hashes(session, self._assignment_in(session))

    def run(self, run_id: int) -> dict[str, Any] | None:
        """One grading run as a dict (like `runs()`), or None when there is no such run."""
        with Session(self._engine) as session, session.begin():
            return reading.run(session, run_id)

    def run_counts(self, run_ids: Sequence[int] | None = None) -> dict[int, dict[str, Any]]:
        """What each run (all, or `run_ids`) has stored so far, recounted: see `reading.run_counts`."""
        with Session(self._engine) as session, session.begin():
            return reading.run_counts(session, run_ids)


def _upsert(
    session: Session, table: Table, key_columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Insert rows in one executemany; a row whose key exists replaces the stored values.

    Core table inserts, not ORM ones: ORM bulk insert starts a new statement
    whenever the set of None-valued fields changes, which made 21,000 results
    into ~14,000 statements and tripled the time. The `ON CONFLICT … DO UPDATE`
    statement is the dialect's own, from `upserts.upsert`.
    """
    if not rows:
        return
    updated = [name for name in rows[0] if name not in key_columns]
    session.execute(upsert(dialect_name(session), table, key_columns, updated), rows)


def _delete_earlier_results(
    session: Session, run_id: int, batch: Sequence[SubmissionResult]
) -> None:
    """Drop this run's stored results for the batch's (student, part) pairs, before re-inserting."""
    for part in sorted({s.part for s in batch}):
        part_students = sorted({s.student_id for s in batch if s.part == part})
        for ids in _chunks(part_students):
            session.execute(
                delete(QuestionResultRow)
                .where(
                    QuestionResultRow.run_id == run_id,
                    QuestionResultRow.part == part,
                    QuestionResultRow.student_id.in_(ids),
                )
                .execution_options(synchronize_session=False)
            )


def _enum_value(kind: type[StrEnum], value: StrEnum | str | None) -> str | None:
    """The stored string of an enum member; a plain string is checked (enum calls are slow)."""
    if value is None:
        return None
    return value.value if isinstance(value, kind) else kind(value).value


def _file_key(submission: SubmissionResult) -> tuple[str, str, str]:
    return (submission.student_id, submission.part, submission.content_hash or "")


def _result_row(
    run_id: int, submission: SubmissionResult, submission_id: int | None, result: QuestionResult
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "student_id": submission.student_id,
        "submission_id": submission_id,
        "part": submission.part,
        "question_id": result.question_id,
        "points": float(result.points),
        "max_points": float(result.max_points),
        "status": _enum_value(Status, result.status),
        "answer_text": result.answer_text,
        "answer_read": result.answer_read,
        "convention": result.convention,
        "diagnosis": result.diagnosis,
        "feedback": result.feedback,
        "expected": result.expected,
        "review_reason": _enum_value(ReviewReason, result.review_reason),
        "details": dict(result.details),
    }
