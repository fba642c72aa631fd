"""Reports and exports list every question, notebook ones included, in rubric order with titles.

Pins a bug: notebook questions used to appear without a title (a bare
`## p1.augment`) and sorted alphabetically (`p1.augment` before `p1.scratch`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from grader.exports.csv_format import export_csv
from grader.exports.json_format import export_json
from grader.feedback import render_student_html, render_student_markdown
from grader.rubric import load_rubric
from tests.feedback.conftest import make_question

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "hw4.toml"
# Handed to the reports in an order that is neither rubric nor alphabetical order.
STORED_ORDER = ("p2.residual", "p1.augment", "q10", "p1.scratch", "q2", "p1.visualize", "q11")
RUBRIC_ORDER = ["q2", "q10", "q11", "p1.scratch", "p1.visualize", "p1.augment", "p2.residual"]


@pytest.fixture(scope="module")
def catalogue():
    return load_rubric(RUBRIC).catalogue


@pytest.fixture
def student(make_student):
    questions = tuple(
        make_question(qid, details={"accuracy": 0.9, "flags": []} if "." in qid else {})
        for qid in STORED_ORDER
    )
    return make_student("s1", questions)


def test_markdown_report_in_rubric_order_with_titles(student, catalogue):
    markdown = render_student_markdown(student, catalogue)
    headings = re.findall(r"^## (\S+?): (.+)$", markdown, re.M)
    assert [qid for qid, _ in headings] == RUBRIC_ORDER
    titles = dict(headings)
    assert (
        titles["p1.augment"] == "Cats vs dogs: the transfer model retrained with data augmentation."
    )
    assert titles["p1.scratch"].startswith("Cats vs dogs: a CNN from scratch")
    assert titles["q2"] == "Convolve I with F with zero padding."


def test_html_report_in_rubric_order_with_titles(student, catalogue):
    page = render_student_html(student, catalogue)
    headings = re.findall(r"<h2>(\S+?): ([^<]+)</h2>", page)
    assert [qid for qid, _ in headings] == RUBRIC_ORDER
    assert dict(headings)["p2.residual"] == (
        "CIFAR-10: the baseline with residual blocks (skip connection added back)."
    )


def test_csv_columns_in_rubric_order(student, catalogue):
    header = next(csv.reader(io.StringIO(export_csv([student], catalogue))))
    question_columns = [column for column in header[1:-2] if not column.endswith(" status")]
    assert question_columns == list(catalogue.ids())
    assert header[1:5] == ["q1", "q1 status", "q2", "q2 status"]
    assert header.index("p1.scratch") < header.index("p1.augment") < header.index("p2.baseline")


def test_json_export_in_rubric_order_with_titles(student, catalogue):
    [exported] = json.loads(export_json([student], catalogue))["students"]
    assert [q["id"] for q in exported["questions"]] == RUBRIC_ORDER
    by_id = {q["id"]: q for q in exported["questions"]}
    assert (
        by_id["p1.visualize"]["title"] == "Cats vs dogs: activations and filters shown as figures."
    )
    assert by_id["p1.scratch"]["accuracy"] == 0.9 and "accuracy" not in by_id["q2"]
