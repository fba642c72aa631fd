"""The question catalogue built from the rubric: order, parts, kinds, sheet numbers, per-kind table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.kinds.base import AnswerLayout
from grader.kinds.table import QUESTION_KINDS, kind_of
from grader.results import Part
from grader.rubric import load_rubric
from grader.rubric.loading import read_rubric_source, rubric_from_source

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "hw4.toml"
NOTEBOOK_ORDER = [
    "p1.scratch",
    "p1.visualize",
    "p1.transfer",
    "p1.finetune",
    "p1.augment",
    "p2.baseline",
    "p2.inception",
    "p2.residual",
]


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(RUBRIC)


def test_catalogue_lists_every_question_in_rubric_order(rubric):
    catalogue = rubric.catalogue
    assert catalogue.ids() == tuple(f"q{n}" for n in range(1, 22)) + tuple(NOTEBOOK_ORDER)
    assert catalogue.ids(Part.WRITTEN) == tuple(f"q{n}" for n in range(1, 22))
    assert catalogue.ids(Part.NOTEBOOKS) == tuple(NOTEBOOK_ORDER)
    assert [q.order for q in catalogue] == list(range(29))
    assert catalogue.points() == rubric.assignment.total_points == 100
    assert catalogue.points(Part.WRITTEN) == 63 and catalogue.points(Part.NOTEBOOKS) == 37


def test_catalogue_entries_are_typed(rubric):
    catalogue = rubric.catalogue
    q1, q4, q7, q11 = (catalogue[qid] for qid in ("q1", "q4", "q7", "q11"))
    assert (q1.kind, q4.kind, q7.kind, q11.kind) == (
        "matrix",
        "concept",
        "shape",
        "tensor",
    )
    assert q1.title == "Convolve I with F, no padding." and q1.sheet_number == 1
    assert catalogue["q21"].sheet_number == 21 and catalogue["q21"].part is Part.WRITTEN
    scratch = catalogue["p1.scratch"]
    assert scratch.kind == "accuracy" and scratch.part is Part.NOTEBOOKS
    assert scratch.title.startswith("Cats vs dogs: a CNN from scratch")
    assert scratch.sheet_number is None and scratch.show_expected is False
    assert catalogue["p1.visualize"].kind == "figures"


def test_unknown_ids_sort_after_rubric_ids_naturally(rubric):
    catalogue = rubric.catalogue
    assert catalogue.ordered(["p1.augment", "zz10", "q10", "zz9", "p1.scratch", "q2"]) == [
        "q2",
        "q10",
        "p1.scratch",
        "p1.augment",
        "zz9",
        "zz10",
    ]
    placeholder = catalogue.describe("zz9")
    assert placeholder.title == "" and placeholder.show_expected is False


def test_model_classes_come_from_the_rubric(rubric):
    assert rubric.model_classes("p1.scratch") == 2  # N×1 logits read as one binary output
    assert rubric.model_classes("p2.baseline") == 10
    # Left out, a question's classes are its dataset's (two class folders, ten CIFAR classes).
    source = read_rubric_source(rubric.path)
    text = source.rubric_text.replace("classes = 2\n", "").replace("classes = 10\n", "")
    assert "classes = 10" not in text
    unstated = rubric_from_source(dataclasses.replace(source, rubric_text=text))
    assert unstated.model_classes("p1.transfer") == 2
    assert unstated.model_classes("p2.residual") == 10


def test_every_kind_has_one_table_row_matching_the_catalogue_part(rubric):
    assert set(QUESTION_KINDS) == {
        "matrix",
        "tensor",
        "shape",
        "number",
        "concept",
        "accuracy",
        "figures",
    }
    for question in rubric.catalogue:
        kind = kind_of(question.kind)
        assert kind.part is question.part, question.id
        assert kind.model.model_fields["kind"].annotation is not str, question.id
    assert kind_of("shape").layout is AnswerLayout.SHAPE
    assert kind_of("accuracy").needs_saved_model is True
    assert kind_of("figures").needs_saved_model is False
    with pytest.raises(TypeError, match="not answered by a notebook"):
        kind_of("matrix").score_notebook("q1", None, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not answered in the written part"):
        kind_of("figures").score_written(None, "p1.visualize", None, "")  # type: ignore[arg-type]


def test_sheet_number_can_be_set_in_the_rubric(tmp_path):
    text = RUBRIC.read_text(encoding="utf-8")
    text = text.replace(
        '[questions.q1]\ntitle = "Convolve I with F, no padding."',
        '[questions.q1]\nnumber = 101\ntitle = "Convolve I with F, no padding."',
    )
    text = text.replace(
        'parameters = "../reference/hw4/parameters.toml"',
        f'parameters = "{RUBRIC.parent.parent / "reference/hw4/parameters.toml"}"',
    )
    path = tmp_path / "hw4.toml"
    path.write_text(text, encoding="utf-8")
    assert load_rubric(path).catalogue["q1"].sheet_number == 101
