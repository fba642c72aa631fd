"""The use cases the CLI and the web review service share, called from Python without typer."""

import shutil
from pathlib import Path

import pytest

from grader import service
from grader.errors import GradebookError, GraderError
from grader.pipeline import GradeOptions
from grader.results import ReviewReason, Status
from tests.fixtures.written_answers import marked_answers

ALICE = Path("submissions/alice")


@pytest.fixture
def graded(tmp_path):
    """alice (every concept answer awaiting confirmation) and ann (q1 unreadable), written part."""
    subs = tmp_path / "subs"
    shutil.copytree(ALICE, subs / "alice")
    (subs / "ann").mkdir()
    (subs / "ann" / "written.md").write_text(marked_answers({1: "45 45", 7: "126x126x16"}))
    request = service.GradeRequest(
        submissions=subs,
        rubric=Path("rubrics/hw4.toml"),
        db=tmp_path / "g.sqlite",
        reports=tmp_path / "reports",
        options=GradeOptions(only="written"),
    )
    return request, service.grade(request)


def test_grade_reads_back_what_the_gradebook_holds(graded):
    request, outcome = graded
    assert outcome.run_id == 1
    by_id = {s.student_id: s for s in outcome.students}
    assert (by_id["alice"].points, by_id["alice"].max_points) == (63, 63)
    assert by_id["alice"].attention == () and by_id["alice"].awaiting_confirmation == 15
    assert by_id["ann"].attention == ("q1: needs_review (unreadable)",)
    assert outcome.awaiting_confirmation == 15 and outcome.needs_attention
    assert outcome.reports_index == request.reports / "index.html"


def test_review_queue_lists_attention_and_confirmations_with_suggested_points(graded):
    request, _ = graded
    queue = service.review_queue(request.db, rubric=request.rubric)
    assert len(queue) == 16
    first = queue[0]
    assert (first.student_id, first.question_id, first.kind) == ("alice", "q4", "confirm")
    assert (first.status, first.review_reason) == (Status.NEEDS_REVIEW, ReviewReason.CONCEPT)
    ann = [item for item in queue if item.student_id == "ann"]
    assert [(i.question_id, i.kind, i.suggested_points) for i in ann] == [("q1", "attention", 0)]
    assert service.review_queue(request.db, rubric=request.rubric, student="ann") == ann


def test_override_then_report_and_export_agree(graded):
    request, _ = graded
    done = service.set_override(request.db, "alice", "q19", 3, reason="implied", actor="ta1")
    assert (done.points, done.actor) == (3, "ta1")
    exported = service.export_grades(request.db, rubric=request.rubric, format="csv")
    alice_row = next(line for line in exported.text.splitlines() if line.startswith("alice,"))
    # 63 points, out of the rubric's 100 (the notebook part was not graded: missing)
    assert alice_row.endswith(",63,100") and exported.students == 2
    report = service.student_report(
        request.db, "alice", rubric=request.rubric, format=service.ReportFormat.md
    )
    assert "implied" in report.text and report.notes == ()
    with pytest.raises(GraderError, match="--reason must not be empty"):
        service.set_override(request.db, "alice", "q19", 3, reason=" ", actor="ta1")


def test_answer_key_lists_accepted_answers_of_exact_questions():
    key = service.answer_key(Path("rubrics/hw4.toml"))
    assert list(key.questions) == ["q1", "q2", "q3", "q7", "q8", "q11"]
    assert key.as_json()["q1"] == {
        "accepted": [{"convention": "no padding", "value": [[45, 45], [54, 54]]}],
        "mistakes": [
            "padding 1 used instead",
            "only the R channel used (image treated as a 2-D matrix)",
            "only the G channel used (image treated as a 2-D matrix)",
            "only the B channel used (image treated as a 2-D matrix)",
            "channels not summed (one output per channel)",
        ],
    }
    assert key.parameters_path.name == "parameters.toml"


def test_resume_command_repeats_what_the_run_was_started_with():
    run = {
        "id": 4,
        "rubric_path": "other/rubric.toml",
        "options": {
            "submissions": "my subs",
            "only": "notebooks",
            "student": "bob",
            "notebooks": {"data_root": "/data/root"},
            "variants_dir": None,
        },
    }
    assert service.resume_command(run, db=Path("grades.sqlite")) == (
        "grader grade 'my subs' --resume 4 --rubric other/rubric.toml --only notebooks "
        "--student bob --data /data/root"
    )
    assert service.resume_command({**run, "options": {}}, db=Path("grades.sqlite")) is None
    # a run sent to a cluster resumes on that cluster (issue #21), not on this machine
    clustered = {
        **run,
        "options": {
            **run["options"],
            "notebooks": {
                "data_root": "/data/root",
                "scheduler": "tls://sched:8786",
                "scheduler_tls": "tls.toml",
                "kernel_env": "/opt/env",
                "kernel_env_given": True,
                "gpu": True,
            },
        },
    }
    assert service.resume_command(clustered, db=Path("grades.sqlite")) == (
        "grader grade 'my subs' --resume 4 --rubric other/rubric.toml --only notebooks "
        "--student bob --data /data/root --scheduler tls://sched:8786 --scheduler-tls tls.toml "
        "--kernel-env /opt/env --gpu"
    )


def test_gradebook_use_cases_never_create_a_gradebook(tmp_path):
    missing = tmp_path / "none.sqlite"
    for call in (
        lambda: service.list_runs(missing),
        lambda: service.review_queue(missing, rubric=Path("rubrics/hw4.toml")),
        lambda: service.set_override(missing, "a", "q1", 1, reason="r", actor="me"),
    ):
        with pytest.raises(GradebookError, match="no gradebook here"):
            call()
    assert not missing.exists()
