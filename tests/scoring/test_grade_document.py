"""Grading a whole written document: never a silent zero when markers are odd, few or missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.results import ReviewReason, Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = (ROOT / "reference/hw4/written_solution.md").read_text(encoding="utf-8")
FULL_MARKS = 63


@pytest.fixture(scope="module")
def grader() -> AnswerGrader:
    return AnswerGrader(load_rubric(ROOT / "rubrics/hw4.toml"))


def _answers_only() -> str:
    """The reference solution without its title and preamble, starting at '1.'."""
    return SOLUTION[SOLUTION.index("\n1. ") + 1 :]


def _exact_points(document) -> float:
    return round(
        sum(r.points for r in document.results if r.review_reason is not ReviewReason.CONCEPT), 2
    )


def test_reference_solution_grades_to_full_exact_marks(grader):
    document = grader.grade_document(SOLUTION)
    assert _exact_points(document) == 17  # q1-q3, q7, q8, q11: every exact point
    assert {r.status for r in document.results} <= {Status.GRADED, Status.NEEDS_REVIEW}
    assert document.split.markers_found == 21 and document.problems == ()


@pytest.mark.parametrize(
    "decorate",
    [
        lambda n: f"\\noindent\\textbf{{Q{n}.}}",
        lambda n: f"\\item[{n}.]",
        lambda n: f"**Q{n}.**",
        lambda n: f"### Problem {n}",
        lambda n: f"\\section*{{Question {n}}}",
        lambda n: f"Ans {n}:",
    ],
)
def test_decorated_markers_are_read_not_a_silent_zero(grader, decorate):
    text = re.sub(r"(?m)^(\d{1,2})\.", lambda m: decorate(int(m.group(1))), _answers_only())
    document = grader.grade_document(text)
    assert document.split.markers_found == 21
    assert _exact_points(document) == 17
    assert not any(r.status is Status.MISSING for r in document.results)


def test_answers_in_another_order_are_all_found(grader):
    blocks = re.split(r"(?m)^(?=\d{1,2}\. )", _answers_only())
    by_number = {int(b.split(".", 1)[0]): b for b in blocks if b.strip()}
    order = [2, 1, 3, 4, 5, 6, 11, 7, 8, 9, 10, *range(12, 22)]
    document = grader.grade_document("\n".join(by_number[n] for n in order))
    results = {r.question_id: r for r in document.results}
    assert _exact_points(document) == 17
    assert results["q11"].points == results["q11"].max_points
    assert results["q11"].details.get("out_of_order") is True
    assert not any(r.status is Status.MISSING for r in document.results)


def test_no_markers_but_answers_in_the_file_go_to_a_person(grader):
    text = "My answers:\n45 45\n54 54\nThe output has shape 126 x 126 x 16 without padding."
    document = grader.grade_document(text)
    assert all(r.status is Status.NEEDS_REVIEW for r in document.results)
    assert {r.review_reason for r in document.results} == {ReviewReason.UNASSIGNED}
    assert all(r.answer_text == text for r in document.results)
    assert any("only 0 of 21 question markers" in p for p in document.problems)
    assert any("not assigned to any question" in p for p in document.problems)


def test_few_markers_flag_the_unfound_questions(grader):
    document = grader.grade_document("1.\n45 45\n54 54\n\n7. 126x126x16\n")
    results = {r.question_id: r for r in document.results}
    assert results["q1"].points == 3 and results["q7"].status is Status.GRADED
    assert results["q2"].status is Status.NEEDS_REVIEW
    assert results["q2"].review_reason is ReviewReason.SUBMISSION
    assert "only 2 of 21 question markers" in results["q2"].feedback
    assert document.problems[0].startswith("only 2 of 21 question markers")


def test_a_skipped_question_in_a_well_marked_file_is_missing(grader):
    text = re.sub(r"(?ms)^5\. .*?(?=^6\. )", "", _answers_only())
    document = grader.grade_document("Name: Ada Lovelace\n\n" + text)
    results = {r.question_id: r for r in document.results}
    assert results["q5"].status is Status.MISSING and results["q5"].points == 0
    assert sum(r.status is Status.MISSING for r in document.results) == 1
    assert document.problems == ()  # a short name line is not an answer


def test_one_heading_for_two_questions_with_sub_parts(grader):
    text = _answers_only().replace("7. 126", "7. and 8.\n(a) 126").replace("\n8. 63", "\n(b) 63")
    document = grader.grade_document(text)
    results = {r.question_id: r for r in document.results}
    assert results["q7"].points == 2 and results["q7"].status is Status.GRADED
    assert results["q8"].points == 2 and results["q8"].status is Status.GRADED


def test_one_heading_for_two_questions_without_sub_parts_goes_to_a_person(grader):
    text = _answers_only().replace("7. 126", "7 & 8: 126").replace("\n8. 63", "\nand 63")
    document = grader.grade_document(text)
    results = {r.question_id: r for r in document.results}
    assert results["q8"].status is Status.NEEDS_REVIEW
    assert results["q8"].review_reason is ReviewReason.AMBIGUOUS
    assert results["q8"].details["shared_with"] == "q7"
    assert "63 × 63 × 16" in results["q8"].answer_text
