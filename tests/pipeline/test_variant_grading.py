"""Grading with per-student variants: a student with `<variants>/<id>.toml` is graded with their own
key, everyone else with the canonical one; a broken variant file is that student's error only."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.kinds import concept as concept_kind
from grader.pipeline import GradeOptions, grade_submissions
from grader.reference import compute_key, load_parameters
from grader.reference.answer_key import to_jsonable
from grader.results import Status
from grader.scoring.answer_grader import AnswerGrader
from grader.storage import Gradebook, open_gradebook
from grader.templates.parameters_toml import write_parameters_toml
from grader.templates.variants import variant_parameters
from tests.fixtures.written_answers import marked_answers

EXACT = {"q1": 3, "q2": 3, "q3": 4, "q7": 2, "q8": 2, "q11": 3}
ARRAY_QUESTIONS = ("q1", "q2", "q3", "q11")


def grid_block(matrix) -> str:
    return "\n".join("    " + " ".join(str(v) for v in row) for row in matrix)


def written_answers(keys) -> str:
    """A Markdown written part holding the accepted (first-convention) answers of `keys`;
    every other question is marked and left empty."""
    answers = {}
    for number, qid in ((1, "q1"), (2, "q2"), (3, "q3")):
        answers[number] = f"The output:\n\n{grid_block(to_jsonable(keys[qid].accepted[0].value))}"
    for number, qid in ((7, "q7"), (8, "q8")):
        h, w, d = to_jsonable(keys[qid].accepted[0].value)
        answers[number] = f"{h} × {w} × {d} without padding."
    pooled = to_jsonable(keys["q11"].accepted[0].value)
    channels = "\n\n".join(
        f"{name}:\n\n{grid_block(channel)}"
        for name, channel in zip(keys["q11"].channel_names, pooled, strict=True)
    )
    answers[11] = f"Max pooling each channel:\n\n{channels}"
    return marked_answers(answers)


@pytest.fixture(scope="module")
def canonical():
    return load_parameters(Path("reference/hw4/parameters.toml"))


@pytest.fixture
def course(tmp_path, canonical):
    """alice answers with her variant, bob (no variant file) with the canonical key,
    carol's variant file is broken."""
    submissions, variants = tmp_path / "submissions", tmp_path / "variants"
    alice = variant_parameters(
        canonical, "alice", template_id="hw4", image_values=(0, 4), filter_values=(-1, 2)
    )
    write_parameters_toml(alice, variants / "alice.toml", student_id="alice", template_id="hw4")
    (variants / "carol.toml").write_text("[image]\nvalues = 'not an array'\n", encoding="utf-8")
    texts = {
        "alice": written_answers(compute_key(alice)),
        "bob": written_answers(compute_key(canonical)),
        "carol": written_answers(compute_key(canonical)),
    }
    for student_id, text in texts.items():
        (submissions / student_id).mkdir(parents=True)
        (submissions / student_id / "written.md").write_text(text, encoding="utf-8")
    return submissions, variants


def grade(rubric, submissions, variants_dir):
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    summary = grade_submissions(
        submissions,
        rubric=rubric,
        gradebook=gradebook,
        reports_dir=None,
        options=GradeOptions(only="written", variants_dir=variants_dir),
    )
    grades = {
        g.student_id: {q.question_id: q for q in g.questions} for g in gradebook.latest_grades()
    }
    return summary, grades


def test_each_student_is_graded_with_their_own_key(rubric, course):
    submissions, variants = course
    summary, grades = grade(rubric, submissions, variants)
    for qid, points in EXACT.items():
        assert grades["alice"][qid].points == points, (qid, grades["alice"][qid].feedback)
        assert grades["alice"][qid].details["variant"] is True
        assert grades["bob"][qid].points == points, qid
        assert "variant" not in grades["bob"][qid].details
    expected_q1 = to_jsonable(
        compute_key(load_parameters(variants / "alice.toml"))["q1"].accepted[0].value
    )
    assert grades["alice"]["q1"].expected == expected_q1
    assert summary.points["alice"] == summary.points["bob"] == sum(EXACT.values())


def test_a_variant_answer_is_wrong_against_the_canonical_key(rubric, course):
    submissions, _ = course
    _, grades = grade(rubric, submissions, None)
    for qid in ARRAY_QUESTIONS:
        assert grades["alice"][qid].points < EXACT[qid], qid
        assert "variant" not in grades["alice"][qid].details
    assert grades["alice"]["q7"].points == EXACT["q7"]  # shapes do not depend on I and F
    assert all(grades["bob"][qid].points == points for qid, points in EXACT.items())


def test_a_broken_variant_file_is_recorded_for_that_student_only(rubric, course):
    submissions, variants = course
    summary, grades = grade(rubric, submissions, variants)
    carol = grades["carol"]
    assert {r.status for r in carol.values()} == {Status.ERROR}
    assert "carol: variant parameters unusable:" in carol["q1"].feedback
    assert str(variants / "carol.toml") in carol["q1"].feedback
    assert summary.needs_attention["carol"] and "alice" not in summary.needs_attention


def test_a_missing_variants_folder_is_a_usage_error(rubric, course, tmp_path):
    submissions, _ = course
    from grader.errors import GraderError

    with pytest.raises(GraderError, match="no such variants folder"):
        grade(rubric, submissions, tmp_path / "nowhere")


def test_with_keys_shares_the_compiled_keyword_patterns(rubric, canonical, monkeypatch):
    grader = AnswerGrader(rubric)
    variant_keys = compute_key(
        variant_parameters(
            canonical, "dave", template_id="hw4", image_values=(0, 4), filter_values=(-1, 2)
        )
    )

    def must_not_compile(*args, **kwargs):
        raise AssertionError("with_keys recompiled the concept keyword patterns")

    monkeypatch.setattr(concept_kind, "compile_key_points", must_not_compile)
    student = grader.with_keys(variant_keys)
    assert student._compiled is grader._compiled and student.rubric is grader.rubric
    assert student.keys["q1"] == variant_keys["q1"] != grader.keys["q1"]
    assert student.uses_variant and not grader.uses_variant
    missing = student.missing_result("q1")
    assert missing.details == {"variant": True}
    assert missing.expected == to_jsonable(variant_keys["q1"].accepted[0].value)
    assert student.missing_result("q4").details == {}


def test_cli_grade_with_variants(course, tmp_path):
    submissions, variants = course
    (variants / "carol.toml").unlink()  # carol is graded canonically now
    db = tmp_path / "grades.sqlite"
    runner = CliRunner()
    args = [
        "grade",
        str(submissions),
        "--rubric",
        "rubrics/hw4.toml",
        "--only",
        "written",
        "--db",
        str(db),
        "--no-reports",
    ]
    result = runner.invoke(app, [*args, "--variants", str(variants)])
    assert result.exit_code == 0, result.output
    grades = {g.student_id: g for g in Gradebook(open_gradebook(db)).latest_grades()}
    assert grades["alice"].total == grades["bob"].total == grades["carol"].total == 17

    missing = runner.invoke(app, [*args, "--variants", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert "nowhere: no such folder (fix: pass the grader/variants folder" in missing.output

    help_text = runner.invoke(app, ["grade", "--help"], env={"COLUMNS": "300"}).output
    assert "folder of per-student parameters written by `grader assign --variants`" in help_text
