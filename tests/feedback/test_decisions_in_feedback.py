"""After a person decides, every report and export says the decision, not the grader's suggestion
(issue #21); and report text a student reads is said once, in words."""

from __future__ import annotations

import json

from grader.exports.gradescope import gradescope_results
from grader.exports.json_format import export_json
from grader.feedback import report_file_stems
from grader.feedback.student import render_student_html, render_student_markdown
from grader.results import GradedQuestion, Override, QuestionResult, ReviewReason, Status
from tests.feedback.conftest import make_catalogue
from tests.feedback.test_feedback_student import section

CATALOGUE = make_catalogue(
    ("q1", "Convolve.", "matrix", True),
    ("q12", "Explain pooling.", "concept", False),
    ("q13", "Explain stride.", "concept", False),
)

EVIDENCE = [
    {
        "key_point": "Pooling summarises a neighbourhood.",
        "covered": True,
        "keywords": ["neighbourhood"],
        "sentence": "It takes the max of a neighbourhood.",
    },
    {"key_point": "It gives small translation invariance.", "covered": False},
    {"key_point": "It reduces resolution.", "covered": True, "sentence": "Halves the size."},
]


def concept(question_id: str, override: Override | None) -> GradedQuestion:
    return GradedQuestion(
        QuestionResult(
            question_id,
            2,
            3,
            Status.NEEDS_REVIEW,
            answer_text="It takes the max of a neighbourhood. Halves the size.",
            feedback="Suggested 2/3: one key point not found. A person will confirm this score.",
            review_reason=ReviewReason.CONCEPT,
            details={"evidence": EVIDENCE},
        ),
        override,
    )


def carol(make_student):
    ticked = Override(
        points=3,
        reason="confirmed in review",
        actor="anna",
        key_points=(True, True, False),
        comment="Translation invariance is there in your second sentence.",
    )
    unticked = Override(points=1, reason="partly", actor="ben")
    exact = GradedQuestion(
        QuestionResult(
            "q1",
            1,
            3,
            Status.GRADED,
            answer_text="1 2\n3 4",
            answer_read=[[1, 2], [3, 4]],
            diagnosis="filter not flipped",
            feedback="Looks like correlation.",
            expected=[[4, 3], [2, 1]],
            details={"differing_entries": [{"index": [0, 0], "expected": "4", "got": "1"}]},
        ),
        Override(points=3, reason="the course accepts correlation", actor="anna"),
    )
    return make_student(
        "carol", (exact, concept("q12", ticked), concept("q13", unticked)), problems=()
    )


def test_a_decided_concept_answer_shows_the_decision_and_ticked_key_points(make_student):
    markdown = render_student_markdown(carol(make_student), CATALOGUE)
    q12 = section(markdown, "q12")
    assert (
        "A person graded this answer: 3 of 3 points (confirmed in review). Key points covered: "
        "Pooling summarises a neighbourhood; It gives small translation invariance. "
        "Key points missing: It reduces resolution. Comment: Translation invariance is there "
        "in your second sentence."
    ) in q12
    assert "Suggested" not in q12 and "A person will confirm" not in q12
    assert "- [x] covered: It gives small translation invariance." in q12
    # the person did not count it: the grader's sentence no longer stands as evidence for it
    assert (
        "- [ ] not found: It reduces resolution." in q12
        and "Halves the size" not in q12.split("Key points:")[1]
    )
    assert "The grader had suggested 2 points." in q12


def test_a_decision_without_ticks_leaves_key_points_unmarked(make_student):
    q13 = section(render_student_markdown(carol(make_student), CATALOGUE), "q13")
    assert "A person graded this answer: 1 of 3 points (partly)." in q13
    assert "- key point: It gives small translation invariance." in q13
    assert "not found" not in q13 and "[x]" not in q13
    page = render_student_html(carol(make_student), CATALOGUE)
    assert '<li class="unmarked">key point: It reduces resolution.' in page


def test_full_points_by_a_person_drop_the_graders_mistake_marks(make_student):
    q1 = section(render_student_markdown(carol(make_student), CATALOGUE), "q1")
    assert "A person graded this answer: 3 of 3 points (the course accepts correlation)." in q1
    assert "likely mistake" not in q1 and "differ" not in q1 and "Looks like correlation" not in q1


def test_exports_carry_the_decision(make_student):
    grades = [carol(make_student)]
    record = json.loads(export_json(grades, CATALOGUE))["students"][0]["questions"][1]
    assert record["feedback"].startswith("A person graded this answer: 3 of 3 points")
    assert record["decision"] == {
        "points": 3,
        "suggested_points": 2,
        "reason": "confirmed in review",
        "comment": "Translation invariance is there in your second sentence.",
        "by": "anna",
        "key_points": [
            {"key_point": "Pooling summarises a neighbourhood.", "covered": True},
            {"key_point": "It gives small translation invariance.", "covered": True},
            {"key_point": "It reduces resolution.", "covered": False},
        ],
    }
    tests = json.loads(gradescope_results(grades, CATALOGUE)["carol"])["tests"]
    assert tests[1]["output"].startswith("A person graded this answer: 3 of 3 points")
    assert "Suggested" not in json.dumps(tests)


def test_a_problem_is_said_once_and_missing_once(make_student):
    scan = "submissions/frank/scan.pdf: PDF has no text layer (looks scanned) (fix: grade by hand)"
    scanned = [
        GradedQuestion(
            QuestionResult(
                qid,
                0,
                3,
                Status.NEEDS_REVIEW,
                feedback=scan,
                review_reason=ReviewReason.NO_TEXT_LAYER,
            )
        )
        for qid in ("q1", "q12")
    ]
    missing = QuestionResult(
        "q13", 0, 3, Status.MISSING, feedback="No answer found for this question."
    )
    questions = (*scanned, GradedQuestion(missing))
    markdown = render_student_markdown(
        make_student("frank", questions, problems=(scan,)), CATALOGUE
    )
    assert markdown.count("PDF has no text layer") == 1
    assert markdown.count("No answer") == 1


def test_backticks_become_code_in_html(make_student):
    hint = "answers are not marked (fix: mark each answer, e.g. `Q7.` or `7.`)"
    grace = make_student(
        "grace", (GradedQuestion(QuestionResult("q1", 0, 3, Status.MISSING, feedback=hint)),)
    )
    page = render_student_html(grace, CATALOGUE)
    assert "e.g. <code>Q7.</code> or <code>7.</code>)" in page and "`" not in page


def test_an_accented_name_keeps_its_letters_in_the_file_name():
    stem = report_file_stems(["José García"])["José García"]
    assert stem.startswith("Jose_Garcia-") and len(stem) == len("Jose_Garcia-") + 10
