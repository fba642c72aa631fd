"""Gradebook exports: exact JSON structure and exact CSV rows."""

from __future__ import annotations

import csv
import io
import json

import pytest

from grader.feedback import csv_safe_text, export_csv, export_json
from grader.results import ReviewReason, Status


@pytest.fixture
def two_students(graded, make_student):
    return [
        make_student(
            "s10",
            (
                graded("q10", points=1, max_points=3, feedback="Two key points missing."),
                graded("q2", points=2, convention="padding=1", feedback="Correct."),
            ),
        ),
        make_student(
            "s2",
            (
                graded(
                    "q2",
                    points=0.5,
                    status=Status.NEEDS_REVIEW,
                    review_reason=ReviewReason.AMBIGUOUS,
                    feedback="Read two ways.",
                ),
                graded("q10", points=3, max_points=3, overridden=True, suggested_points=2),
            ),
        ),
    ]


def test_export_json_exact_structure(two_students):
    exported = json.loads(export_json(two_students))
    assert exported == {
        "students": [
            {
                "student": "s2",
                "total": 3.5,
                "max_total": 5,
                "questions": [
                    {
                        "id": "q2",
                        "points": 0.5,
                        "max_points": 2,
                        "status": "needs_review",
                        "convention": None,
                        "feedback": "Read two ways.",
                        "overridden": False,
                    },
                    {
                        "id": "q10",
                        "points": 3,
                        "max_points": 3,
                        "status": "graded",
                        "convention": None,
                        "feedback": "",
                        "overridden": True,
                    },
                ],
            },
            {
                "student": "s10",
                "total": 3,
                "max_total": 5,
                "questions": [
                    {
                        "id": "q2",
                        "points": 2,
                        "max_points": 2,
                        "status": "graded",
                        "convention": "padding=1",
                        "feedback": "Correct.",
                        "overridden": False,
                    },
                    {
                        "id": "q10",
                        "points": 1,
                        "max_points": 3,
                        "status": "graded",
                        "convention": None,
                        "feedback": "Two key points missing.",
                        "overridden": False,
                    },
                ],
            },
        ]
    }


def test_export_json_numbers_are_json_numbers(two_students):
    text = export_json(two_students)
    assert '"points": 0.5' in text and '"max_total": 5,' in text
    assert export_json(list(reversed(two_students))) == text  # stable whatever the input order


def test_export_json_refuses_nan(graded, make_student):
    with pytest.raises(ValueError):
        export_json([make_student("s1", (graded("q1", points=float("nan")),))])


def test_export_json_empty():
    assert json.loads(export_json([])) == {"students": []}


def test_export_csv_exact(two_students, graded, make_student):
    students = [*two_students, make_student("s3", (graded("q10", points=1.25, max_points=3),))]
    text = export_csv(students, ["q2", "q10"])
    assert text.splitlines() == [
        "student,q2,q10,total,max_total",
        "s2,0.5,3,3.5,5",
        "s3,,1.25,1.25,3",
        "s10,2,1,3,5",
    ]
    assert text.endswith("\n") and "\r" not in text


def test_export_csv_guards_formula_injection(graded, make_student):
    ids = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1", "ok, with comma"]
    text = export_csv([make_student(i, (graded("q1"),)) for i in ids], ["q1"])
    students = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(students) == sorted(
        ['\'=HYPERLINK("http://x","y")', "'+1", "'-2", "'@SUM(A1)", "'\t=1", "ok, with comma"]
    )
    assert '"ok, with comma",2,2,2' in text


def test_csv_safe_text_leaves_plain_ids():
    assert csv_safe_text("s1") == "s1"
    assert csv_safe_text("a=b") == "a=b"
    assert csv_safe_text("=1") == "'=1"


def test_export_csv_negative_points_stay_numbers(graded, make_student):
    text = export_csv([make_student("s1", (graded("q1", points=-1),))], ["q1"])
    assert text.splitlines()[1] == "s1,-1,-1,2"


def test_model_questions_carry_accuracy_and_flags():
    from grader.feedback import export_json
    from grader.results import GradedQuestion, Status, StudentGrades

    grades = StudentGrades(
        student_id="s1", run_id=1, source_path=None, problems=(),
        questions=(
            GradedQuestion("q1", 3, 3, Status.GRADED),
            GradedQuestion("p1.scratch", 4.5, 6, Status.GRADED, details={"accuracy": 0.81, "flags": ["reported_accuracy_gap"]}),
            GradedQuestion("p2.baseline", 0, 5, Status.MISSING),
        ),
    )  # fmt: skip
    questions = {q["id"]: q for q in json.loads(export_json([grades]))["students"][0]["questions"]}
    assert "accuracy" not in questions["q1"]
    assert questions["p1.scratch"]["accuracy"] == 0.81
    assert questions["p1.scratch"]["flags"] == ["reported_accuracy_gap"]
    assert questions["p2.baseline"]["accuracy"] is None and questions["p2.baseline"]["flags"] == []
