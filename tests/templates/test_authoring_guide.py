"""docs/authoring.md tells the truth: a third homework written from its blocks alone (no file
of the repository's homeworks) loads, passes check-template, and grades a class; and the
guide names every operation and kind the grader has."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.data.formats import DATASET_FORMATS
from grader.evaluation.structure import FLAGS, PRESETS, REQUIREMENT_KINDS
from grader.kinds.table import QUESTION_KINDS
from grader.measures import MEASURES
from grader.reference.operations import OPERATIONS

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
BLOCK = re.compile(r"^```[a-z]+ file=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The guide's files, written where the guide says."""
    root = tmp_path_factory.mktemp("course")
    blocks = BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) == 7, [name for name, _ in blocks]
    for name, text in blocks:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_guide_s_homework_passes_check_template(course):
    result = invoke("check-template", str(course / "reference" / "quiz3"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "3 passed, 0 failed, 2 skipped"


def test_the_guide_s_homework_grades_its_student_as_the_guide_says(course, monkeypatch):
    monkeypatch.chdir(course)
    key = invoke("key", "--rubric", "rubrics/quiz3.toml", "--format", "json")
    assert key.exit_code == 0, key.output
    assert json.loads(key.stdout)["q5"]["accepted"][0]["value"] == 15
    graded = invoke(
        "grade", "submissions-quiz3", "--rubric", "rubrics/quiz3.toml", "--db", "g.sqlite"
    )
    assert graded.exit_code == 0, graded.output
    exported = invoke("export", "--db", "g.sqlite", "--format", "json")
    [sam] = json.loads(exported.stdout)["students"]
    points = {q["id"]: q["points"] for q in sam["questions"]}
    assert points == {"q1": 3, "q2": 2, "q3": 2, "q4": 1, "q5": 3, "q6": 3}
    q4 = next(q for q in sam["questions"] if q["id"] == "q4")
    assert "Likely mistake: biases left out" in q4["feedback"]
    assert (course / "reports" / "quiz3" / "sam.html").is_file()


def test_the_guide_names_every_operation_and_every_kind():
    guide = GUIDE.read_text(encoding="utf-8")
    for name in OPERATIONS:
        assert f"`{name}`" in guide, name
    for name in QUESTION_KINDS:
        assert f"`{name}`" in guide, name


def test_the_guide_names_every_dataset_format_measure_and_structure_requirement():
    guide = GUIDE.read_text(encoding="utf-8")
    named = [*DATASET_FORMATS, *MEASURES, *REQUIREMENT_KINDS, *FLAGS, *PRESETS]
    assert [name for name in named if f"`{name}`" not in guide] == []
    # The notebook section's rubric is HW5's own, as it is in the repository.
    rubric = (GUIDE.parents[1] / "rubrics" / "hw5.toml").read_text(encoding="utf-8")
    for line in ("structure = { recurrent = 1 }", 'measure = "macro_f1"', "input_shape = [20, 8]"):
        assert line in guide and line in rubric
