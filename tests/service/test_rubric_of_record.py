"""HW4 and HW5 side by side in one gradebook: each run keeps its assignment and rubric, every
command reads the gradebook with the rubric of record, a different --rubric is named, an
export never mixes two rubrics, and decisions stay within their assignment."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.storage import Gradebook, open_gradebook

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def course(tmp_path: Path, monkeypatch):
    """A course folder: both rubrics and templates, HW4 and HW5 submissions (ana in both)."""
    shutil.copytree(ROOT / "rubrics", tmp_path / "rubrics")
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    hw4 = tmp_path / "hw4-subs"
    for name in ("alice", "bob"):
        shutil.copytree(
            ROOT / "submissions" / name, hw4 / name, ignore=shutil.ignore_patterns("*.ipynb")
        )
    (hw4 / "ana").mkdir()
    shutil.copyfile(ROOT / "reference" / "hw4" / "written_solution.md", hw4 / "ana" / "written.md")
    shutil.copytree(ROOT / "submissions-hw5", tmp_path / "hw5-subs")
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "g.sqlite"
    for rubric, subs in (("rubrics/hw4.toml", "hw4-subs"), ("rubrics/hw5.toml", "hw5-subs")):
        graded = invoke("grade", subs, "--rubric", rubric, "--db", str(db), "--only", "written")
        assert graded.exit_code in (0, 1), graded.output
    return tmp_path, db


def exported(db: Path, *args: str) -> dict:
    result = invoke("export", "--db", str(db), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {s["student"]: s for s in json.loads(result.stdout)["students"]}


def test_each_assignment_reads_with_its_own_rubric(course):
    _root, db = course
    both = invoke("export", "--db", str(db))
    assert both.exit_code == 2
    assert both.output == (
        f"error: {db}: the gradebook holds several assignments ('hw4', 'hw5') "
        "(fix: say which with --assignment ID)\n"
    )
    hw5 = exported(db, "--assignment", "hw5")
    assert set(hw5) == {"ana", "ben", "chloe", "dev", "eli", "farah"}
    assert hw5["ana"]["max_total"] == 38 and next(q["id"] for q in hw5["ana"]["questions"]) == "q1"
    assert hw5["ana"]["questions"][0]["title"] == "Hidden state of the Elman RNN after three steps."
    hw4 = exported(db, "--assignment", "hw4")
    assert set(hw4) == {"alice", "ana", "bob"} and hw4["ana"]["max_total"] == 100
    assert hw4["ana"]["total"] == 63  # the HW4 solution, whatever ana did in HW5

    report = invoke("report", "ana", "--db", str(db), "--assignment", "hw5")
    assert report.exit_code == 0 and "Hidden state of the Elman RNN" in report.stdout
    assert "Convolve I with F" not in report.stdout
    runs = invoke("runs", "--db", str(db)).stdout.splitlines()
    assert runs[0].startswith("run 1 (hw4): ") and runs[1].startswith("run 2 (hw5): ")
    assert [
        line[:12]
        for line in invoke("runs", "--db", str(db), "--assignment", "hw5").stdout.splitlines()
    ] == ["run 2 (hw5):"]


def test_reports_go_to_a_folder_per_assignment_and_never_over_another(course):
    root, db = course
    assert (root / "reports" / "hw4" / "index.html").is_file()  # grade's default
    assert (root / "reports" / "hw5" / "ana.html").is_file()
    again = invoke("reports", "--db", str(db), "--assignment", "hw5")
    assert again.exit_code == 0 and f"to {Path('reports') / 'hw5'}" in again.stdout
    crossed = invoke("reports", "--db", str(db), "--assignment", "hw5", "--reports", "reports/hw4")
    assert crossed.exit_code == 2
    assert crossed.output == (
        "error: reports/hw4: holds the reports of assignment 'hw4', not 'hw5' "
        "(fix: pass a folder of its own, e.g. --reports reports/hw5)\n"
    )


def test_a_decision_stays_in_its_assignment(course):
    _root, db = course
    done = invoke(
        "override", "ana", "q1", "1", "--reason", "checked", "--db", str(db), "--assignment", "hw5"
    )
    assert done.exit_code == 0, done.output
    assert exported(db, "--assignment", "hw5")["ana"]["questions"][0]["points"] == 1
    assert exported(db, "--assignment", "hw4")["ana"]["questions"][0]["points"] == 3
    queue = invoke("review", "list", "--db", str(db), "--assignment", "hw5", "--format", "json")
    items = json.loads(queue.stdout)
    assert items and {item["question"] for item in items} <= {"q7", "q8"}  # hw5's concept questions


def test_an_edited_rubric_file_does_not_change_reports_until_rescored(course):
    root, db = course
    rubric = root / "rubrics" / "hw5.toml"
    rubric.write_text(
        rubric.read_text().replace(
            'title = "Hidden state of the Elman RNN after three steps."',
            'title = "The Elman state after step 3."',
        )
    )
    report = invoke("report", "ana", "--db", str(db), "--assignment", "hw5")
    assert "Hidden state of the Elman RNN after three steps." in report.stdout  # as graded
    assert report.stderr == ""
    given = invoke("report", "ana", "--db", str(db), "--assignment", "hw5", "--rubric", str(rubric))
    assert "The Elman state after step 3." in given.stdout
    assert given.stderr.startswith(f"note: using {rubric} (rubric ")
    assert ", not the rubric of record rubrics/hw5.toml (rubric " in given.stderr

    rescored = invoke("rescore", "--db", str(db), "--assignment", "hw5")
    assert rescored.exit_code == 0, rescored.output
    assert "note: rubrics/hw5.toml changed since run 2 graded with it (rubric " in rescored.stderr
    after = invoke("report", "ana", "--db", str(db), "--assignment", "hw5")
    assert "The Elman state after step 3." in after.stdout
    # reports written before are stale: rescore says so with the command that rewrites them
    assert (
        "reports written before this run are out of date; rewrite them with: grader reports "
        f"--db {db} --assignment hw5 --reports reports/hw5 (or pass --reports DIR to rescore)"
    ) in rescored.stderr
    rewritten = invoke("rescore", "--db", str(db), "--assignment", "hw5", "--reports", "out/hw5")
    assert rewritten.exit_code == 0, rewritten.output
    assert "out of date" not in rewritten.stderr and "report file(s) to out/hw5" in rewritten.stderr
    assert "The Elman state after step 3." in Path("out/hw5/ana.md").read_text()


def test_an_export_never_mixes_two_rubrics(course):
    root, db = course
    other = root / "rubrics" / "hw5-lenient.toml"
    text = (root / "rubrics" / "hw5.toml").read_text()
    text = text.replace("total_points = 38", "total_points = 40").replace(
        '[questions.q5]\ntitle = "Number of learnable parameters of nn.LSTM(10, 20)."\nkind = "number"\npoints = 3',
        '[questions.q5]\ntitle = "Number of learnable parameters of nn.LSTM(10, 20)."\nkind = "number"\npoints = 5',
    )
    other.write_text(text)
    assert (
        invoke("rescore", "--db", str(db), "--assignment", "hw5", "--rubric", str(other)).exit_code
        == 0
    )

    roster = root / "roster.csv"
    roster.write_text(
        "student_id,lms_id\n"
        + "".join(
            f"{s},{n}\n" for n, s in enumerate(("ana", "ben", "chloe", "dev", "eli", "farah"))
        )
    )
    canvas = invoke(
        "export", "--db", str(db), "--assignment", "hw5", "--format", "canvas", "--per-question",
        "--roster", str(roster),
    )  # fmt: skip
    assert canvas.exit_code == 0, canvas.output
    rows = list(csv.reader(io.StringIO(canvas.stdout)))
    possible = rows[1]
    assert possible[0] == "Points Possible" and possible[5] == "40"
    assert sum(float(p) for p in possible[6:]) == 40  # per question and total from one rubric
    assert possible[6 + 4] == "5"  # q5, from the rubric the grades were scored with

    mixed = invoke(
        "export", "--db", str(db), "--assignment", "hw5", "--format", "canvas",
        "--rubric", str(root / "rubrics" / "hw5.toml"), "--roster", str(roster),
    )  # fmt: skip
    assert mixed.exit_code == 2
    assert "this export would mix two rubrics: " in mixed.output
    assert (
        "(fix: re-score everyone with one rubric first: grader rescore --assignment hw5 --rubric"
        in mixed.output
    )


def test_a_gradebook_from_before_assignments_names_its_runs_on_open(tmp_path, monkeypatch):
    """Migration 0005 reads the assignment id from each old run's rubric file, where it still is."""
    from sqlalchemy import create_engine, text

    from grader.storage.migrations import MIGRATIONS, apply_migrations

    monkeypatch.chdir(ROOT)
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        apply_migrations(connection, MIGRATIONS[:4])
        connection.execute(
            text(
                "INSERT INTO grading_runs (started_at, rubric_path, rubric_hash, tool_version, options) "
                "VALUES ('2026-01-01 00:00:00', 'rubrics/hw4.toml', 'h', '0.1', '{}'), "
                "('2026-01-02 00:00:00', '/gone/rubric.toml', 'h2', '0.1', '{}')"
            )
        )
    engine.dispose()
    gradebook = Gradebook(open_gradebook(path))
    assert [run["assignment"] for run in gradebook.runs()] == ["hw4", ""]
    assert gradebook.assignment_ids() == ["hw4", ""]
