"""`grader assign` as users see it: what it prints, its exit codes, its help, the README line."""

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from tests.fixtures.template_copies import (
    P1,
    REFERENCE_TEMPLATE,
    copy_template,
    edit_master,
    replace_in_cell,
)

runner = CliRunner()


def test_assign_builds_and_lists_every_file(tmp_path):
    out = tmp_path / "dist" / "hw4"
    result = runner.invoke(app, ["assign", str(REFERENCE_TEMPLATE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"student release {out / 'student'} (22 solution regions stubbed, 4 hidden regions removed):"
    )
    assert f"  {out / 'student' / P1}" in lines
    assert f"grader bundle {out / 'grader'}:" in lines
    assert f"  {out / 'grader' / 'bundle.toml'}" in lines
    assert len([line for line in lines if line.startswith("  ")]) == 10


def test_assign_with_variants_summarises_them(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\nann\nben\n")
    out = tmp_path / "dist"
    result = runner.invoke(
        app, ["assign", str(REFERENCE_TEMPLATE), "--out", str(out), "--variants", str(roster)]
    )
    assert result.exit_code == 0, result.output
    assert (
        f"variants for 2 students: {out / 'student' / 'variants'}/<student_id>/questions.{{md,html}}"
        in result.output
    )
    assert "ann" not in result.output  # one summary line, not one per student


def test_a_template_problem_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["assign", str(tmp_path), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2
    assert result.output == (
        f"error: {tmp_path / 'template.toml'}: no template manifest here "
        "(fix: pass the template folder, the one holding template.toml)\n"
    )


def test_a_leaky_release_is_listed_and_exits_1(tmp_path):
    template_dir = copy_template(tmp_path / "course")
    edit_master(template_dir, P1, replace_in_cell("def augment", "SOLUTION", "SOLUTOIN"))
    result = runner.invoke(app, ["assign", str(template_dir), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 1
    assert (
        f"leak: {tmp_path / 'dist' / 'student'}/{P1}: contains solution text from p1_cats_dogs.ipynb cell 14"
        in result.output
    )
    assert (
        "error: 1 leak(s) of solution or hidden text in the release; do not publish it"
        in result.output
    )


def test_assign_has_help_and_is_in_the_readme():
    result = runner.invoke(app, ["assign", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Build the student release" in text and "--variants" in text and "--out" in text
    readme = Path("README.md").read_text()
    assert "grader assign reference/hw4 --out dist/hw4" in readme
    assert "## Templates" in readme


@pytest.mark.slow  # a subprocess importing the whole grader
def test_assign_end_to_end_as_a_subprocess(tmp_path):
    grader = Path(sys.executable).parent / "grader"
    out = tmp_path / "dist" / "hw4"
    completed = subprocess.run(
        [str(grader), "assign", "reference/hw4", "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "grader bundle" in completed.stdout and completed.stderr == ""
    assert (out / "grader" / "bundle.toml").is_file() and (out / "student" / P1).is_file()
