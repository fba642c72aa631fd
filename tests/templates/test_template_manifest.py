"""template.toml: the reference template loads; a bad manifest fails with one line naming the file and the fix."""

import os
from pathlib import Path

import pytest

from grader.templates.errors import TemplateError
from grader.templates.manifest import load_template
from tests.fixtures.template_copies import REFERENCE_TEMPLATE, REPOSITORY, copy_template


@pytest.fixture
def template_dir(tmp_path) -> Path:
    return copy_template(tmp_path)


def rewrite(template_dir: Path, old: str, new: str) -> Path:
    manifest = template_dir / "template.toml"
    text = manifest.read_text()
    assert old in text, old
    manifest.write_text(text.replace(old, new, 1))
    return manifest


def error_of(template_dir: Path) -> str:
    with pytest.raises(TemplateError) as caught:
        load_template(template_dir)
    return caught.value.one_line()


def test_the_reference_template_loads_with_absolute_paths():
    template = load_template(REFERENCE_TEMPLATE)
    assert (template.id, template.title) == ("hw4", "HW4 — Convolutional neural networks")
    assert template.root == REFERENCE_TEMPLATE
    assert template.rubric_path == REPOSITORY / "rubrics" / "hw4.toml"
    assert template.parameters_path == REFERENCE_TEMPLATE / "parameters.toml"
    assert [p.name for p in template.notebook_paths] == ["p1_cats_dogs.ipynb", "p2_cifar10.ipynb"]
    assert all(p.is_absolute() and p.is_file() for p in template.notebook_paths)
    assert template.written_questions == tuple(f"q{i}" for i in range(1, 22))
    assert template.notebook_questions[0] == "p1.scratch" and len(template.notebook_questions) == 8
    assert template.question_ids == template.written_questions + template.notebook_questions
    assert (template.image_values, template.filter_values) == ((0, 4), (-1, 2))


def test_the_manifest_file_itself_may_be_given():
    assert load_template(REFERENCE_TEMPLATE / "template.toml").id == "hw4"


def test_a_folder_without_manifest_says_what_to_pass(tmp_path):
    message = error_of(tmp_path)
    assert message == (
        f"{tmp_path / 'template.toml'}: no template manifest here "
        "(fix: pass the template folder, the one holding template.toml)"
    )


def test_invalid_toml_points_at_the_position(template_dir):
    rewrite(template_dir, 'id = "hw4"', 'id = "hw4')
    message = error_of(template_dir)
    assert "template.toml: not valid TOML" in message and "line 5" in message


@pytest.mark.parametrize(
    ("old", "new", "problem", "fix"),
    [
        (
            'id = "hw4"',
            'id = "hw4"\nauthor = "me"',
            "unknown field `template.author`",
            "remove or rename",
        ),
        (
            'title = "HW4',
            'titel = "HW4',
            "unknown field `template.titel` — did you mean `title`?",
            "remove or rename",
        ),
        ('"q2", "q3"', '"q2", "q2"', "questions.written: a question id is listed twice", ""),
        ('"p1.scratch"', '"P1-scratch"', "question id 'P1-scratch' must look like p1.scratch", ""),
        ("image_values = [0, 4]", "image_values = [4, 0]", "[4, 0] is an empty range", ""),
        (
            'rubric = "../../rubrics/hw4.toml"',
            'rubric = "../../rubrics/hw4.yaml"',
            "must be the rubric's .toml file",
            "",
        ),
    ],
)
def test_schema_errors_name_the_key(template_dir, old, new, problem, fix):
    rewrite(template_dir, old, new)
    message = error_of(template_dir)
    assert message.startswith(f"{template_dir / 'template.toml'}: ")
    assert problem in message and fix in message and "(fix: " in message


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            '"p1_cats_dogs.ipynb",',
            '"../../etc/p1.ipynb",',
            "'../../etc/p1.ipynb' must be a plain file name",
        ),
        ('"p1_cats_dogs.ipynb",', '"sub/p1.ipynb",', "'sub/p1.ipynb' must be a plain file name"),
        (
            'written_solution = "written_solution.md"',
            'written_solution = "../../../../etc/passwd"',
            "leaves the template folder",
        ),
        (
            'parameters = "parameters.toml"',
            'parameters = "../hw4/../../rubrics/hw4.toml"',
            "leaves the template folder",
        ),
        (
            'question_sheet = "questions.md.j2"',
            'question_sheet = "/etc/passwd"',
            "must be a relative path",
        ),
        (
            'rubric = "../../rubrics/hw4.toml"',
            'rubric = "/work/rubrics/hw4.toml"',
            "must be a relative path",
        ),
        (
            'question_sheet = "questions.md.j2"',
            'question_sheet = "..\\\\..\\\\secret.md"',
            "must be a relative path",
        ),
    ],
)
def test_path_traversal_is_refused(template_dir, old, new, problem):
    rewrite(template_dir, old, new)
    message = error_of(template_dir)
    assert problem in message, message


def test_a_symlink_out_of_the_template_is_refused(template_dir, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("the answers")
    (template_dir / "written_solution.md").unlink()
    os.symlink(secret, template_dir / "written_solution.md")
    assert (
        "template.written_solution = 'written_solution.md' leaves the template folder"
        in error_of(template_dir)
    )


def test_the_rubric_may_live_elsewhere_in_the_course_repository(template_dir):
    assert (
        load_template(template_dir).rubric_path == template_dir.parents[1] / "rubrics" / "hw4.toml"
    )


def test_a_missing_file_is_named(template_dir):
    (template_dir / "p2_cifar10.ipynb").unlink()
    message = error_of(template_dir)
    assert "template.notebooks = 'p2_cifar10.ipynb': no such file" in message
    assert "(fix: create the file or fix the path" in message


def test_a_template_without_variants_loads_but_cannot_make_them(template_dir):
    manifest = template_dir / "template.toml"
    text = manifest.read_text()
    manifest.write_text(text[: text.index("# Per-student variants")])
    template = load_template(template_dir)
    assert template.variants is None
    with pytest.raises(TemplateError, match=r"no \[variants\] table \(fix: add \[variants\]"):
        _ = template.image_values
