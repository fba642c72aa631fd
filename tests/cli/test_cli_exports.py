"""`grader export` with a roster and the LMS formats, through the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from tests.conftest import BACKENDS
from tests.fixtures.written_answers import marked_answers

runner = CliRunner()


@pytest.fixture(scope="module", params=BACKENDS)
def course(request, tmp_path_factory):
    """Graded submissions in a gradebook on each backend (a SQLite file, a PostgreSQL URL)."""
    root = tmp_path_factory.mktemp("course")
    subs = root / "subs"
    for name, answers in {
        "ann": {1: "45 45\n54 54", 7: "126x126x16"},
        "ben": {1: "45 45\n54 54"},
        "zoe": {7: "126x126x16"},  # not in the roster
    }.items():
        (subs / name).mkdir(parents=True)
        (subs / name / "written.md").write_text(marked_answers(answers), encoding="utf-8")
    roster = root / "roster.csv"
    roster.write_text(
        "student_id,name,lms_id,sis_user_id,login,email,section\n"
        'ann,"Lee, Ann",11,S11,alee,ann@example.edu,A\n'
        "ben,Ben Ødegård,12,S12,bode,ben@example.edu,B\n"
        "cat,Cat Absent,13,S13,cabs,cat@example.edu,A\n",
        encoding="utf-8",
    )
    db = (
        str(root / "g.sqlite")
        if request.param == "sqlite"
        else request.getfixturevalue("new_postgres_database")()
    )
    graded = runner.invoke(
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
    assert graded.exit_code == 0, graded.output
    return root, db, roster


def _export(db: str, *args: str):
    return runner.invoke(app, ["export", "--db", str(db), *args])


def test_canvas_export_with_roster(course):
    _, db, roster = course
    result = _export(db, "--format", "canvas", "--roster", str(roster), "--assignment-id", "77")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    title = "HW4 — Convolutional neural networks (written part) (77)"
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title]
    assert rows[1] == ["Points Possible", "", "", "", "", "100"]
    assert rows[2:] == [
        ["Lee, Ann", "11", "S11", "alee", "A", "5"],
        ["Ben Ødegård", "12", "S12", "bode", "B", "3"],
        ["Cat Absent", "13", "S13", "cabs", "A", ""],  # in the roster, no submission: blank
        ["zoe", "", "", "", "", "2"],
    ]
    assert "1 graded student(s) are not in the roster" in result.stderr and "zoe" in result.stderr
    assert (
        "warning: 1 row(s) carry no Canvas ID, SIS User ID or SIS Login ID, so Canvas will not "
        "match them: zoe (fix: add them to the roster with lms_id, sis_user_id or login)"
    ) in result.stderr
    assert "has no assignment id" not in result.stderr


def test_a_canvas_export_canvas_cannot_match_is_refused_and_a_new_column_is_warned(
    course, tmp_path
):
    _, db, roster = course
    refused = _export(db, "--format", "canvas")  # no roster: no row has a Canvas id
    assert refused.exit_code == 2, refused.output
    assert refused.stderr.strip() == (
        "error: a Canvas import needs a Canvas ID, SIS User ID or SIS Login ID on every row, "
        "and there is no roster: Canvas would match no student (fix: pass --roster ROSTER.csv "
        "with lms_id, sis_user_id or login columns)"
    )
    names_only = tmp_path / "names.csv"
    names_only.write_text("student_id,name\nann,Ann\nben,Ben\nzoe,Zoe\n", encoding="utf-8")
    refused = _export(db, "--format", "canvas", "--roster", str(names_only))
    assert refused.exit_code == 2 and "the roster has no such ids" in refused.stderr
    no_column = _export(db, "--format", "canvas", "--roster", str(roster))
    assert no_column.exit_code == 0, no_column.output
    assert (
        'the column "HW4 — Convolutional neural networks (written part)" has no assignment id, '
        "so Canvas will make a new assignment rather than fill in the existing one (fix: pass "
        "--assignment-id, the number in the assignment's Canvas address)"
    ) in no_column.stderr


def test_a_roster_whose_id_column_is_a_platform_s_is_refused(course, tmp_path):
    _, db, _ = course
    canvas_like = tmp_path / "canvas.csv"
    canvas_like.write_text("Student,ID,SIS User ID\nAnn,11,S11\n", encoding="utf-8")
    refused = _export(db, "--format", "csv", "--roster", str(canvas_like))
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"error: {canvas_like}: line 1: no `student_id` column, and `id` is not taken for one: "
        "a platform's export uses it for its own user id or the display name, not the "
        "submission folder (fix: name the column of submission folder names `student_id` "
        "(Canvas's ID is `lms_id`))"
    )


def test_moodle_export_needs_a_roster_and_names_who_is_left_out(course):
    _, db, roster = course
    refused = _export(db, "--format", "moodle")
    assert refused.exit_code == 2 and "needs the roster" in refused.output
    result = _export(db, "--format", "moodle", "--roster", str(roster))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "Email address,Grade,Feedback",
        "ann@example.edu,5,5 / 100. See your feedback report for each question.",
    ]
    assert "cat@example.edu,,no submission" in result.stdout  # blank, not a real 0
    assert "left out: no email in the roster: zoe" in result.stderr


def test_gradescope_export_writes_one_results_file_per_student(course, tmp_path):
    _, db, _ = course
    refused = _export(db, "--format", "gradescope")
    assert refused.exit_code == 2 and "--out" in refused.output
    result = _export(db, "--format", "gradescope", "--out", str(tmp_path / "gs"))
    assert result.exit_code == 0, result.output
    ann = json.loads((tmp_path / "gs" / "ann" / "results.json").read_text(encoding="utf-8"))
    assert ann["score"] == 5 and len(ann["tests"]) == 21  # the written part was graded
    q1 = ann["tests"][0]
    assert (q1["name"], q1["score"], q1["max_score"], q1["visibility"]) == (
        "q1: Convolve I with F, no padding.",
        3,
        3,
        "visible",
    )
    assert sorted(p.name for p in (tmp_path / "gs").iterdir()) == ["ann", "ben", "zoe"]


def test_csv_and_json_carry_status_and_one_max_total(course):
    _, db, roster = course
    result = _export(db, "--format", "csv", "--roster", str(roster))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["max_total"] for row in rows} == {"100"}
    by_student = {row["student"]: row for row in rows}
    assert by_student["cat"]["q1 status"] == "missing" and by_student["cat"]["total"] == ""
    assert by_student["ann"]["q1"] == "3" and by_student["ann"]["q1 status"] == "graded"
    assert by_student["ann"]["p1.scratch status"] == "missing"
    exported = json.loads(_export(db, "--format", "json").stdout)
    assert {s["max_total"] for s in exported["students"]} == {100}


def test_grade_with_a_roster_names_extra_folders_and_absent_students(course, tmp_path):
    root, _, roster = course
    result = runner.invoke(
        app,
        ["grade", str(root / "subs"), "--rubric", "rubrics/hw4.toml", "--db", str(tmp_path / "g.sqlite"), "--only", "written",
         "--no-reports", "--roster", str(roster)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 folder(s) not in the roster" in result.stderr and "zoe" in result.stderr
    assert "1 roster student(s) have no submission folder: cat" in result.stderr
