"""Deadlines (issue #21): the rubric's due date and late policy, submission times from a file
the LMS gives (or the roster), extensions, and a penalty that is its own line in reports
and exports, never folded into a question's points."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from grader.cli.app import app
from grader.deadlines import (
    Deadline,
    LatePolicy,
    lateness,
    parse_time,
    read_extensions,
    read_submission_times,
)
from grader.errors import GraderError
from grader.rubric.model import AssignmentSettings

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
CET = timezone(timedelta(hours=1))
DUE = datetime(2026, 11, 20, 23, 59, tzinfo=CET)
TEN_A_DAY = Deadline(DUE, LatePolicy(grace_minutes=15, percent_per_day=10, max_percent=30))


def test_the_penalty_counts_started_days_after_the_grace_period_up_to_the_cap():
    def penalty(late: timedelta, earned: float = 80) -> float:
        return lateness(
            DUE + late, TEN_A_DAY, extended_due=None, earned=earned, maximum=100
        ).penalty

    assert penalty(timedelta(0)) == 0 and penalty(-timedelta(hours=3)) == 0
    assert penalty(timedelta(minutes=10)) == 0  # within grace
    assert penalty(timedelta(minutes=20)) == 10  # one started day
    assert penalty(timedelta(days=1, minutes=1)) == 20
    assert penalty(timedelta(days=6)) == 30  # the cap
    assert penalty(timedelta(days=6), earned=12) == 12  # never below 0
    words = lateness(
        DUE + timedelta(days=1, hours=2), TEN_A_DAY, extended_due=None, earned=80, maximum=100
    ).words
    assert words == (
        "Submitted 1 day 2 hours after the deadline (due 2026-11-20 23:59 UTC+01:00): 2 days late "
        "at 10% of 100 points per day = 20%, a penalty of 20 points."
    )


def test_an_extension_moves_the_due_date_and_not_accepted_means_zero_said_so():
    extended = lateness(
        DUE + timedelta(days=1),
        TEN_A_DAY,
        extended_due=DUE + timedelta(days=2),
        earned=80,
        maximum=100,
    )
    assert extended.penalty == 0 and not extended.is_late and extended.extended
    strict = Deadline(DUE, LatePolicy(accepted=False))
    refused = lateness(DUE + timedelta(hours=1), strict, extended_due=None, earned=70, maximum=100)
    assert refused.penalty == 70 and not refused.accepted
    assert refused.words.endswith(
        "late work is not accepted: the late penalty takes the total to 0."
    )
    window = Deadline(DUE, LatePolicy(percent_per_day=5, accepted_until_days=3))
    assert (
        lateness(DUE + timedelta(days=4), window, extended_due=None, earned=50, maximum=100).penalty
        == 50
    )


def test_the_rubric_refuses_a_due_date_without_timezone_and_a_policy_that_says_nothing():
    base = {"id": "hw4", "title": "HW4", "total_points": 10}
    with pytest.raises(ValidationError, match="due has no timezone: write it with its offset"):
        AssignmentSettings(**base, due=datetime(2026, 11, 20, 23, 59))
    zoned = AssignmentSettings(**base, due=datetime(2026, 11, 20, 23, 59), timezone="Europe/Berlin")
    assert zoned.deadline is not None and zoned.deadline.due.utcoffset() == timedelta(hours=1)
    with pytest.raises(ValidationError, match="a late policy needs percent_per_day"):
        AssignmentSettings(**base, due=DUE, late={"grace_minutes": 5})
    with pytest.raises(ValidationError, match=r"\[assignment.late\] needs a due date"):
        AssignmentSettings(**base, late={"percent_per_day": 5})


def test_times_and_extensions_files(tmp_path: Path):
    assert parse_time("2026-11-21 08:00", CET) == datetime(2026, 11, 21, 8, 0, tzinfo=CET)
    assert parse_time("Saturday, 21 November 2026, 8:00 AM", CET) == datetime(
        2026, 11, 21, 8, 0, tzinfo=CET
    )
    assert parse_time("2026-11-21T07:00:00Z", CET).astimezone(UTC).hour == 7
    nfd = tmp_path / "mac.csv"  # a Mac writes "José" decomposed; the folder name is NFC
    nfd.write_text("student_id,submitted_at\nJose\u0301,2026-11-21T08:00:00+01:00\n")
    assert list(read_submission_times(nfd, CET)) == ["Jos\u00e9"]
    extensions = tmp_path / "ext.csv"
    extensions.write_text("student_id,due,days\nbob,,2\ncarol,2026-11-25T12:00:00+01:00,\n")
    read = read_extensions(extensions, TEN_A_DAY)
    assert read == {"bob": DUE + timedelta(days=2), "carol": datetime(2026, 11, 25, 12, tzinfo=CET)}
    broken = tmp_path / "broken.csv"
    broken.write_text("student_id,days\nbob,two\n")
    with pytest.raises(GraderError) as error:
        read_extensions(broken, TEN_A_DAY)
    assert error.value.one_line().startswith(f"{broken}: line 2: could not convert string to float")


@pytest.fixture
def course(tmp_path: Path, monkeypatch):
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    (tmp_path / "rubrics").mkdir()
    text = (ROOT / "rubrics" / "hw4.toml").read_text()
    text = text.replace(
        "total_points = 100",
        "total_points = 100\ndue = 2026-11-20T23:59:00+01:00\n"
        "late = { grace_minutes = 15, percent_per_day = 10, max_percent = 30 }\n",
        1,
    )
    (tmp_path / "rubrics" / "hw4.toml").write_text(text)
    for name in ("alice", "bob"):
        shutil.copytree(
            ROOT / "submissions" / name,
            tmp_path / "subs" / name,
            ignore=shutil.ignore_patterns("*.ipynb"),
        )
    # The LMS export: Moodle's grading worksheet names the time "Last modified (submission)".
    (tmp_path / "times.csv").write_text(
        "Identifier,Status,Last modified (submission)\n"
        'alice,Submitted,"Saturday, 21 November 2026, 3:00 PM"\n'
        'bob,Submitted,"Saturday, 21 November 2026, 3:00 PM"\n'
    )
    (tmp_path / "extensions.csv").write_text("student_id,days\nbob,1\nbbo,2\n")
    (tmp_path / "roster.csv").write_text("student_id,lms_id\nalice,101\nbob,102\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_late_submission_is_its_own_line_in_reports_and_exports(course: Path):
    graded = runner.invoke(
        app,
        ["grade", "subs", "--rubric", "rubrics/hw4.toml", "--db", "g.sqlite", "--only", "written",
         "--reports", "out", "--times", "times.csv", "--extensions", "extensions.csv"],
    )  # fmt: skip
    assert graded.exit_code in (0, 1), graded.output
    # a typo'd id would never be late or extended without a word: the run names it
    assert (
        "warning: 1 id(s) in --times/--extensions match no submission folder: bbo "
        "(fix: check the ids match the folder names)"
    ) in graded.stderr
    report = (course / "out" / "alice.md").read_text()
    # 63 written points less 10 % of the assignment's 100 (the notebooks are not graded yet)
    assert "**Total: 53 / 63**" in report
    assert "Questions: 63 points; late penalty: −10 points." in report
    page = (course / "out" / "alice.html").read_text()
    assert (
        "Submitted 15 hours 1 minute after the deadline (due 2026-11-20 23:59 UTC+01:00): 1 day "
        "late at 10% of 100 points per day = 10%, a penalty of 10 points."
    ) in page
    assert "after the deadline (due 2026-11-20 23:59 UTC\\+01:00)" in report  # Markdown-escaped
    assert 'id="late-penalty">Questions: 63 points; late penalty: −10 points.</p>' in page
    bob = (course / "out" / "bob.md").read_text()  # an extension of one day: on time
    assert "late penalty" not in bob and "after the deadline" not in bob

    canvas = runner.invoke(
        app,
        ["export", "--db", "g.sqlite", "--format", "canvas", "--roster", "roster.csv",
         "--assignment-id", "77"],
    )  # fmt: skip
    assert canvas.exit_code == 0, canvas.output
    rows = list(csv.reader(io.StringIO(canvas.stdout)))
    title = "HW4 — Convolutional neural networks (written part)"
    assert rows[0][5:] == [f"{title} (77)", f"{title}: late penalty"]
    assert rows[1][5:] == ["100", "0"]
    alice = next(row for row in rows if row[1] == "101")
    bob_row = next(row for row in rows if row[1] == "102")
    assert alice[5:] == ["53", "-10"]
    assert bob_row[5:7] == [bob_row[5], ""]
    assert "1 late student(s) (alice)" in canvas.stderr

    exported = json.loads(
        runner.invoke(app, ["export", "--db", "g.sqlite", "--format", "json"]).stdout
    )
    record = next(s for s in exported["students"] if s["student"] == "alice")
    assert record["questions_total"] == 63 and record["total"] == 53
    assert record["late"]["penalty"] == 10 and record["late"]["late_minutes"] == 15 * 60 + 1
    # no question lost a point to lateness
    assert sum(q["points"] for q in record["questions"]) == 63


def test_grader_late_records_times_after_grading_and_names_unknown_ids(course: Path):
    assert runner.invoke(
        app,
        [
            "grade",
            "subs",
            "--rubric",
            "rubrics/hw4.toml",
            "--db",
            "g.sqlite",
            "--only",
            "written",
            "--no-reports",
        ],
    ).exit_code in (0, 1)
    (course / "late.csv").write_text(
        "student_id,submitted_at\nalice,2026-11-25T10:00:00+01:00\nzed,2026-11-20T10:00:00+01:00\nbob,\n"
    )
    result = runner.invoke(app, ["late", "--db", "g.sqlite", "--times", "late.csv"])
    assert result.exit_code == 0, result.output
    assert "recorded 2 submission time(s) and 0 extension(s) for hw4" in result.stdout
    assert "late: alice: Submitted 4 days 10 hours after the deadline" in result.stdout
    assert "= 30% (the cap), a penalty of 30 points." in result.stdout
    assert "1 id(s) in the files have no grades in this assignment: zed" in result.stderr
    report = runner.invoke(app, ["report", "alice", "--db", "g.sqlite"])
    assert "**Total: 33 / 63**" in report.stdout
    nothing = runner.invoke(app, ["late", "--db", "g.sqlite"])
    assert nothing.exit_code == 2
    assert nothing.output == (
        "error: nothing to record (fix: pass --times FILE and/or --extensions FILE)\n"
    )


def test_times_for_a_rubric_without_a_due_date_are_refused_before_grading(
    tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(ROOT)
    times = tmp_path / "t.csv"
    times.write_text("student_id,submitted_at\nalice,2026-11-21T10:00:00Z\n")
    db = tmp_path / "g.sqlite"
    result = runner.invoke(
        app,
        ["grade", "submissions", "--rubric", "rubrics/hw4.toml", "--db", str(db),
         "--only", "written", "--times", str(times)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "the rubric sets no due date" in result.output and "add due = " in result.output
    assert not db.exists()


def test_late_help_names_the_rubric_table_as_written():
    shown = " ".join(runner.invoke(app, ["late", "--help"]).output.split())
    assert "The rubric's [assignment] table sets the due date" in shown
