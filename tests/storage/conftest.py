"""Fixtures for the gradebook tests: in-memory and file gradebooks, result builders.

`engine` (and `gradebook`, `start_run` on it) runs each test on both backends: an
in-memory SQLite gradebook and an empty database on the session's PostgreSQL server
(tests/conftest.py). `memory_engine`, `file_engine` and `db_path` are SQLite's own, for
what only SQLite has (pragmas, WAL, files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from grader.results import QuestionResult, ReviewReason, Status, SubmissionResult
from grader.storage import Gradebook, open_gradebook

WRITTEN_IDS = tuple(f"q{number}" for number in range(1, 22))


@pytest.fixture
def memory_engine() -> Iterator[Engine]:
    engine = open_gradebook("sqlite:///:memory:")
    yield engine
    engine.dispose()


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = open_gradebook("sqlite:///:memory:")
    else:
        engine = open_gradebook(request.getfixturevalue("new_postgres_database")())
    yield engine
    engine.dispose()


@pytest.fixture
def gradebook(engine: Engine) -> Gradebook:
    return Gradebook(engine)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "gradebook.db"


@pytest.fixture
def file_engine(db_path: Path) -> Iterator[Engine]:
    engine = open_gradebook(db_path)
    yield engine
    engine.dispose()


def _question(
    question_id: str, points: float = 1.0, max_points: float = 2.0, **fields: Any
) -> QuestionResult:
    """A QuestionResult with every optional field filled, so round trips test them all."""
    defaults: dict[str, Any] = {
        "status": Status.NEEDS_REVIEW,
        "answer_text": f"my answer to {question_id}: 9 + 18 + 18",
        "answer_read": [[45, 54], [81, 90]],
        "convention": "padding 1",
        "diagnosis": "padding forgotten",
        "feedback": f"Feedback for {question_id}.",
        "expected": {"shape": [126, 126, 16]},
        "review_reason": ReviewReason.CONCEPT,
        "details": {"confidence": 0.75, "evidence": ["key point a"], "differing": [[0, 1]]},
    }
    defaults.update(fields)
    return QuestionResult(question_id=question_id, points=points, max_points=max_points, **defaults)


def _submission(
    student_id: str,
    *,
    part: str = "written",
    points: float = 1.0,
    question_ids: tuple[str, ...] = WRITTEN_IDS,
    content_hash: str | None = None,
    source_path: str | None = None,
    problems: tuple[str, ...] = (),
) -> SubmissionResult:
    """A submission whose questions all score `points` out of 2."""
    return SubmissionResult(
        student_id=student_id,
        part=part,
        source_path=source_path if source_path is not None else f"{part}/{student_id}.md",
        content_hash=content_hash
        if content_hash is not None
        else f"{student_id}-{part}".ljust(64, "0"),
        results=tuple(_question(qid, points=points) for qid in question_ids),
        problems=problems,
    )


@pytest.fixture
def make_question() -> Callable[..., QuestionResult]:
    """Builds a QuestionResult with every optional field filled."""
    return _question


@pytest.fixture
def make_submission() -> Callable[..., SubmissionResult]:
    """Builds a SubmissionResult for one student and part."""
    return _submission


@pytest.fixture
def start_run(gradebook: Gradebook) -> Callable[..., int]:
    def start(rubric_hash: str = "rubric-sha", **options: Any) -> int:
        return gradebook.start_run(
            rubric_path="rubrics/hw4.yaml",
            rubric_hash=rubric_hash,
            tool_version="0.1.0",
            options=options,
        )

    return start
