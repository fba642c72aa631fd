"""WAL in practice: readers keep working, and see a consistent snapshot, while the writer commits."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from grader.errors import GradebookError
from grader.storage import Gradebook, open_gradebook


def _start(gradebook: Gradebook) -> int:
    return gradebook.start_run(rubric_path="r.yaml", rubric_hash="h", tool_version="0", options={})


def test_writer_commits_while_a_reader_holds_a_snapshot(db_path: Path, make_submission):
    writer_engine = open_gradebook(db_path)
    reader_engine = open_gradebook(db_path)
    try:
        writer = Gradebook(writer_engine)
        reader = Gradebook(reader_engine)
        writer.record_submissions(_start(writer), [make_submission("s1", points=0.5)])

        with reader_engine.connect() as snapshot, snapshot.begin():
            count = "SELECT count(*) FROM question_results"
            assert snapshot.execute(text(count)).scalar() == 21
            # In rollback-journal mode this commit would wait for the reader and time out.
            writer.record_submissions(
                _start(writer), [make_submission("s1", points=2.0), make_submission("s2")]
            )
            assert snapshot.execute(text(count)).scalar() == 21  # still its own snapshot
            # A fresh reader, outside that snapshot, sees the new run.
            assert reader.latest_grades("s1")[0].total == 42.0

        assert [g.student_id for g in reader.latest_grades()] == ["s1", "s2"]
    finally:
        writer_engine.dispose()
        reader_engine.dispose()


def test_readers_in_threads_never_fail_while_batches_are_written(db_path: Path, make_submission):
    writer_engine = open_gradebook(db_path)
    reader_engine = open_gradebook(db_path)
    errors: list[BaseException] = []
    totals_seen: list[set[float]] = []
    done = threading.Event()

    def read_until_done() -> None:
        reader = Gradebook(reader_engine)
        try:
            while not done.is_set():
                # Each read is one transaction: every student is from a whole batch.
                totals_seen.append({g.total for g in reader.latest_grades()})
                # A pause, as a real reader makes: threads spinning on the GIL would
                # starve the writer, whose executemany gives the GIL up on every row.
                time.sleep(0.005)
        except BaseException as error:
            errors.append(error)

    try:
        writer = Gradebook(writer_engine)
        readers = [threading.Thread(target=read_until_done) for _ in range(2)]
        for thread in readers:
            thread.start()
        try:
            for points in (0.0, 1.0, 0.5, 2.0):
                batch = [make_submission(f"s{n:03d}", points=points) for n in range(40)]
                writer.record_submissions(_start(writer), batch)
        finally:
            done.set()
            for thread in readers:
                thread.join(timeout=30)
        assert errors == []
        assert totals_seen, "the readers never ran"
        assert all(len(totals) <= 1 for totals in totals_seen)  # never half a batch
        assert {g.total for g in Gradebook(reader_engine).latest_grades()} == {42.0}
    finally:
        writer_engine.dispose()
        reader_engine.dispose()


def test_writes_take_the_write_lock_up_front(file_engine):
    statements: list[str] = []
    event.listen(
        file_engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: statements.append(statement),
    )
    gradebook = Gradebook(file_engine)
    _start(gradebook)
    gradebook.runs()
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN"]


def test_a_second_writer_waits_then_fails_with_a_clear_message(db_path: Path):
    waiter = open_gradebook(db_path)
    other_writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        with waiter.connect() as connection:
            # Shorten the wait (the pool hands this same connection back below).
            connection.exec_driver_sql("PRAGMA busy_timeout = 100")
        other_writer.execute("BEGIN IMMEDIATE")
        with pytest.raises(GradebookError, match="locked by another writer") as caught:
            _start(Gradebook(waiter))
        assert str(db_path) in str(caught.value)
        other_writer.execute("ROLLBACK")
        assert _start(Gradebook(waiter)) == 1  # free again
    finally:
        other_writer.close()
        waiter.dispose()
