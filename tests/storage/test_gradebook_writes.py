"""Recording graded submissions: bulk round trip, replacement, regrades, parts, audit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from grader.errors import GradebookError
from grader.results import QuestionResult, ReviewReason, Status, SubmissionResult
from grader.storage import Gradebook
from grader.storage.models import QuestionResultRow, SubmissionRow

MakeSubmission = Callable[..., SubmissionResult]


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


@pytest.mark.slow  # 1000 submissions, 21 000 results
def test_bulk_record_round_trips_every_field(
    gradebook: Gradebook, engine: Engine, start_run, make_submission: MakeSubmission
):
    run_id = start_run()
    batch = [
        make_submission(f"s{number:04d}", points=number % 3, problems=(f"problem {number}",))
        for number in range(1000)
    ]
    gradebook.record_submissions(run_id, batch)

    assert _count(engine, QuestionResultRow) == 1000 * 21
    grades = gradebook.latest_grades()
    assert [g.student_id for g in grades] == sorted(s.student_id for s in batch)
    for stored, given in zip(grades, sorted(batch, key=lambda s: s.student_id), strict=True):
        assert stored.run_id == run_id
        assert stored.source_path == given.source_path
        assert stored.problems == given.problems
        assert stored.total == given.points
        assert stored.max_total == given.max_points == 42
        assert len(stored.questions) == 21
        for graded, result in zip(stored.questions, given.results, strict=True):
            for field in dataclasses.fields(QuestionResult):
                assert getattr(graded, field.name) == getattr(result, field.name), field.name
            assert graded.overridden is False
            assert graded.override_reason is None
            assert graded.suggested_points is None


def test_stored_values_keep_their_types(gradebook: Gradebook, start_run, make_question):
    odd = make_question(
        "q3",
        points=0.33,
        status=Status.ERROR,
        review_reason=ReviewReason.UNREADABLE,
        answer_read=None,
        expected=None,
        convention=None,
        diagnosis=None,
        details={},
    )
    run_id = start_run()
    gradebook.record_submissions(
        run_id, [SubmissionResult("s1", "written", None, None, (odd,), ())]
    )
    [grades] = gradebook.latest_grades("s1")
    [graded] = grades.questions
    assert graded.status is Status.ERROR
    assert graded.review_reason is ReviewReason.UNREADABLE
    assert graded.points == 0.33 and isinstance(graded.points, float)
    assert graded.answer_read is None and graded.expected is None
    assert graded.details == {}
    assert grades.source_path is None


def test_values_json_cannot_hold_are_stored_as_text(gradebook: Gradebook, start_run, make_question):
    run_id = start_run()
    result = make_question("q1", details={"ratio": Fraction(1, 3)}, answer_read=[Fraction(1, 2)])
    gradebook.record_submissions(
        run_id, [SubmissionResult("s1", "written", "a.md", "h", (result,))]
    )
    [graded] = gradebook.latest_grades("s1")[0].questions
    assert graded.details == {"ratio": "1/3"}
    assert graded.answer_read == ["1/2"]


def test_questions_are_listed_in_question_order(gradebook: Gradebook, start_run, make_submission):
    run_id = start_run()
    written = make_submission("s1", question_ids=("q10", "q2", "q21", "q1"))
    notebooks = make_submission(
        "s1", part="notebooks", question_ids=("p2.vgg", "p1.scratch", "p1.augment")
    )
    gradebook.record_submissions(run_id, [notebooks, written])
    [grades] = gradebook.latest_grades("s1")
    assert [q.question_id for q in grades.questions] == [
        "q1",
        "q2",
        "q10",
        "q21",
        "p1.augment",
        "p1.scratch",
        "p2.vgg",
    ]


def test_questions_follow_the_rubric_catalogue_when_given(
    gradebook: Gradebook, start_run, make_submission
):
    from grader.rubric import load_rubric

    catalogue = load_rubric(Path(__file__).resolve().parents[2] / "rubrics/hw4.toml").catalogue
    run_id = start_run()
    written = make_submission("s1", question_ids=("q10", "q2"))
    notebooks = make_submission(
        "s1", part="notebooks", question_ids=("p2.residual", "p1.augment", "p1.scratch")
    )
    gradebook.record_submissions(run_id, [notebooks, written])
    [grades] = gradebook.latest_grades("s1", catalogue=catalogue)
    assert [q.question_id for q in grades.questions] == [
        "q2",
        "q10",
        "p1.scratch",
        "p1.augment",
        "p2.residual",
    ]


def test_recording_again_in_the_same_run_replaces_rows(
    gradebook: Gradebook, engine: Engine, start_run, make_submission
):
    run_id = start_run()
    gradebook.record_submissions(run_id, [make_submission("s1", points=0.0), make_submission("s2")])
    gradebook.record_submissions(
        run_id, [make_submission("s1", points=2.0, question_ids=("q1", "q2"), problems=("late",))]
    )
    assert _count(engine, QuestionResultRow) == 21 + 2
    [s1] = gradebook.latest_grades("s1")
    assert [q.question_id for q in s1.questions] == ["q1", "q2"]
    assert s1.total == 4.0
    assert s1.problems == ("late",)
    assert gradebook.latest_grades("s2")[0].total == 21.0  # untouched


def test_same_student_twice_in_one_batch_keeps_the_last(
    gradebook: Gradebook, start_run, make_submission
):
    run_id = start_run()
    gradebook.record_submissions(
        run_id, [make_submission("s1", points=0.0), make_submission("s1", points=1.5)]
    )
    [s1] = gradebook.latest_grades("s1")
    assert len(s1.questions) == 21
    assert s1.total == 21 * 1.5


def test_same_file_reuses_its_submission_row(
    gradebook: Gradebook, engine: Engine, start_run, make_submission
):
    gradebook.record_submissions(start_run(), [make_submission("s1", content_hash="a" * 64)])
    gradebook.record_submissions(start_run(), [make_submission("s1", content_hash="a" * 64)])
    assert _count(engine, SubmissionRow) == 1
    gradebook.record_submissions(start_run(), [make_submission("s1", content_hash="b" * 64)])
    assert _count(engine, SubmissionRow) == 2
    with engine.connect() as connection:
        linked = connection.execute(
            select(QuestionResultRow.run_id, QuestionResultRow.submission_id)
            .distinct()
            .order_by(QuestionResultRow.run_id)
        ).all()
    # Runs 1 and 2 point at the first file's row, run 3 at the second's.
    first, _, second = (submission_id for _, submission_id in linked)
    assert [submission_id for _, submission_id in linked] == [first, first, second]
    assert None not in (first, second) and first != second


def test_regrade_makes_a_new_run_and_the_latest_wins(
    gradebook: Gradebook, start_run, make_submission
):
    first = start_run(rubric_hash="v1")
    gradebook.record_submissions(first, [make_submission("s1", points=0.5), make_submission("s2")])
    gradebook.finish_run(first, {"graded": 2})
    second = start_run(rubric_hash="v2", only="s1")
    gradebook.record_submissions(second, [make_submission("s1", points=2.0)])
    gradebook.finish_run(second, {"graded": 1})

    s1, s2 = gradebook.latest_grades()
    assert (s1.run_id, s1.total) == (second, 42.0)
    assert (s2.run_id, s2.total) == (first, 21.0)  # not regraded: keeps its run

    runs = gradebook.runs()
    assert [run["id"] for run in runs] == [first, second]
    assert [run["rubric_hash"] for run in runs] == ["v1", "v2"]
    assert runs[1]["options"] == {"only": "s1"}
    assert runs[1]["counts"] == {"graded": 1}
    assert runs[1]["tool_version"] == "0.1.0"
    assert runs[1]["finished_at"] is not None
    started = datetime.fromisoformat(runs[1]["started_at"])
    assert started.tzinfo is not None and started.utcoffset().total_seconds() == 0


def test_parts_come_from_their_own_latest_run(gradebook: Gradebook, start_run, make_submission):
    notebook_ids = ("p1.scratch", "p2.vgg")
    written_run = start_run()
    gradebook.record_submissions(written_run, [make_submission("s1", problems=("scanned pages",))])
    notebook_run = start_run()
    gradebook.record_submissions(
        notebook_run,
        [make_submission("s1", part="notebooks", question_ids=notebook_ids, problems=("slow",))],
    )
    [grades] = gradebook.latest_grades("s1")
    assert grades.run_id == notebook_run
    assert [q.question_id for q in grades.questions][-3:] == ["q21", *notebook_ids]
    assert grades.source_path == "written/s1.md"  # the written file comes first
    assert grades.problems == ("scanned pages", "slow")

    regrade = start_run()
    gradebook.record_submissions(regrade, [make_submission("s1", points=2.0)])
    [grades] = gradebook.latest_grades("s1")
    assert grades.run_id == regrade
    assert len(grades.questions) == 23  # notebooks still there, from their own run
    assert grades.total == 21 * 2.0 + 2 * 1.0


def test_unknown_student_has_no_grades(gradebook: Gradebook, start_run, make_submission):
    assert gradebook.latest_grades() == []
    gradebook.record_submissions(start_run(), [make_submission("s1")])
    assert gradebook.latest_grades("nobody") == []


def test_each_graded_submission_is_audited(engine: Engine, start_run, make_submission):
    moment = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    gradebook = Gradebook(engine, clock=lambda: moment)
    run_id = start_run()
    gradebook.record_submissions(run_id, [make_submission("s1"), make_submission("s2", points=2)])
    entries = gradebook.audit_entries()
    assert [(e["action"], e["student_id"], e["actor"]) for e in entries] == [
        ("graded", "s1", "grader"),
        ("graded", "s2", "grader"),
    ]
    assert entries[1]["after"] == {"run_id": run_id, "part": "written", "total": 42.0, "max": 42.0}
    assert entries[1]["before"] is None
    assert entries[0]["at"] == "2025-03-01T12:00:00+00:00"
    assert [e["student_id"] for e in gradebook.audit_entries("s2")] == ["s2"]


def test_recording_into_an_unknown_run_is_refused(gradebook: Gradebook, make_submission):
    with pytest.raises(GradebookError, match="no grading run 42"):
        gradebook.record_submissions(42, [make_submission("s1")])
    with pytest.raises(GradebookError, match="no grading run 42"):
        gradebook.finish_run(42, {})
    assert gradebook.latest_grades() == []


def test_unknown_part_is_refused_and_nothing_is_written(
    gradebook: Gradebook, start_run, make_submission
):
    run_id = start_run()
    with pytest.raises(GradebookError, match="'notebook'"):
        gradebook.record_submissions(
            run_id, [make_submission("s1"), make_submission("s2", part="notebook")]
        )
    assert gradebook.latest_grades() == []
    assert gradebook.audit_entries() == []


def test_empty_batch_writes_nothing(gradebook: Gradebook, start_run):
    gradebook.record_submissions(start_run(), [])
    assert gradebook.latest_grades() == []
    assert gradebook.audit_entries() == []
