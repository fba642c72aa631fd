"""Overrides: they win on read, survive regrades, replace each other, are audited and checked."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import Engine, select

from grader.errors import GradebookError
from grader.results import Status
from grader.storage import Gradebook
from grader.storage.models import OverrideRow


def _question(gradebook: Gradebook, student_id: str, question_id: str):
    [grades] = gradebook.latest_grades(student_id)
    return next(q for q in grades.questions if q.question_id == question_id)


@pytest.fixture
def graded(gradebook: Gradebook, start_run, make_submission) -> Gradebook:
    run_id = start_run()
    gradebook.record_submissions(run_id, [make_submission("s1"), make_submission("s2")])
    return gradebook


def test_override_sets_points_and_keeps_the_suggestion(graded: Gradebook):
    graded.add_override("s1", "q4", 1.75, reason="covers key point b", actor="ta-anna")
    q4 = _question(graded, "s1", "q4")
    assert q4.points == 1.75
    assert q4.status is Status.GRADED  # was needs_review
    assert q4.overridden is True
    assert q4.override_reason == "covers key point b"
    assert q4.suggested_points == 1.0
    # the feedback says the decision, not the grader's suggestion; the rest is the grader's
    assert q4.feedback == "A person graded this answer: 1.75 of 2 points (covers key point b)."
    assert q4.result.feedback == "Feedback for q4."
    assert _question(graded, "s1", "q5").overridden is False
    assert _question(graded, "s2", "q4").points == 1.0  # other students untouched
    [s1] = graded.latest_grades("s1")
    assert s1.total == 20 * 1.0 + 1.75


def test_override_survives_a_regrade(graded: Gradebook, start_run, make_submission):
    graded.add_override("s1", "q7", 0.0, reason="shape copied from a friend", actor="prof")
    regrade = start_run(rubric_hash="v2")
    graded.record_submissions(regrade, [make_submission("s1", points=2.0)])
    q7 = _question(graded, "s1", "q7")
    assert (q7.points, q7.overridden, q7.suggested_points) == (0.0, True, 2.0)
    assert _question(graded, "s1", "q8").points == 2.0  # the regrade applies elsewhere
    assert graded.latest_grades("s1")[0].run_id == regrade


def test_a_new_override_replaces_the_earlier_one(graded: Gradebook, engine: Engine):
    graded.add_override("s1", "q1", 0.5, reason="first look", actor="ta-anna")
    graded.add_override("s1", "q1", 2.0, reason="second look", actor="prof")
    q1 = _question(graded, "s1", "q1")
    assert (q1.points, q1.override_reason, q1.suggested_points) == (2.0, "second look", 1.0)
    with engine.connect() as connection:
        rows = connection.execute(
            select(OverrideRow.points, OverrideRow.active, OverrideRow.actor).order_by(
                OverrideRow.id
            )
        ).all()
    assert [tuple(row) for row in rows] == [(0.5, False, "ta-anna"), (2.0, True, "prof")]


def test_overrides_are_audited_with_before_and_after(graded: Gradebook):
    graded.add_override("s1", "q4", 1.5, reason="partial", actor="ta-anna")
    graded.add_override("s1", "q4", 2.0, reason="full after regrade request", actor="prof")
    entries = [e for e in graded.audit_entries("s1") if e["action"] == "override"]
    assert [(e["actor"], e["question_id"]) for e in entries] == [("ta-anna", "q4"), ("prof", "q4")]
    first, second = entries
    assert first["before"] == {
        "points": 1.0,
        "status": "needs_review",
        "overridden": False,
        "override_reason": None,
    }
    assert first["after"] == {
        "points": 1.5,
        "status": "graded",
        "overridden": True,
        "override_reason": "partial",
        "suggested_points": 1.0,
    }
    assert second["before"]["points"] == 1.5
    assert second["before"]["override_reason"] == "partial"
    assert second["after"]["points"] == 2.0
    assert second["after"]["suggested_points"] == 1.0  # the grader's, not the earlier override
    assert all(e["student_id"] == "s1" for e in graded.audit_entries("s1"))


@pytest.mark.parametrize(
    ("student_id", "question_id", "points", "expected_words"),
    [
        ("s9", "q1", 1.0, ["'s9'", "never been graded"]),
        ("s1", "q99", 1.0, ["'s1'", "'q99'", "not in their latest results", "q21"]),
        ("s1", "q3", -0.5, ["'s1'", "'q3'", "-0.5", "allowed range 0 to 2"]),
        ("s1", "q3", 2.5, ["'s1'", "'q3'", "2.5", "allowed range 0 to 2"]),
        ("s1", "q3", math.nan, ["'s1'", "'q3'", "nan", "allowed range 0 to 2"]),
    ],
)
def test_bad_override_is_refused_with_a_clear_message(
    graded: Gradebook, student_id: str, question_id: str, points: float, expected_words: list[str]
):
    with pytest.raises(GradebookError) as caught:
        graded.add_override(student_id, question_id, points, reason="r", actor="ta")
    message = str(caught.value)
    for word in expected_words:
        assert word in message
    assert "(fix:" in message
    assert not any(e["action"] == "override" for e in graded.audit_entries())
    assert not any(q.overridden for g in graded.latest_grades() for q in g.questions)


def test_override_at_the_bounds_is_accepted(graded: Gradebook):
    graded.add_override("s1", "q1", 0.0, reason="blank", actor="ta")
    graded.add_override("s1", "q2", 2.0, reason="full", actor="ta")
    assert _question(graded, "s1", "q1").points == 0.0
    assert _question(graded, "s1", "q2").points == 2.0


def test_every_committed_write_raises_the_write_generation(graded: Gradebook):
    before = graded.write_generation()
    graded.add_override("s1", "q4", 1.0, reason="r", actor="a")
    assert graded.write_generation() == before + 1
    with pytest.raises(GradebookError):
        graded.add_override("s1", "q4", 99.0, reason="r", actor="a")  # refused: rolled back
    assert graded.write_generation() == before + 1
    assert graded.undo_override("s1", "q4", reason="r", actor="a") is True
    assert graded.write_generation() == before + 2
    assert _question(graded, "s1", "q4").overridden is False


def test_a_decision_on_an_older_version_is_refused(graded: Gradebook):
    from grader.errors import StaleDecisionError

    seen = _question(graded, "s1", "q4").version
    graded.add_override("s1", "q4", 2.0, reason="first", actor="anna", expected_version=seen)
    with pytest.raises(StaleDecisionError, match="anna set 2 points"):
        graded.add_override("s1", "q4", 0.5, reason="late", actor="ben", expected_version=seen)
    q4 = _question(graded, "s1", "q4")
    assert (q4.points, q4.override.actor) == (2.0, "anna")
