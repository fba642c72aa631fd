"""Class summary: histograms per question, statistics, who needs a person."""

from __future__ import annotations

import re

import pytest

from grader.feedback import render_class_summary_html, render_class_summary_markdown
from grader.results import ReviewReason, Status


@pytest.fixture
def cohort(graded, make_student):
    return [
        make_student(
            "s1",
            (
                graded("q1", points=2),
                graded(
                    "q4",
                    points=1,
                    max_points=3,
                    status=Status.NEEDS_REVIEW,
                    review_reason=ReviewReason.CONCEPT,
                    answer_text="SECRET-ANSWER-TEXT",
                ),
                graded("q7", points=2),
            ),
        ),
        make_student(
            "s2",
            (
                graded("q1", points=0, status=Status.ERROR, feedback="reader crashed"),
                graded("q4", points=3, max_points=3),
                graded("q7", points=2),
            ),
        ),
        make_student(
            "s10",
            (
                graded("q1", points=1.5),
                graded(
                    "q4",
                    points=0,
                    max_points=3,
                    status=Status.NEEDS_REVIEW,
                    review_reason=ReviewReason.CONCEPT,
                ),
                graded(
                    "q7",
                    points=0,
                    status=Status.NEEDS_REVIEW,
                    review_reason=ReviewReason.UNREADABLE,
                ),
            ),
        ),
        make_student(
            "<b>s3</b>", (graded("q1", points=2), graded("q11", points=0, status=Status.MISSING))
        ),
    ]


def test_one_histogram_per_question_plus_totals(cohort, questions):
    page = render_class_summary_html(cohort, questions)
    panels = re.findall(r'<svg class="hist" data-question="([^"]+)"', page)
    assert panels == ["q1", "q3", "q4", "q7", "q11"]  # every rubric question, rubric order
    assert page.count('<svg class="hist-total"') == 1
    assert "http" not in page.replace('http-equiv="Content-Security-Policy"', "")


def test_histogram_bars_count_points(cohort, questions):
    page = render_class_summary_html(cohort, questions)
    q1_panel = re.search(r'<svg class="hist" data-question="q1".*?</svg>', page).group(0)
    # q1 points: 2, 0, 1.5, 2 on a half-point grid from 0 to 2.
    bars = re.findall(r"<title>([^<]+): (\d+)</title></rect>", q1_panel)
    assert bars == [("0", "1"), ("0.5", "0"), ("1", "0"), ("1.5", "1"), ("2", "2")]
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill', q1_panel)]
    assert heights[4] == max(heights) and heights[1] == 0


def test_statistics_table(cohort, questions):
    markdown = render_class_summary_markdown(cohort, questions)
    rows = {
        line.split(" | ")[0][2:]: line.split(" | ")[1:15]
        for line in markdown.splitlines()
        if re.match(r"^\| q\d+ \| [A-Z0-9]", line)
    }
    # title, students, mean, median, lowest, highest, spread (sd), max, graded, needs review,
    # of which concept, missing, error, overridden
    assert rows["q1"] == [
        "Convolve I with F, no padding.",
        "4",
        "1.38",
        "1.75",
        "0",
        "2",
        "0.82",
        "2",
        "3",
        "0",
        "0",
        "0",
        "1",
        "0",
    ]
    assert rows["q4"][1:14] == [
        "3",
        "1.33",
        "1",
        "0",
        "3",
        "1.25",
        "3",
        "1",
        "2",
        "2",
        "0",
        "0",
        "0",
    ]
    assert rows["q3"][1:7] == ["0", "—", "—", "—", "—", "—"]
    page = render_class_summary_html(cohort, questions)
    assert (
        '<tr><td>q7</td><td class="text">Output size of 16 filters 3×3×32.</td><td>3</td>' in page
    )


def test_attention_list_and_concept_count(cohort, questions):
    markdown = render_class_summary_markdown(cohort, questions)
    attention = markdown.split("## Needs attention")[1].split("## Statistics")[0]
    assert "2 concept answers awaiting confirmation of the suggested key points." in attention
    listed = re.findall(r"^- (.+)$", attention, re.M)
    assert listed == [
        "s2: error: q1",
        "s10: needs review (the answer could not be read with confidence): q7",
    ]
    assert "s1:" not in attention  # concept review alone is routine


def test_summary_links_and_escapes_students(cohort, questions):
    page = render_class_summary_html(
        cohort, questions, student_links={"s2": "s2.html", "<b>s3</b>": "b_s3_b-1.html"}
    )
    assert '<li><a href="s2.html">s2</a>: error: q1</li>' in page
    assert '<a href="b_s3_b-1.html">&lt;b&gt;s3&lt;/b&gt;</a>' in page
    assert "<b>s3" not in page
    student_order = re.findall(
        r"<tr><td>(?:<a [^>]+>)?([^<]+)<", page.split("<h2>Students</h2>")[1]
    )
    assert student_order == ["&lt;b&gt;s3&lt;/b&gt;", "s1", "s2", "s10"]


def test_summary_never_shows_answers(cohort, questions):
    assert "SECRET-ANSWER-TEXT" not in render_class_summary_html(cohort, questions)
    assert "SECRET-ANSWER-TEXT" not in render_class_summary_markdown(cohort, questions)


def test_empty_class(questions):
    page = render_class_summary_html([], questions)
    assert page.count('<svg class="hist"') == len(questions)
    assert "0 students" in render_class_summary_markdown([], questions)


def test_attention_reasons_grouped_per_reason(graded, make_student, questions):
    scan = [
        graded(qid, points=0, status=Status.NEEDS_REVIEW, review_reason=ReviewReason.NO_TEXT_LAYER)
        for qid in ("q1", "q3", "q11")
    ]
    markdown = render_class_summary_markdown([make_student("frank", tuple(scan))], questions)
    assert (
        "- frank: needs review (the file is a scan without a text layer): q1, q3, q11" in markdown
    )


def test_key_point_coverage_and_decisions_per_reviewer(graded, make_student, questions):
    """Issue #21: staff see what the class missed, per key point, and who decided what."""
    evidence = [
        {"key_point": "The filter is a template.", "covered": True},
        {"key_point": "High response where the patch resembles it.", "covered": False},
    ]

    def q4(points: float, **more) -> object:
        return graded("q4", points=points, max_points=3, details={"evidence": evidence}, **more)

    cohort = [
        make_student("s1", (q4(1.5),)),  # the grader's suggestion: first point only
        make_student("s2", (q4(3, overridden=True, suggested_points=1.5),)),  # a person: all
        make_student("s3", (q4(0, overridden=True, suggested_points=1.5),)),  # a person: none
    ]
    markdown = render_class_summary_markdown(cohort, questions)
    assert "| q4 | The filter is a template. | 2 | 3 | 67% | 2 |" in markdown
    assert "| q4 | High response where the patch resembles it. | 1 | 3 | 33% | 2 |" in markdown
    # make_question records no actor: the decisions show as "unknown"
    assert "| unknown | 2 | 2 | 1 | 1 |" in markdown
    page = render_class_summary_html(cohort, questions)
    assert '<table class="stats" id="key-point-stats">' in page
    assert "<tr><td>unknown</td><td>2</td><td>2</td><td>1</td><td>1</td></tr>" in page
