"""A PostgreSQL gradebook for real: URLs whose password is never printed, $HW_GRADER_DB, one
writer at a time, and concurrent grading runs and overrides that lose and duplicate nothing."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from grader.cli.app import app
from grader.errors import GradebookError
from grader.pipeline.run import GradeOptions, grade_submissions
from grader.results import Part
from grader.rubric import load_rubric
from grader.storage import Gradebook, open_gradebook
from grader.storage.database import WRITER_LOCK_KEY
from grader.storage.models import (
    AuditRow,
    OverrideRow,
    QuestionResultRow,
    StudentRow,
    SubmissionRow,
)

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "hw4.toml"
STUDENTS = ("alice", "bob", "carol", "dave", "erin", "frank")
runner = CliRunner()


def _with_password(url: str, database: str | None = None) -> str:
    with_password = url.replace("postgres@", "postgres:s3cret@")
    return with_password if database is None else with_password.rsplit("/", 1)[0] + f"/{database}"


def _count(gradebook_url: str, model: type, *where) -> int:
    engine = open_gradebook(gradebook_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        engine.dispose()


@pytest.fixture
def reader() -> Iterator[Callable[[str], Gradebook]]:
    """Opens Gradebooks to read with; their engines are disposed at the end of the test."""
    engines: list[Engine] = []

    def open_reader(url: str) -> Gradebook:
        engines.append(open_gradebook(url))
        return Gradebook(engines[-1])

    yield open_reader
    for engine in engines:
        engine.dispose()


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    for name in STUDENTS:
        shutil.copytree(ROOT / "submissions" / name, subs / name)
    return subs


def test_an_unreachable_server_is_one_line_without_the_password():
    url = "postgresql+psycopg://grader:s3cret@127.0.0.1:1/grades"
    with pytest.raises(GradebookError) as caught:
        open_gradebook(url)
    message = str(caught.value)
    assert message.startswith("postgresql+psycopg://grader:***@127.0.0.1:1/grades: cannot open")
    assert message.endswith("(fix: check the host, port and that the PostgreSQL server is running)")
    assert "s3cret" not in message and "\n" not in message


def test_a_missing_database_names_the_fix_and_hides_the_password(postgres_server: str):
    url = _with_password(postgres_server, "no_such_gradebook")
    result = runner.invoke(app, ["runs", "--db", url])
    assert result.exit_code == 2
    assert "s3cret" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {url.replace('s3cret', '***')}: cannot open the gradebook (")
    assert 'database "no_such_gradebook" does not exist' in line
    assert line.endswith("(fix: create it first: createdb no_such_gradebook, or pass another --db)")


def test_reading_commands_never_create_a_gradebook_in_an_empty_database(new_postgres_database):
    url = new_postgres_database()
    result = runner.invoke(app, ["runs", "--db", url])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {url}: no gradebook in this database (fix: run `grader grade` first or pass --db)"
    )


@pytest.mark.slow  # grades six students for real
def test_grade_and_runs_take_the_gradebook_from_the_environment(
    new_postgres_database, submissions: Path
):
    url = new_postgres_database()
    env = {"HW_GRADER_DB": _with_password(url)}  # trust auth: the password is not checked
    graded = runner.invoke(
        app,
        [
            "grade",
            str(submissions),
            "--rubric",
            "rubrics/hw4.toml",
            "--only",
            "written",
            "--no-reports",
        ],
        env=env,
    )
    assert graded.exit_code in (0, 1), graded.output
    assert "s3cret" not in graded.output
    listed = runner.invoke(app, ["runs"], env=env)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith("run 1 (hw4): started ")
    assert _count(url, StudentRow) == len(STUDENTS)


def test_a_second_writer_waits_for_the_lock_then_fails_with_a_clear_message(
    new_postgres_database,
):
    url = new_postgres_database()
    engine = open_gradebook(url, busy_timeout_ms=200)
    other_writer = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        other_writer.execute(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")
        with pytest.raises(GradebookError, match="locked by another writer") as caught:
            Gradebook(engine).start_run(
                rubric_path="r", rubric_hash="h", tool_version="0", options={}
            )
        assert str(caught.value).startswith(f"{url}: the gradebook stayed locked")
        other_writer.rollback()
        assert (
            Gradebook(engine).start_run(
                rubric_path="r", rubric_hash="h", tool_version="0", options={}
            )
            == 1
        )  # free again
    finally:
        other_writer.close()
        engine.dispose()


def _in_threads(*jobs: Callable[[], object]) -> list[BaseException]:
    """Run the jobs at once (released together); return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            job()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def _grade(url: str, submissions: Path) -> Callable[[], int]:
    rubric = load_rubric(RUBRIC)

    def grade() -> int:
        # Its own engine, as a second `grader grade` process would have.
        engine = open_gradebook(url)
        try:
            summary = grade_submissions(
                submissions,
                rubric=rubric,
                gradebook=Gradebook(engine),
                reports_dir=None,
                options=GradeOptions(only="written"),
            )
            return summary.run_id
        finally:
            engine.dispose()

    return grade


@pytest.mark.slow  # grades six students for real
def test_two_grading_runs_at_once_lose_nothing_and_duplicate_nothing(
    new_postgres_database, submissions: Path, reader
):
    url = new_postgres_database()
    assert _in_threads(_grade(url, submissions), _grade(url, submissions)) == []
    questions = len(load_rubric(RUBRIC).catalogue.ids(Part.WRITTEN))
    stored_runs = reader(url)
    runs = stored_runs.runs()
    assert [run["id"] for run in runs] == [1, 2]
    assert all(run["finished_at"] is not None for run in runs)
    for run in (1, 2):
        assert stored_runs.graded_students(run, "written") == set(STUDENTS)
        stored = _count(url, QuestionResultRow, QuestionResultRow.run_id == run)
        assert stored == len(STUDENTS) * questions
    assert _count(url, StudentRow) == len(STUDENTS)
    assert _count(url, SubmissionRow) == len(STUDENTS)  # the same files: one row each
    assert _count(url, AuditRow, AuditRow.action == "graded") == 2 * len(STUDENTS)
    assert sorted(g.student_id for g in stored_runs.latest_grades()) == sorted(STUDENTS)


@pytest.mark.slow  # grades six students for real
def test_overrides_written_while_a_run_stores_are_all_kept(
    new_postgres_database, submissions: Path, reader
):
    url = new_postgres_database()
    _grade(url, submissions)()

    def override_everyone() -> None:
        engine = open_gradebook(url)
        try:
            reviewer = Gradebook(engine)
            for points in (1.0, 2.0):
                for student in STUDENTS:
                    reviewer.add_override(
                        student, "q1", points, reason=f"gave {points}", actor="ta"
                    )
        finally:
            engine.dispose()

    assert _in_threads(_grade(url, submissions), override_everyone) == []
    assert _count(url, OverrideRow) == 2 * len(STUDENTS)
    assert _count(url, OverrideRow, OverrideRow.active.is_(True)) == len(STUDENTS)
    assert _count(url, AuditRow, AuditRow.action == "override") == 2 * len(STUDENTS)
    stored = reader(url)
    assert {run["id"] for run in stored.runs()} == {1, 2}
    for grades in stored.latest_grades():
        assert grades.run_id == 2
        q1 = next(q for q in grades.questions if q.question_id == "q1")
        assert (q1.points, q1.overridden, q1.override_reason) == (2.0, True, "gave 2.0")
