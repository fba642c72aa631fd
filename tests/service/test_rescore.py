"""`grader rescore`: the current rubric re-applied to what the gradebook holds, as a new run;
no file is read again, overrides carry over (flagged when their maximum changed), and what
needs new input is named with the command that provides it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.results import Part, QuestionResult, Status, SubmissionResult
from grader.service import rescoring
from grader.storage import Gradebook, open_gradebook

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "hw4.toml"
runner = CliRunner()


def _rubric(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """A copy of the shipped rubric with text edits (the parameters path made absolute)."""
    text = RUBRIC.read_text(encoding="utf-8").replace(
        'parameters = "../reference/hw4/parameters.toml"',
        f'parameters = "{ROOT / "reference/hw4/parameters.toml"}"',
    )
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def graded(tmp_path, gradebook_target):
    """A gradebook (SQLite file or PostgreSQL URL: `backend`) holding three graded students."""
    subs = tmp_path / "subs"
    for name in ("alice", "bob", "erin"):
        shutil.copytree(ROOT / "submissions" / name, subs / name)
    db = gradebook_target
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
    assert result.exit_code in (0, 1), result.output
    # Shut the submissions away: a re-score must not read them.
    shutil.rmtree(subs)
    return db


Q7_WORTH_3 = (
    '[questions.q7]\ntitle = "128×128×32 convolved with 16 filters of 3×3×32: output size?"\n'
    'kind = "shape"\npoints = 2',
    '[questions.q7]\ntitle = "128×128×32 convolved with 16 filters of 3×3×32: output size?"\n'
    'kind = "shape"\npoints = 3',
)
TOTAL_101 = ("total_points = 100", "total_points = 101")


def test_the_same_rubric_changes_nobody_and_stores_a_new_run(graded):
    gradebook = Gradebook(open_gradebook(graded))
    before = {g.student_id: g.total for g in gradebook.latest_grades()}
    outcome = rescoring.rescore(graded, rubric=RUBRIC)
    assert outcome.changes == () and outcome.not_rescored == () and outcome.students == 3
    assert outcome.run_id == 2
    after = {g.student_id: g.total for g in gradebook.latest_grades()}
    assert after == before and {g.run_id for g in gradebook.latest_grades()} == {2}


def test_a_question_worth_more_is_rescored_from_the_stored_answers(graded, tmp_path):
    rubric = _rubric(tmp_path, Q7_WORTH_3, TOTAL_101)
    gradebook = Gradebook(open_gradebook(graded))
    totals = {g.student_id: g.total for g in gradebook.latest_grades()}

    dry = rescoring.rescore(graded, rubric=rubric, dry_run=True)
    assert dry.run_id is None and len(gradebook.runs()) == 1  # nothing written
    alice = next(c for c in dry.changes if c.student_id == "alice")
    assert [(q.question_id, q.before, q.after, q.after_max) for q in alice.questions] == [
        ("q7", 2, 3, 3)
    ]
    assert alice.after == totals["alice"] + 1

    done = rescoring.rescore(graded, rubric=rubric)
    assert done.run_id == 2
    [alice_now] = gradebook.latest_grades("alice")
    assert alice_now.total == totals["alice"] + 1


def test_an_override_whose_maximum_changed_is_flagged_not_kept(graded, tmp_path):
    gradebook = Gradebook(open_gradebook(graded))
    gradebook.add_override("bob", "q7", 2, reason="accepted his notation", actor="ta")
    rubric = _rubric(tmp_path, Q7_WORTH_3, TOTAL_101)
    result = runner.invoke(app, ["rescore", "--db", str(graded), "--rubric", str(rubric)])
    assert result.exit_code == 1, result.output
    assert "override flagged for a person: bob q7" in result.stderr
    [bob] = gradebook.latest_grades("bob")
    q7 = next(q for q in bob.questions if q.question_id == "q7")
    assert q7.status is Status.NEEDS_REVIEW and not q7.overridden
    assert "maximum changed from 2 to 3" in q7.feedback


def test_a_new_question_is_named_with_the_command_that_grades_it(graded, tmp_path):
    new_question = (
        "[questions.q21]",
        '[questions.q22]\ntitle = "A new question."\nkind = "concept"\npoints = 1\n'
        'key_points = [{ text = "Says something.", keywords = [["something"]] }]\n\n'
        "[questions.q21]",
    )
    rubric = _rubric(tmp_path, new_question, TOTAL_101)
    result = runner.invoke(
        app,
        ["rescore", "--db", str(graded), "--rubric", str(rubric), "--dry-run", "--format", "json"],
    )
    assert result.exit_code == 1, result.output
    outcome = json.loads(result.stdout)
    assert outcome["not_rescored"] == [
        {
            "question_id": "q22",
            "reason": "new in the rubric: the gradebook holds no answer to it",
            "fix": "grader grade SUBMISSIONS --only written",
            "students": 3,
        }
    ]


def test_model_points_follow_new_thresholds_from_the_stored_accuracy(tmp_path, gradebook_target):
    db = gradebook_target
    gradebook = Gradebook(open_gradebook(db))
    run_id = gradebook.start_run(rubric_path="r", rubric_hash="h", tool_version="t", options={})
    details = {
        "accuracy": 0.8, "threshold": 0.85, "zero_at": 0.6, "dataset": "synthetic", "flags": [],
        "structure": {"required": "scratch_cnn", "passed": True, "message": "ok"},
    }  # fmt: skip
    stored = QuestionResult("p1.scratch", 5.1, 6, Status.GRADED, details=details)
    gradebook.record_submissions(
        run_id, [SubmissionResult("s1", Part.NOTEBOOKS, "s1/", None, (stored,))]
    )
    easier = _rubric(
        tmp_path,
        ("thresholds.synthetic = { full_at = 0.85, zero_at = 0.60 }",
         "thresholds.synthetic = { full_at = 0.80, zero_at = 0.60 }"),
    )  # fmt: skip
    outcome = rescoring.rescore(db, rubric=easier)
    [change] = outcome.changes
    scratch = next(q for q in change.questions if q.question_id == "p1.scratch")
    assert (scratch.before, scratch.after) == (5.1, 6)
    [grades] = gradebook.latest_grades("s1")
    measured = next(q for q in grades.questions if q.question_id == "p1.scratch")
    assert measured.details["threshold"] == 0.8 and measured.points == 6
