"""Concept decisions in the gradebook (issue #20): the key points a person ticked are kept with
the decision; the other answers of the question learn from them; unsure key points are never
confirmed in bulk; the queue shows first what a decision teaches the most."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.service.review import accept_suggestions, queue_snapshot
from grader.storage import Gradebook, open_gradebook
from tests.fixtures.written_answers import marked_answers

runner = CliRunner()
RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "hw4.toml"
#: q6 in other words than the rubric's (issue #20's example): the rules find no key point.
PARAPHRASE = "to make up for the width and height we lose, we use more filters in deeper layers"
PARAPHRASES = {
    "ann": PARAPHRASE,
    "ben": PARAPHRASE.replace("filters", "fitters").replace("height", "hight"),
    "cat": PARAPHRASE + ", so nothing is lost",
    "dan": "pooling keeps the largest value of every window",
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    for name, text in PARAPHRASES.items():
        (subs / name).mkdir(parents=True)
        (subs / name / "written.md").write_text(marked_answers({6: text}), encoding="utf-8")
    path = tmp_path / "g.sqlite"
    graded = runner.invoke(
        app,
        ["grade", str(subs), "--rubric", str(RUBRIC), "--db", str(path), "--only", "written",
         "--no-reports"],
    )  # fmt: skip
    assert graded.exit_code in (0, 1), graded.output
    return path


def _q6(db: Path) -> dict[str, dict]:
    listed = runner.invoke(
        app, ["review", "list", "--db", str(db), "--question", "q6", "--format", "json"]
    )
    assert listed.exit_code == 0, listed.output
    return {item["student"]: item for item in json.loads(listed.stdout)}


def test_a_paraphrase_is_unsure_until_a_decision_teaches_its_alike_answers(db: Path):
    before = _q6(db)
    assert before["ann"]["unsure"] == [1, 2, 3] and before["ann"]["suggested_points"] == 0
    decided = runner.invoke(
        app,
        ["override", "ann", "q6", "1", "--db", str(db), "--reason", "point 1 in other words",
         "--key-points", "1", "--comment", "Right idea: more channels make up for it."],
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    stored = Gradebook(open_gradebook(f"sqlite:///{db}"))
    [grades] = stored.latest_grades("ann")
    override = next(q for q in grades.questions if q.question_id == "q6").override
    assert override is not None and override.key_points == (True, False, False)
    assert override.comment == "Right idea: more channels make up for it."
    after = _q6(db)
    assert "ann" not in after  # decided
    for alike in ("ben", "cat"):  # the same idea, misspelt or longer: learnt, no longer unsure
        assert after[alike]["unsure"] == [] and after[alike]["suggested_points"] == 1
    assert after["dan"]["unsure"] == [1, 2, 3]  # something else: still a person's call
    # The most unsure first, then the centre of the largest group.
    assert next(iter(after)) == "dan"


def test_bulk_confirmation_leaves_unsure_key_points_to_a_person(db: Path):
    done = accept_suggestions(db, question="q6", reason="bulk", actor="ta")
    assert done.decided == () and set(done.skipped) == set(PARAPHRASES)
    runner.invoke(
        app,
        ["override", "ann", "q6", "1", "--db", str(db), "--reason", "r", "--key-points", "1"],
    )
    done = accept_suggestions(db, question="q6", reason="bulk", actor="ta")
    assert set(done.decided) == {"ben", "cat"} and done.skipped == ("dan",)
    stored = Gradebook(open_gradebook(f"sqlite:///{db}"))
    [ben] = stored.latest_grades("ben")
    ben_q6 = next(q for q in ben.questions if q.question_id == "q6")
    assert ben_q6.points == 1 and ben_q6.override.key_points == (True, False, False)


def test_a_key_point_that_does_not_exist_is_refused_in_one_line(db: Path):
    refused = runner.invoke(
        app, ["override", "ann", "q6", "1", "--db", str(db), "--reason", "r", "--key-points", "5"]
    )
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "error: key point 5 is not one of question 'q6''s 1 to 3 (fix: tick the key points by "
        "their number on the answer page)"
    )
    snapshot = queue_snapshot(db)
    assert snapshot.concept_views["q6"].trust.decided == 0
