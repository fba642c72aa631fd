"""LMS exports against fixture files in each platform's documented import format:
Canvas gradebook CSV, Moodle grade import CSV, Gradescope results.json; roster names,
unicode, commas and formula-looking names included."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.exports.canvas import export_canvas
from grader.exports.common import MoodleIdentifier, pending_students
from grader.exports.gradescope import gradescope_results
from grader.exports.moodle import export_moodle, moodle_unidentified
from grader.results import Part, ReviewReason, Status
from grader.roster import RosterError, load_roster
from grader.rubric import CatalogueQuestion, QuestionCatalogue
from grader.service.records import missing_grades

FIXTURES = Path(__file__).parent / "lms"
CATALOGUE = QuestionCatalogue(
    [
        CatalogueQuestion("q2", "Convolve with padding.", "matrix", Part.WRITTEN, 2, 0, True),
        CatalogueQuestion("q10", "Early and deep layers.", "concept", Part.WRITTEN, 3, 1, False, visibility="hidden"),
    ]
)  # fmt: skip


@pytest.fixture
def roster():
    return load_roster(FIXTURES / "roster.csv")


@pytest.fixture
def students(graded, make_student):
    return [
        make_student(
            "s10",
            (
                graded("q10", points=1, max_points=3, feedback="Two key points missing."),
                graded("q2", points=2, feedback="Correct."),
            ),
        ),
        make_student(
            "s2",
            (
                graded(
                    "q2", points=0.5, status=Status.NEEDS_REVIEW,
                    review_reason=ReviewReason.AMBIGUOUS, feedback="Read two ways.",
                ),
                graded("q10", points=3, max_points=3, overridden=True, suggested_points=2),
            ),
        ),
        missing_grades("s7", CATALOGUE),
    ]  # fmt: skip


def test_canvas_import_file(students, roster):
    text = export_canvas(
        students, CATALOGUE, roster=roster, assignment_title="HW4", assignment_id="4242"
    )
    assert text == (FIXTURES / "canvas_import.csv").read_text(encoding="utf-8")


def test_canvas_per_question_columns(students, roster):
    text = export_canvas(
        students, CATALOGUE, roster=roster, assignment_title="HW4", per_question=True
    )
    assert text == (FIXTURES / "canvas_per_question.csv").read_text(encoding="utf-8")


def test_canvas_warns_about_scores_awaiting_a_person(students):
    assert pending_students(students) == ["s2"]


def test_moodle_import_file(students, roster):
    text = export_moodle(students, CATALOGUE, roster=roster, identifier=MoodleIdentifier.email)
    assert text == (FIXTURES / "moodle_import.csv").read_text(encoding="utf-8")
    assert moodle_unidentified(students, roster, MoodleIdentifier.email) == ["s7"]


def test_moodle_by_id_number(students, roster):
    text = export_moodle(students, CATALOGUE, roster=roster, identifier=MoodleIdentifier.idnumber)
    assert text.splitlines()[:2] == [
        "ID number,Grade,Feedback",
        "SIS-2,3.5,3.5 / 5; 1 answer still being reviewed; the grade may change. "
        "See your feedback report for each question.",
    ]
    assert text.splitlines()[3] == "SIS-7,,no submission"  # blank: no submission, not a 0


def test_gradescope_results_follow_the_autograder_schema(students):
    files = gradescope_results(students, CATALOGUE)
    assert set(files) == {"s2", "s10"}  # s7 submitted nothing: no results, not a real 0
    s2 = json.loads(files["s2"])
    assert s2["score"] == 3.5 and s2["visibility"] == "visible"
    assert s2["output"] == "1 answer(s) await a person; the score may change."
    assert s2["tests"] == [
        {
            "name": "q2: Convolve with padding.",
            "number": "1",
            "score": 0.5,
            "max_score": 2,
            "visibility": "visible",
            "output": "[needs_review] Read two ways.",
        },
        {
            "name": "q10: Early and deep layers.",
            "number": "2",
            "score": 3,
            "max_score": 3,
            "visibility": "hidden",  # the rubric hides this check
            "output": "A person graded this answer: 3 of 3 points.",
        },
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,email\nA,a@x\n", "line 1: no student id column in the header (name, email)"),
        (
            "student_id,name\ns1,A\ns1,B\n",
            "line 3: student id 's1' is listed again (first on line 2)",
        ),
        ("student_id,name\n,A\n", "line 2: no student id on this line"),
        ("", "roster is empty"),
    ],
)
def test_a_bad_roster_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RosterError, match=re.escape(message)) as caught:
        load_roster(path)
    assert str(path) in caught.value.one_line() and "fix:" in caught.value.one_line()
