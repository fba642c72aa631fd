"""Executed-notebook records: stored per run, upserted (a retried task is stored once), compressed."""

import json

from grader.results import NotebookRunRecord


def record(status: str = "ok", **extra) -> NotebookRunRecord:
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1" * 1000}]}).encode()
    return NotebookRunRecord(
        student_id="s1", notebook="p1_cats_dogs.ipynb", status=status, message=f"{status}",
        executed_notebook=notebook, wall_seconds=1.5, **extra,
    )  # fmt: skip


def test_notebook_run_round_trips(gradebook, start_run):
    run_id = start_run()
    gradebook.record_notebook_runs(
        run_id, [record("error", failed_cell=3, error_name="ValueError", traceback="tb")]
    )
    [stored] = gradebook.notebook_runs("s1")
    assert (stored.status, stored.failed_cell, stored.error_name, stored.traceback) == (
        "error",
        3,
        "ValueError",
        "tb",
    )
    assert json.loads(stored.executed_notebook)["cells"][0]["source"].startswith("x = 1")


def test_recording_twice_stores_once(gradebook, start_run):
    run_id = start_run()
    gradebook.record_notebook_runs(run_id, [record("error")])
    gradebook.record_notebook_runs(run_id, [record("ok")])
    assert [r.status for r in gradebook.notebook_runs("s1")] == ["ok"]


def test_latest_run_wins(gradebook, start_run):
    run_id = start_run()
    gradebook.record_notebook_runs(run_id, [record("timeout")])
    later = start_run()
    gradebook.record_notebook_runs(later, [record("ok")])
    assert [r.status for r in gradebook.notebook_runs("s1")] == ["ok"]
    assert [r.status for r in gradebook.notebook_runs("s1", run_id)] == ["timeout"]
