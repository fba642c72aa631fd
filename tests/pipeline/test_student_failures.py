"""A grader bug that one student's work triggers is that student's stored error: every other
student is still graded (and reported), and `grader grade` exits 1, not with a traceback.

Pins the bug where `_safe_grade` caught only a list of exception types, so an
AttributeError stopped the whole batch.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import grader.feedback.files as report_files
import grader.pipeline.notebook_batch as notebook_batch
import grader.pipeline.run as run
from grader.cli.app import app
from grader.results import Status
from tests.fixtures.written_answers import marked_answers

GOOD = marked_answers({1: "    45 45\n    54 54", 7: "126x126x16"})
runner = CliRunner()


@pytest.fixture
def subs(tmp_path):
    for name in ("ann", "ben", "cid"):
        (tmp_path / "subs" / name).mkdir(parents=True)
        (tmp_path / "subs" / name / "written.md").write_text(GOOD)
    return tmp_path / "subs"


BUG = AttributeError("'NoneType' object has no attribute 'rows'")


def failing_for(student: str, real, *, student_of=lambda first: first):
    """`real`, except that it raises BUG when its first argument is (or holds) `student`."""

    def patched(first, *args, **kwargs):
        if student_of(first) == student:
            raise BUG
        return real(first, *args, **kwargs)

    return patched


def exited_normally(result) -> bool:
    """The command ended through its own exit code, not through an escaped exception."""
    return result.exception is None or isinstance(result.exception, SystemExit)


def exported(db: Path) -> dict[str, dict]:
    result = runner.invoke(app, ["export", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    return {s["student"]: s for s in json.loads(result.output)["students"]}


def test_written_part_bug_for_one_student(tmp_path, subs, rubric, monkeypatch):
    monkeypatch.setattr(
        run, "grade_written_submission", failing_for("ben", run.grade_written_submission)
    )
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

    assert result.exit_code == 1 and exited_normally(result), result.output
    assert "Run 1: 3 students graded" in result.output
    students = exported(db)
    for good in ("ann", "cid"):
        points = {q["id"]: q["points"] for q in students[good]["questions"]}
        assert students[good]["total"] == 5 and points["q1"] == 3 and points["q7"] == 2
    ben = students["ben"]
    message = (
        "ben: internal grader error (AttributeError: 'NoneType' object has no attribute "
        "'rows'); please report it"
    )
    assert ben["total"] == 0
    assert {q["status"] for q in ben["questions"]} == {Status.ERROR.value}
    assert {q["feedback"] for q in ben["questions"]} == {message}
    assert len(ben["questions"]) == len(rubric.questions)
    assert "1 submission(s) need attention" in result.output


def test_notebook_part_bug_for_one_student(tmp_path, subs, monkeypatch):
    failing = failing_for(
        "ben", notebook_batch.grade_notebook_part, student_of=lambda task: task.student_id
    )
    monkeypatch.setattr(notebook_batch, "grade_notebook_part", failing)
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
            "notebooks",
            "--no-reports",
        ],
    )

    assert result.exit_code == 1 and exited_normally(result), result.output
    students = exported(db)
    assert set(students) == {"ann", "ben", "cid"}
    ann_models = {q["id"]: q for q in students["ann"]["questions"]}
    assert {q["status"] for q in ann_models.values()} == {"error"}
    assert all("no data folder given" in q["feedback"] for q in ann_models.values())
    ben_models = students["ben"]["questions"]
    assert {q["status"] for q in ben_models} == {"error"}
    assert {q["feedback"] for q in ben_models} == {
        "ben: notebook grading failed (AttributeError: 'NoneType' object has no attribute "
        "'rows'); please report it"
    }


def test_report_bug_for_one_student(tmp_path, subs, monkeypatch):
    real = report_files.render_student_reports

    render = failing_for("ben", real, student_of=lambda grades: grades.student_id)
    monkeypatch.setattr(report_files, "render_student_reports", render)
    db, reports = tmp_path / "g.sqlite", tmp_path / "reports"
    result = runner.invoke(
        app,
        [
            "grade",
            str(subs),
            "--rubric",
            "rubrics/hw4.toml",
            "--db",
            str(db),
            "--reports",
            str(reports),
            "--only",
            "written",
        ],
    )

    assert result.exit_code == 1 and exited_normally(result), result.output
    assert result.stderr.splitlines() == [
        f"reports: {reports}: 1 report(s) written in short form only: ben (AttributeError: "
        "'NoneType' object has no attribute 'rows') (fix: this is a bug in the report "
        "templates; please report it with the grades)"
    ]
    assert "Total: 5 / 63" in (reports / "ben.md").read_text()
    assert "The detailed report could not be produced" in (reports / "ben.md").read_text()
    assert "no padding" in (reports / "ann.md").read_text()
    assert (reports / "index.html").is_file()
    assert {s: g["total"] for s, g in exported(db).items()} == {"ann": 5, "ben": 5, "cid": 5}
