"""The sample students in the newer formats grade to exact results: Word (heidi), notebook (ivan), pdflatex (judy).

Only these three are graded (copied to a temporary folder), written part only.
Their deliberate mistakes are listed in tests/fixtures/format_samples.py.
"""

import shutil
from pathlib import Path

import pytest

from grader.pipeline import GradeOptions, grade_submissions
from grader.pipeline.submissions import choose_written_file
from grader.results import ReviewReason, Status
from grader.storage import Gradebook, open_gradebook

STUDENTS = ("heidi", "ivan", "judy")
CONCEPTS = ("q4", "q5", "q6", "q9", "q10", *(f"q{n}" for n in range(12, 22)))
FULL_CONCEPTS = {qid: (4.0 if qid == "q21" else 3.0) for qid in CONCEPTS}
EXACT = {
    "heidi": {"q1": 3, "q2": 3, "q3": 4, "q7": 2, "q8": 1, "q11": 3},  # q8 not floored
    "ivan": {"q1": 3, "q2": 3, "q3": 0.8, "q7": 2, "q8": 2, "q11": 3},  # q3 dilation ignored
    "judy": {"q1": 3, "q2": 0.6, "q3": 4, "q7": 2, "q8": 2, "q11": 3},  # q2 padding forgotten
}
SHORT_CONCEPT = {
    "heidi": ("q6", 1.0),
    "ivan": ("q19", 2.0),
    "judy": ("q15", 1.0),
}  # one sentence only
TOTALS = {"heidi": 60.0, "ivan": 58.8, "judy": 58.6}
DIAGNOSES = {
    ("heidi", "q8"): "output size not floored (not an integer)",
    ("ivan", "q3"): "dilation ignored",
    ("judy", "q2"): "padding forgotten",
}


@pytest.fixture(scope="module")
def graded(rubric, tmp_path_factory):
    root = tmp_path_factory.mktemp("subs")
    for student in STUDENTS:
        shutil.copytree(Path("submissions") / student, root / student)
    for notebook in rubric.notebook_files:  # ivan hands in the programming part too
        shutil.copy(Path("submissions/alice") / notebook, root / "ivan" / notebook)
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    summary = grade_submissions(
        root,
        rubric=rubric,
        gradebook=gradebook,
        reports_dir=tmp_path_factory.mktemp("reports"),
        options=GradeOptions(only="written"),
    )
    grades = {g.student_id: g for g in gradebook.latest_grades()}
    return root, summary, grades


def questions(grades, student):
    return {q.question_id: q for q in grades[student].questions}


@pytest.mark.parametrize("student", STUDENTS)
def test_every_question_points_and_status(graded, student):
    _, _, grades = graded
    short, short_points = SHORT_CONCEPT[student]
    expected = {**EXACT[student], **FULL_CONCEPTS, short: short_points}
    got = questions(grades, student)
    assert {qid: q.points for qid, q in got.items()} == pytest.approx(expected)
    for qid, q in got.items():
        if qid in EXACT[student]:
            assert (q.status, q.review_reason) == (Status.GRADED, None), qid
        else:
            assert (q.status, q.review_reason) == (Status.NEEDS_REVIEW, ReviewReason.CONCEPT), qid


def test_totals_and_nothing_needs_attention(graded):
    _, summary, _ = graded
    assert summary.students == 3
    assert summary.points == pytest.approx(TOTALS)
    assert summary.needs_attention == {}


def test_mistakes_are_diagnosed(graded):
    _, _, grades = graded
    for (student, qid), diagnosis in DIAGNOSES.items():
        assert questions(grades, student)[qid].diagnosis == diagnosis


def test_the_source_file_and_what_was_not_read(graded):
    _, _, grades = graded
    assert grades["heidi"].problems == ()
    assert grades["judy"].problems == ()
    assert grades["ivan"].problems == (
        "notebook has 2 code cell(s): code and outputs are not read as written answers",
    )


def test_the_programming_notebooks_are_not_taken_for_the_written_answers(graded, rubric):
    root, _, _ = graded
    assert sorted(p.name for p in (root / "ivan").iterdir()) == [
        "p1_cats_dogs.ipynb",
        "p2_cifar10.ipynb",
        "written.ipynb",
    ]
    expected = root / "ivan" / "written.ipynb"
    assert choose_written_file(root / "ivan").path == expected
    assert choose_written_file(root / "ivan", exclude=rubric.notebook_files).path == expected


def test_conventions_are_named(graded):
    _, _, grades = graded
    assert questions(grades, "heidi")["q3"].convention == "padding=1"
    assert questions(grades, "judy")["q7"].convention == "valid and same"
    assert questions(grades, "heidi")["q11"].convention == "2×2 max pooling, stride 2"
