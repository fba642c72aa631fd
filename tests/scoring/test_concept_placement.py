"""Finding concept answers whose marker is missing or damaged: by content and position, never `missing`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.reading.questions import answer_blocks
from grader.results import ReviewReason, Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = (ROOT / "reference/hw4/written_solution.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def grader() -> AnswerGrader:
    return AnswerGrader(load_rubric(ROOT / "rubrics/hw4.toml"))


def _results(grader, text):
    return {r.question_id: r for r in grader.grade_document(text).results}


def test_answer_blocks_cut_at_blank_lines_bullets_and_damaged_markers():
    blocks = answer_blocks(
        "Inception runs branches.\nThey are concatenated.\n\nResidual blocks add.\n- a bullet\nao) Grad-CAM shows regions"
    )
    assert [b.text for b in blocks] == [
        "Inception runs branches.\nThey are concatenated.",
        "Residual blocks add.",
        "- a bullet",
        "Grad-CAM shows regions",
    ]
    assert [b.damaged_marker for b in blocks] == [None, None, None, "ao)"]


def test_q18_without_its_number_between_q17_and_q19_is_found(grader):
    text = re.sub(r"(?m)^18\. ", "\n", SOLUTION)
    results = _results(grader, text)
    q18, q17 = results["q18"], results["q17"]
    assert q18.status is Status.NEEDS_REVIEW and q18.review_reason is ReviewReason.CONCEPT
    assert q18.details["found_by_content"] is True and q18.details["found_in"] == "q17"
    assert q18.details["placement_sure"] is True
    assert q18.answer_text.startswith("A residual block adds its input")
    assert q18.points == 3
    assert "residual" not in q17.answer_text  # taken out of q17's answer
    assert q17.points == 3


def test_ocr_damaged_marker_ao_for_20_is_found(grader):
    text = re.sub(r"(?m)^20\. ", "ao) ", SOLUTION)
    q20 = _results(grader, text)["q20"]
    assert q20.details["found_by_content"] is True and q20.details["damaged_marker"] == "ao)"
    assert q20.answer_text.startswith("Start from a random noise image")
    assert q20.points == 3


def test_q4_written_after_q13_without_a_marker_goes_to_a_person(grader):
    q4_answer = re.search(r"(?m)^4\. (.*)$", SOLUTION).group(1)
    without_q4 = re.sub(r"(?m)^4\. .*\n", "", SOLUTION)
    text = without_q4.replace("\n14. ", f"\n\n{q4_answer}\n\n14. ", 1)
    results = _results(grader, text)
    q4 = results["q4"]
    assert q4.status is Status.NEEDS_REVIEW
    assert q4.review_reason is ReviewReason.UNASSIGNED  # content says q4, position does not
    assert q4.details["found_in"] == "q13" and q4.details["placement_sure"] is False
    assert q4.answer_text == q4_answer
    assert "not sure it answers this question" in q4.feedback
    assert q4.points == 3  # the suggestion is still made for the person to confirm
    assert "template" not in results["q13"].answer_text


def test_a_bullet_without_number_after_the_previous_answer_is_found(grader):
    text = re.sub(
        r"(?m)^13\. ",
        "- ",
        SOLUTION.replace("\n13. ", "\n\n13. ", 1),
    )
    q13 = _results(grader, text)["q13"]
    assert q13.details.get("found_by_content") is True
    assert q13.status is Status.NEEDS_REVIEW and q13.points >= 2


def test_a_skipped_question_stays_missing_when_nothing_is_about_it(grader):
    answers_only = SOLUTION[SOLUTION.index("\n1. ") + 1 :]
    text = re.sub(r"(?ms)^18\. .*?(?=^19\. )", "", answers_only)
    q18 = _results(grader, "Name: Ada Lovelace\n\n" + text)["q18"]
    assert q18.status is Status.MISSING and q18.points == 0


def test_text_that_answers_another_question_as_well_is_shown_with_both(grader):
    """Issue #20: text placed by its content must not silently be another question's answer:
    a block about q18 that is just as much about q17 is unsure, with q17 named beside it."""
    from grader.scoring.concept_placement import place_by_content

    q17 = re.search(r"(?m)^17\. (.*)$", SOLUTION).group(1)
    q18 = re.search(r"(?m)^18\. (.*)$", SOLUTION).group(1)
    compiled = {qid: grader.compiled_key_points(qid) for qid in ("q17", "q18")}
    placed = place_by_content(
        {"q17": "see below"}, ["q18"], f"{q18} {q17}", compiled, ["q17", "q18"]
    )
    placement = placed.placements["q18"]
    assert (placement.sure, placement.alternative) == (False, "q17")
    alone = place_by_content({"q17": "see below"}, ["q18"], q18, compiled, ["q17", "q18"])
    assert alone.placements["q18"].alternative is None
