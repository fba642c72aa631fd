"""A rubric typo is caught before grading, by every command that reads the rubric, in one line
naming the file, the question and the fix in course words; written-only homework and
parameters without an image are fine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.errors import RubricError
from grader.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of the repository's rubrics and templates, to misspell things in."""
    shutil.copytree(ROOT / "rubrics", tmp_path / "rubrics")
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refusal(path: Path) -> str:
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    line = caught.value.one_line()
    assert "\n" not in line and line.startswith(f"{path}: ") and "(fix: " in line
    return line


def test_a_misnamed_table_is_caught_by_its_key(course):
    """[questions.q77] meant as q7: its key still says q7, and the rubric has no q7."""
    rubric = course / "rubrics" / "hw4.toml"
    edit(rubric, "[questions.q7]", "[questions.q77]")
    line = refusal(rubric)
    assert "question q77: computes key 'q7', but the rubric has no question q7" in line
    assert "is [questions.q77] meant to be [questions.q7]?" in line


@pytest.mark.parametrize("command", ["key", "grade", "rescore", "check-template"])
def test_every_command_that_reads_the_rubric_refuses_the_typo(course, command, tmp_path):
    rubric = course / "rubrics" / "hw4.toml"
    edit(rubric, '"padding forgotten" = 0.2', '"padding forgoten" = 0.2')
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "written.md").write_text("1.\n45 45\n54 54\n")
    db = tmp_path / "g.sqlite"
    if command == "rescore":  # a gradebook graded with the good rubric, then the typo
        good = ROOT / "rubrics" / "hw4.toml"
        graded = CliRunner().invoke(
            app, ["grade", str(subs), "--rubric", str(good), "--db", str(db), "--no-reports"]
        )
        assert graded.exit_code in (0, 1), graded.output
    args = {
        "key": ["key", "--rubric", str(rubric)],
        "grade": ["grade", str(subs), "--rubric", str(rubric), "--db", str(db), "--no-reports"],
        "rescore": ["rescore", "--rubric", str(rubric), "--db", str(db)],
        "check-template": [
            "check-template", str(course / "reference" / "hw4"), "--checks", "rubric",
        ],
    }[command]  # fmt: skip
    result = CliRunner().invoke(app, args)
    expected = (
        "question q2: partial.mistakes names 'padding forgoten', a mistake the key of 'q2' "
        "never computes (fix: use one of: 'padding forgotten'; 'padding 2 used instead';"
    )
    assert expected in result.output
    assert result.exit_code == (1 if command == "check-template" else 2), result.output
    if command == "grade":
        assert not db.exists()  # nothing graded, nothing created


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('kind = "matrix"', 'kind = "matrx"', "question q1: kind 'matrx' is not a question kind — did you mean 'matrix'?"),
        ('points = 3\nkey = "q1"', 'point = 3\nkey = "q1"', "question q1: unknown field `point` — did you mean `points`?"),
        ('key = "q3"', 'key = "q33"', "question q3: key 'q33' is not in parameters.toml — did you mean 'q3'?"),
        ("total_points = 100", "total_points = 99", "question points add up to 100 (63 written + 37 notebooks) but assignment.total_points is 99"),
        ('title = "Convolve I with F, no padding."\n', "", "question q1: missing field `title`"),
    ],
)  # fmt: skip
def test_typos_are_named_in_course_words(course, old, new, expected):
    rubric = course / "rubrics" / "hw4.toml"
    edit(rubric, old, new)
    assert expected in refusal(rubric)


def test_an_approximate_key_needs_a_tolerance(course):
    rubric = course / "rubrics" / "hw5.toml"
    edit(rubric, 'key = "q2"\ntolerance = 0.01\n', 'key = "q2"\n')
    assert "question q2: the answer of key 'q2' is not exact" in refusal(rubric)
    assert "(fix: add e.g. tolerance = 0.01)" in refusal(rubric)


def test_a_kind_that_does_not_match_what_the_key_computes(course):
    rubric = course / "rubrics" / "hw5.toml"
    edit(rubric, 'kind = "number"', 'kind = "shape"')
    assert "question q5: kind is 'shape' but key 'q5' computes a number" in refusal(rubric)


def test_a_misnamed_concept_question_is_a_warning_naming_the_template(course):
    """A concept question has no key to catch it: the template's list beside the parameters does."""
    rubric = course / "rubrics" / "hw5.toml"
    edit(rubric, "[questions.q8]", "[questions.q88]")
    edit(rubric, "[[questions.q8.key_points]]", "[[questions.q88.key_points]]")
    text = rubric.read_text().replace("[[questions.q8.key_points]]", "[[questions.q88.key_points]]")
    rubric.write_text(text)
    loaded = load_rubric(rubric)
    assert any(
        "question q88 is not in the assignment's list" in w
        and "is [questions.q88] meant to be [questions.q8]?" in w
        for w in loaded.warnings
    ), loaded.warnings
    result = CliRunner().invoke(app, ["key", "--rubric", str(rubric)])
    assert result.exit_code == 0 and "warning: " in result.output and "q88" in result.output


def test_a_written_only_homework_without_an_image_loads(tmp_path):
    (tmp_path / "parameters.toml").write_text(
        '[questions.q1]\noperation = "matmul"\nleft = [[1, 2]]\nright = [[3], [4]]\n'
    )
    (tmp_path / "rubric.toml").write_text(
        '[assignment]\nid = "quiz1"\ntitle = "Quiz"\nparameters = "parameters.toml"\n'
        "total_points = 3\n\n"
        '[questions.q1]\ntitle = "A product"\nkind = "matrix"\npoints = 2\nkey = "q1"\n\n'
        '[questions.q2]\ntitle = "Why?"\nkind = "concept"\npoints = 1\n'
        '[[questions.q2.key_points]]\ntext = "a reason"\nkeywords = [["because"]]\n'
    )
    rubric = load_rubric(tmp_path / "rubric.toml")
    assert rubric.models == {} and rubric.parameters.image is None
    assert rubric.keys["q1"].accepted[0].value == ((11,),)


def test_a_written_only_template_is_checked_and_its_notebook_checks_say_why_they_skip(tmp_path):
    """HW5 without its notebook part: the rubric cut before it, the template listing none."""
    shutil.copytree(ROOT / "reference" / "hw5", tmp_path / "reference" / "hw5")
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "reference" / "hw5" / "p1_sequences.ipynb").unlink()
    rubric = (ROOT / "rubrics" / "hw5.toml").read_text()
    written = rubric.split(
        "# ---------------------------------------------------------------- the notebook part"
    )[0]
    (tmp_path / "rubrics" / "hw5.toml").write_text(
        written.replace("total_points = 38", "total_points = 26")
    )
    template = tmp_path / "reference" / "hw5" / "template.toml"
    text = template.read_text().replace('notebooks = ["p1_sequences.ipynb"]', "notebooks = []")
    template.write_text(
        text.replace('notebooks = ["p1.recurrent", "p1.attention"]', "notebooks = []")
    )
    result = CliRunner().invoke(app, ["check-template", str(tmp_path / "reference" / "hw5")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("ok   rubric")
    assert lines[1].startswith("ok   written-solution")
    assert (
        "SKIP solution-notebooks: the template has no notebooks (a written-only homework)" in lines
    )
    assert lines[-2].startswith("ok   variants") and lines[-1] == "3 passed, 0 failed, 2 skipped"


@pytest.mark.sandbox  # the solution notebook and the student release run in the sandbox
def test_hw5_passes_all_five_checks():
    result = CliRunner().invoke(app, ["check-template", str(ROOT / "reference" / "hw5")])
    assert result.exit_code == 0, result.output
    names = [line.split()[1] for line in result.output.splitlines() if line.startswith("ok ")]
    assert names == [
        "rubric",
        "written-solution",
        "solution-notebooks",
        "student-release",
        "variants",
    ]
    assert result.output.splitlines()[-1] == "5 passed, 0 failed"
