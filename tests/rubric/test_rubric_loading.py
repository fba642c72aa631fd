"""Rubric validation: a bad rubric fails with one line naming the file, the question and the fix."""

from pathlib import Path

import pytest

from grader.errors import RubricError
from grader.rubric import load_rubric

PARAMETERS = Path("reference/hw4/parameters.toml").resolve()

GOOD = f"""
[assignment]
id = "t"
title = "test"
parameters = "{PARAMETERS}"
total_points = 5

[questions.q1]
title = "conv"
kind = "matrix"
points = 3
key = "q1"
partial = {{ shape = 0.2, entries = 0.5 }}

[questions.q4]
title = "concept"
kind = "concept"
points = 2
[[questions.q4.key_points]]
text = "template"
keywords = [["template*"]]
[[questions.q4.key_points]]
text = "dot product"
keywords = [["dot product", "weighted sum"]]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    return path


def error_line(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    line = info.value.one_line()
    assert "\n" not in line
    assert str(path) in line
    return line


def test_good_rubric_loads_with_hash(tmp_path):
    rubric = load_rubric(write(tmp_path, GOOD))
    assert list(rubric.questions) == ["q1", "q4"]
    assert rubric.questions["q1"].partial.shape == 0.2
    assert len(rubric.content_hash) == 64


def test_shipped_rubric_loads():
    rubric = load_rubric(Path("rubrics/hw4.toml"))
    written = sum(q.points for q in rubric.questions.values())
    notebooks = sum(q.points for q in rubric.models.values())
    assert (written, notebooks, rubric.assignment.total_points) == (63, 37, 100)
    assert {f"q{n}" for n in range(1, 22)} == set(rubric.questions)
    assert set(rubric.models) == {
        "p1.scratch", "p1.visualize", "p1.transfer", "p1.finetune", "p1.augment",
        "p2.baseline", "p2.inception", "p2.residual",
    }  # fmt: skip
    assert rubric.notebook_files == ("p1_cats_dogs.ipynb", "p2_cifar10.ipynb")


def test_model_thresholds_validated(tmp_path):
    model = """
[models."p1.scratch"]
title = "scratch"
notebook = "p1.ipynb"
dataset = "cats_vs_dogs"
classes = 2
points = 2
thresholds.synthetic = { full_at = 0.5, zero_at = 0.7 }
"""
    line = error_line(tmp_path, GOOD.replace("total_points = 5", "total_points = 7") + model)
    assert "question p1.scratch: thresholds.synthetic: zero_at must be below full_at" in line


def test_model_notebook_must_be_a_plain_name(tmp_path):
    model = """
[models."p1.scratch"]
title = "scratch"
notebook = "../../etc/x.ipynb"
dataset = "cats_vs_dogs"
classes = 2
points = 2
thresholds.synthetic = { full_at = 0.7, zero_at = 0.5 }
"""
    line = error_line(tmp_path, GOOD.replace("total_points = 5", "total_points = 7") + model)
    assert "question p1.scratch: notebook '../../etc/x.ipynb' must be a plain file name" in line


def test_points_not_adding_up(tmp_path):
    line = error_line(tmp_path, GOOD.replace("total_points = 5", "total_points = 7"))
    assert "add up to 5 but assignment.total_points is 7" in line
    assert "fix: make the points agree" in line


def test_unknown_key_names_question_and_choices(tmp_path):
    line = error_line(tmp_path, GOOD.replace('key = "q1"', 'key = "q99"'))
    assert "question q1: key 'q99' is not in parameters.toml" in line
    assert "use one of: q1, q11, q2, q3, q7, q8" in line


def test_kind_not_matching_the_key(tmp_path):
    line = error_line(tmp_path, GOOD.replace('kind = "matrix"', 'kind = "shape"'))
    assert "question q1: kind is 'shape' but key 'q1' computes a matrix" in line
    assert 'set kind = "matrix"' in line


def test_concept_points_must_match_key_points(tmp_path):
    line = error_line(
        tmp_path,
        GOOD.replace("points = 2\n[[", "points = 3\n[[").replace(
            "total_points = 5", "total_points = 6"
        ),
    )
    assert "question q4" in line
    assert "key points add up to 2 but the question is worth 3" in line


def test_partial_shares_over_one(tmp_path):
    line = error_line(
        tmp_path, GOOD.replace("shape = 0.2, entries = 0.5", "shape = 0.6, entries = 0.5")
    )
    assert "question q1" in line
    assert "partial.shape + partial.entries must not exceed 1" in line


def test_unknown_field(tmp_path):
    line = error_line(tmp_path, GOOD.replace('title = "conv"', 'title = "conv"\npoints_typo = 1'))
    assert "question q1: unknown field `points_typo` — did you mean `points`?" in line
    assert "fix: remove or rename the unknown field" in line


def test_bad_toml_and_missing_file(tmp_path):
    assert "not valid TOML" in error_line(tmp_path, "[assignment\n")
    with pytest.raises(RubricError, match="rubric file not found"):
        load_rubric(tmp_path / "nope.toml")


def test_bad_question_id(tmp_path):
    line = error_line(
        tmp_path,
        GOOD.replace("[questions.q4]", "[questions.four]").replace(
            "questions.q4.key", "questions.four.key"
        ),
    )
    assert "question four: question ids must look like q1, q2" in line


def test_missing_parameters_file(tmp_path):
    line = error_line(tmp_path, GOOD.replace(str(PARAMETERS), "missing.toml"))
    assert "assignment.parameters" in line and "parameters file not found" in line
