"""Gradebook exports: exact JSON structure and exact CSV rows."""

from __future__ import annotations

import csv
import io
import json

import pytest

from grader.exports.common import csv_safe_text
from grader.exports.csv_format import export_csv
from grader.exports.json_format import export_json
from grader.results import ReviewReason, Status
from tests.feedback.conftest import make_catalogue

# q2 before q10: rubric order, which here is also numeric order.
Q2_Q10 = make_catalogue(
    ("q2", "Convolve with padding.", "matrix", True),
    ("q10", "Early and deep layers.", "concept", False),
)


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
    exported = json.loads(export_json(two_students, Q2_Q10))
    assert exported == {
        "students": [
            {
                "student": "s2",
                "total": 3.5,
                "submitted": True,
                "max_total": 5,
                "awaiting_a_person": 1,
                "questions": [
                    {
                        "id": "q2",
                        "title": "Convolve with padding.",
                        "points": 0.5,
                        "max_points": 2,
                        "status": "needs_review",
                        "convention": None,
                        "feedback": "Read two ways.",
                        "overridden": False,
                    },
                    {
                        "id": "q10",
                        "title": "Early and deep layers.",
                        "points": 3,
                        "max_points": 3,
                        "status": "graded",
                        "convention": None,
                        "feedback": "A person graded this answer: 3 of 3 points.",
                        "overridden": True,
                        "decision": {
                            "points": 3,
                            "suggested_points": 2,
                            "reason": "",
                            "comment": "",
                            "by": "",
                            "key_points": [],
                        },
                    },
                ],
            },
            {
                "student": "s10",
                "total": 3,
                "submitted": True,
                "max_total": 5,
                "awaiting_a_person": 0,
                "questions": [
                    {
                        "id": "q2",
                        "title": "Convolve with padding.",
                        "points": 2,
                        "max_points": 2,
                        "status": "graded",
                        "convention": "padding=1",
                        "feedback": "Correct.",
                        "overridden": False,
                    },
                    {
                        "id": "q10",
                        "title": "Early and deep layers.",
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
    text = export_json(two_students, Q2_Q10)
    assert '"points": 0.5' in text and '"max_total": 5,' in text
    assert (
        export_json(list(reversed(two_students)), Q2_Q10) == text
    )  # stable whatever the input order


def test_export_json_refuses_nan(graded, make_student):
    with pytest.raises(ValueError):
        export_json([make_student("s1", (graded("q1", points=float("nan")),))], Q2_Q10)


def test_export_json_empty():
    assert json.loads(export_json([], Q2_Q10)) == {"students": []}


def test_export_csv_exact(two_students, graded, make_student):
    students = [*two_students, make_student("s3", (graded("q10", points=1.25, max_points=3),))]
    text = export_csv(students, Q2_Q10)
    assert text.splitlines() == [
        "student,q2,q2 status,q10,q10 status,total,max_total",
        "s2,0.5,needs_review,3,graded,3.5,5",
        # s3 has no q2: an empty cell that says missing, and the same max_total as everyone
        "s3,,missing,1.25,graded,1.25,5",
        "s10,2,graded,1,graded,3,5",
    ]
    assert text.endswith("\n") and "\r" not in text


Q1 = make_catalogue(("q1", "Convolve.", "matrix", True))


def test_export_csv_guards_formula_injection(graded, make_student):
    ids = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1", "ok, with comma"]
    text = export_csv([make_student(i, (graded("q1"),)) for i in ids], Q1)
    students = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(students) == sorted(
        ['\'=HYPERLINK("http://x","y")', "'+1", "'-2", "'@SUM(A1)", "'\t=1", "ok, with comma"]
    )
    assert '"ok, with comma",2,graded,2,2' in text


def test_csv_safe_text_leaves_plain_ids():
    assert csv_safe_text("s1") == "s1"
    assert csv_safe_text("a=b") == "a=b"
    assert csv_safe_text("=1") == "'=1"


def test_export_csv_negative_points_stay_numbers(graded, make_student):
    text = export_csv([make_student("s1", (graded("q1", points=-1),))], Q1)
    assert text.splitlines()[1] == "s1,-1,graded,-1,2"


def test_model_questions_carry_accuracy_and_flags(graded, make_student):
    grades = make_student(
        "s1",
        (
            graded("q1", 3, 3),
            graded(
                "p1.scratch", 4.5, 6, details={"accuracy": 0.81, "flags": ["reported_accuracy_gap"]}
            ),
            graded("p2.baseline", 0, 5, status=Status.MISSING),
        ),
    )
    catalogue = make_catalogue(
        ("q1", "Convolve.", "matrix", True),
        ("p1.scratch", "A CNN from scratch.", "accuracy", False),
        ("p2.baseline", "A CIFAR-10 baseline.", "accuracy", False),
    )
    exported = json.loads(export_json([grades], catalogue))["students"][0]["questions"]
    questions = {q["id"]: q for q in exported}
    assert "accuracy" not in questions["q1"]
    assert questions["p1.scratch"]["accuracy"] == 0.81
    assert questions["p1.scratch"]["flags"] == ["reported_accuracy_gap"]
    assert questions["p2.baseline"]["accuracy"] is None and questions["p2.baseline"]["flags"] == []
