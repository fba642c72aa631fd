"""`grader grade` on a messy submissions folder: no student is dropped, odd entries are listed,
an empty folder is an error, and a file that cannot be graded is never a silent 0."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grader.cli.app import app
from tests.fixtures.written_answers import marked_answers

runner = CliRunner()
ANSWER = marked_answers({1: "45 45\n54 54", 7: "126x126x16"})


def _grade(subs: Path, tmp_path: Path):
    db = tmp_path / "g.sqlite"
    result = runner.invoke(
        app,
        [
            "grade",
            str(subs),
            "--rubric",
            "rubrics/hw4.toml",
            "--db",
            str(db),
            "--only",
            "written",
            "--no-reports",
        ],
    )
    return result, db


def test_odd_folder_names_are_graded_and_odd_entries_listed(tmp_path):
    subs = tmp_path / "subs"
    for name in ("John Doe", "José", "李雷", "-x"):
        (subs / name).mkdir(parents=True)
        (subs / name / "written.md").write_text(ANSWER, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere" / "kim"
    elsewhere.mkdir(parents=True)
    (elsewhere / "written.md").write_text(ANSWER, encoding="utf-8")
    (subs / "kim").symlink_to(elsewhere, target_is_directory=True)
    (subs / "roster.csv").write_text("student_id\n", encoding="utf-8")

    result, db = _grade(subs, tmp_path)

    assert result.exit_code == 1, result.output  # roster.csv is listed for a person
    assert "Run 1: 5 students graded" in result.output
    assert "not graded: 'roster.csv'" in result.output
    exported = runner.invoke(app, ["export", "--db", str(db), "--format", "json"])
    totals = {s["student"]: s["total"] for s in json.loads(exported.output)["students"]}
    assert totals == {"-x": 5, "John Doe": 5, "José": 5, "kim": 5, "李雷": 5}


def test_an_empty_submissions_folder_is_an_error_not_zero_students(tmp_path):
    (tmp_path / "subs").mkdir()
    result, _ = _grade(tmp_path / "subs", tmp_path)
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: ") and "subs" in line and "fix:" in line


def test_a_symlinked_or_unknown_written_file_needs_a_person(tmp_path):
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "answers.odt").write_bytes(b"PK\x03\x04 not really")
    (subs / "ben").mkdir()
    (tmp_path / "real.md").write_text(ANSWER, encoding="utf-8")
    (subs / "ben" / "written.md").symlink_to(tmp_path / "real.md")

    result, db = _grade(subs, tmp_path)

    assert result.exit_code == 1, result.output
    exported = runner.invoke(app, ["export", "--db", str(db), "--format", "json"])
    students = {s["student"]: s for s in json.loads(exported.output)["students"]}
    for student in ("ann", "ben"):
        statuses = {q["status"] for q in students[student]["questions"]}
        assert statuses == {"needs_review"}, (student, statuses)
    assert "answers.odt" in students["ann"]["questions"][0]["feedback"]
    assert "symbolic link" in students["ben"]["questions"][0]["feedback"]
