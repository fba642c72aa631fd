"""The `grader` CLI as users see it: messages, exit codes, outputs (typer's CliRunner)."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from tests.fixtures.written_answers import marked_answers

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def make_students(root: Path) -> Path:
    (root / "ann").mkdir(parents=True)
    (root / "ann" / "written.md").write_text(
        marked_answers({1: "    45 45\n    54 54", 7: "126x126x16"})
    )
    (root / "ben").mkdir()
    (root / "ben" / "written.md").write_text(
        marked_answers({1: "[[45, 45], [54, 54]]", 8: "126 x 126 x 16"}, marker="Q{n}")
    )
    return root


@pytest.fixture
def graded(tmp_path):
    subs = make_students(tmp_path / "subs")
    db = tmp_path / "g.sqlite"
    result = invoke(
        "grade",
        str(subs),
        "--rubric",
        "rubrics/hw4.toml",
        "--db",
        str(db),
        "--reports",
        str(tmp_path / "rep"),
        "--only",
        "written",
    )
    assert result.exit_code == 0, result.output
    return tmp_path, db


def test_key_json_is_computed_key():
    result = invoke("key", "--rubric", "rubrics/hw4.toml", "--format", "json")
    assert result.exit_code == 0
    key = json.loads(result.output)
    assert set(key) == {"q1", "q2", "q3", "q7", "q8", "q11"}
    assert key["q1"]["accepted"] == [{"convention": "no padding", "value": [[45, 45], [54, 54]]}]
    assert "padding forgotten" in key["q2"]["mistakes"]
    assert [a["convention"] for a in key["q3"]["accepted"]] == ["padding=1", "padding=2 (same)"]
    assert key["q8"]["accepted"] == [
        {"convention": "valid", "value": [63, 63, 16]},
        {"convention": "same", "value": [64, 64, 16]},
        {"convention": "valid, channels first (C×H×W)", "value": [16, 63, 63]},
        {"convention": "same, channels first (C×H×W)", "value": [16, 64, 64]},
    ]
    assert key["q11"]["accepted"][0]["value"] == [
        [[1, 1], [1, 1]],
        [[2, 2], [2, 2]],
        [[2, 2], [4, 4]],
    ]


def test_grade_prints_table_and_exports(graded):
    tmp_path, db = graded
    result = invoke("export", "--db", str(db), "--format", "json")
    data = json.loads(result.output)
    by_student = {s["student"]: s for s in data["students"]}
    assert by_student["ann"]["max_total"] == 100  # the rubric total: notebooks not graded
    ann = {q["id"]: q for q in by_student["ann"]["questions"]}
    assert ann["q1"] == {
        "id": "q1", "title": "Convolve I with F, no padding.", "points": 3, "max_points": 3,
        "status": "graded", "convention": "no padding",
        "feedback": "Correct (accepted convention: no padding).", "overridden": False,
    }  # fmt: skip
    assert ann["q7"]["convention"] == "valid"
    ben = {q["id"]: q for q in by_student["ben"]["questions"]}
    assert ben["q8"]["points"] == pytest.approx(0.33)
    assert "stride ignored" in ben["q8"]["feedback"]
    assert ben["q2"]["status"] == "missing"

    out = tmp_path / "grades.csv"
    result = invoke("export", "--db", str(db), "--format", "csv", "--out", str(out))
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["student"] for r in rows] == ["ann", "ben"]
    assert rows[0]["q1"] == "3" and rows[0]["q7"] == "2" and rows[0]["max_total"] == "100"
    assert list(rows[0])[:4] == ["student", "q1", "q1 status", "q2"]


def test_override_wins_and_is_reported(graded):
    _, db = graded
    result = invoke(
        "override",
        "ben",
        "q8",
        "2",
        "--reason",
        "stride 2 is stated unclearly",
        "--db",
        str(db),
        "--actor",
        "ta1",
    )
    assert result.exit_code == 0, result.output
    assert "ben q8: set to 2 by ta1" in result.output
    data = json.loads(invoke("export", "--db", str(db), "--format", "json").output)
    ben = {q["id"]: q for s in data["students"] if s["student"] == "ben" for q in s["questions"]}
    assert ben["q8"]["points"] == 2 and ben["q8"]["overridden"] is True
    report = invoke("report", "ben", "--db", str(db))
    assert report.exit_code == 0
    assert "stride 2 is stated unclearly" in report.output


def test_override_rejects_bad_points_with_one_line(graded):
    _, db = graded
    result = invoke("override", "ben", "q8", "5", "--reason", "x", "--db", str(db))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "q8" in result.output and "0 to 2" in result.output


def test_report_prints_feedback(graded):
    _, db = graded
    result = invoke("report", "ann", "--db", str(db))
    assert result.exit_code == 0
    assert "no padding" in result.output and "q1" in result.output
    html = invoke("report", "ann", "--db", str(db), "--format", "html")
    assert html.output.lstrip().lower().startswith("<!doctype html>")


def test_report_unknown_student(graded):
    _, db = graded
    result = invoke("report", "zed", "--db", str(db))
    assert result.exit_code == 2
    assert "no grades for student 'zed'" in result.output


def test_usage_errors_exit_2_with_one_line(tmp_path):
    result = invoke(
        "grade",
        str(tmp_path / "nope"),
        "--rubric",
        "rubrics/hw4.toml",
        "--db",
        str(tmp_path / "g.sqlite"),
    )
    assert result.exit_code == 2
    assert "no such folder" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[assignment\n")
    result = invoke(
        "grade",
        str(make_students(tmp_path / "s")),
        "--rubric",
        str(bad),
        "--db",
        str(tmp_path / "g.sqlite"),
    )
    assert result.exit_code == 2
    assert re.search(r"error: .*bad\.toml: not valid TOML", result.output)
    result = invoke("export", "--db", str(tmp_path / "missing.sqlite"))
    assert result.exit_code == 2 and "no gradebook here" in result.output


def test_notebooks_without_data_are_errors_and_written_still_grades(tmp_path):
    db = tmp_path / "g.sqlite"
    result = invoke(
        "grade",
        str(make_students(tmp_path / "s")),
        "--rubric",
        "rubrics/hw4.toml",
        "--db",
        str(db),
        "--no-reports",
    )
    assert result.exit_code == 1  # the notebook part needs attention
    data = json.loads(invoke("export", "--db", str(db), "--format", "json").output)
    ann = {q["id"]: q for q in data["students"][0]["questions"]}
    assert ann["q1"]["points"] == 3
    assert ann["p1.scratch"]["status"] == "error"
    assert "no data folder given" in ann["p1.scratch"]["feedback"]
    assert "--data DATA_ROOT" in ann["p1.scratch"]["feedback"]


def test_grade_one_student_makes_a_new_run(graded):
    tmp_path, db = graded
    result = invoke(
        "grade",
        str(tmp_path / "subs"),
        "--rubric",
        "rubrics/hw4.toml",
        "--student",
        "ann",
        "--db",
        str(db),
        "--no-reports",
        "--only",
        "written",
    )
    assert result.exit_code == 0
    assert "Run 2: 1 students graded" in result.output
    missing = invoke(
        "grade",
        str(tmp_path / "subs"),
        "--rubric",
        "rubrics/hw4.toml",
        "--student",
        "zz",
        "--db",
        str(db),
    )
    assert missing.exit_code == 2 and "no such student folder" in missing.output
