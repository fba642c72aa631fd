"""The run table, the class summary and the exports read the same gradebook figures.

Pins two bugs a TA saw: regrading one student rewrote the class summary as a
one-student class, and the run table ignored overrides (its total and its count of
concept answers awaiting confirmation contradicted `grader export`).
"""

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from tests.fixtures.written_answers import marked_answers

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def table_points(output: str, student: str) -> tuple[float, float]:
    match = re.search(rf"│ {re.escape(student)}\s+│\s+([\d.]+)/([\d.]+) │", output)
    assert match, output
    return float(match.group(1)), float(match.group(2))


def pending(output: str) -> int:
    match = re.search(r"(\d+) concept answers await confirmation", output)
    assert match, output
    return int(match.group(1))


def exported_totals(db: Path) -> dict[str, float]:
    result = invoke("export", "--db", str(db), "--format", "json")
    assert result.exit_code == 0, result.output
    return {s["student"]: s["total"] for s in json.loads(result.output)["students"]}


@pytest.fixture
def two_students(tmp_path):
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "written.md").write_text(
        marked_answers({1: "    45 45\n    54 54", 7: "126x126x16"})
    )
    (subs / "ben").mkdir()
    (subs / "ben" / "written.md").write_text(
        marked_answers({1: "[[45, 45], [54, 54]]", 8: "126 x 126 x 16"}, marker="Q{n}")
    )
    return subs


def test_regrading_one_student_keeps_the_whole_class_in_the_summary(tmp_path, two_students):
    db, reports = tmp_path / "g.sqlite", tmp_path / "reports"
    common = ("--db", str(db), "--reports", str(reports), "--only", "written")
    assert (
        invoke("grade", str(two_students), "--rubric", "rubrics/hw4.toml", *common).exit_code == 0
    )
    (reports / "ben.md").unlink()

    result = invoke(
        "grade", str(two_students), "--rubric", "rubrics/hw4.toml", "--student", "ann", *common
    )

    assert result.exit_code == 0, result.output
    summary = (reports / "summary.md").read_text()
    assert summary.startswith("# Class summary\n\n2 students; total mean 4.17, median 4.17 of 63.")
    assert "[ben](ben.md)" in summary
    assert 'href="ben.html"' in (reports / "index.html").read_text()
    assert (reports / "ann.md").is_file()
    assert not (reports / "ben.md").exists()  # only the regraded student's report is rewritten


def test_run_table_reads_overrides_and_pending_confirmations_from_the_gradebook(tmp_path):
    subs = tmp_path / "subs"
    shutil.copytree("submissions/alice", subs / "alice")
    db = tmp_path / "g.sqlite"
    common = ("--db", str(db), "--no-reports", "--only", "written")
    first = invoke("grade", str(subs), "--rubric", "rubrics/hw4.toml", *common)
    assert first.exit_code == 0, first.output
    assert table_points(first.output, "alice") == (63, 63)
    assert pending(first.output) == 15

    queue = json.loads(invoke("review", "list", "--db", str(db), "--format", "json").output)
    q19 = next(item for item in queue if item["question"] == "q19")
    assert (q19["kind"], q19["suggested_points"], q19["max_points"]) == ("confirm", 3, 3)
    overridden = invoke(
        "override", "alice", "q19", "2", "--reason", "no word on debugging", "--db", str(db)
    )
    assert overridden.exit_code == 0, overridden.output

    regraded = invoke(
        "grade", str(subs), "--rubric", "rubrics/hw4.toml", "--student", "alice", *common
    )

    assert regraded.exit_code == 0, regraded.output
    assert "Run 2: 1 students graded" in regraded.output
    assert table_points(regraded.output, "alice") == (62, 63)
    assert exported_totals(db) == {"alice": 62}
    assert pending(regraded.output) == 14
    queue = json.loads(invoke("review", "list", "--db", str(db), "--format", "json").output)
    assert len(queue) == 14 and "q19" not in {item["question"] for item in queue}
