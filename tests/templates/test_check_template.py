"""`grader check-template`: passes on reference/hw4 (run as the CI workflow in docs/ runs it) and
fails precisely, one line naming the file and the fix, on broken copies made here."""

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from tests.homeworks import HW4_DATASETS

REPO = Path(__file__).resolve().parents[2]
GRADER = str(Path(sys.executable).parent / "grader")
FAST = "rubric,written-solution,student-release,variants"
runner = CliRunner()


def workflow_command() -> list[str]:
    """The `grader check-template …` command of the ready-to-copy workflow in docs/."""
    text = (REPO / "docs" / "check-template.yml").read_text()
    [line] = [
        line for line in text.splitlines() if "grader check-template" in line and "run:" in line
    ]
    return line[line.index("grader check-template") :].split()


def broken_copy(tmp_path: Path) -> Path:
    """A copy of the template and its rubric, laid out as in the repo, to break."""
    shutil.copytree(REPO / "reference" / "hw4", tmp_path / "reference" / "hw4")
    shutil.copytree(REPO / "rubrics", tmp_path / "rubrics")
    return tmp_path / "reference" / "hw4"


def check(template: Path, *extra: str):
    return runner.invoke(app, ["check-template", str(template), *extra])


@pytest.mark.sandbox  # the solution notebooks and the student release run in the sandbox
def test_reference_template_passes_as_the_ci_workflow_runs_it(tmp_path):
    command = workflow_command()
    assert command[:3] == ["grader", "check-template", "reference/hw4"]
    junit = tmp_path / "check-template.xml"
    args = [GRADER, *command[1:]]
    args[args.index("--junit") + 1] = str(junit)
    completed = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "5 passed, 0 failed"
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert [case.get("name") for case in suite.iter("testcase")] == [
        "rubric", "written-solution", "solution-notebooks", "student-release", "variants",
    ]  # fmt: skip


def test_json_format(tmp_path):
    result = check(REPO / "reference" / "hw4", "--checks", "rubric,variants", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] is True
    assert [(c["name"], c["ok"], c["skipped"]) for c in data["checks"]][:2] == [
        ("rubric", True, None), ("written-solution", True, "not selected (--checks)"),
    ]  # fmt: skip


def test_solution_leaked_into_the_release(tmp_path):
    template = broken_copy(tmp_path)
    notebook_path = template / "p1_cats_dogs.ipynb"
    notebook = json.loads(notebook_path.read_text())
    # A helpful "hint" that is in fact a line of the solution, in a markdown cell.
    notebook["cells"].insert(1, {"cell_type": "markdown", "id": "hint", "metadata": {},
                                 "source": "Hint: `nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),`"})  # fmt: skip
    notebook_path.write_text(json.dumps(notebook))
    result = check(template, "--checks", "student-release", "--data", "/nonexistent")
    assert result.exit_code == 1
    assert re.search(r"FAIL student-release", result.output)
    assert re.search(
        r"p1_cats_dogs\.ipynb.*solution.*nn\.Conv2d\(3, 16, 3, padding=1\)", result.output
    )


def test_points_not_adding_up(tmp_path):
    template = broken_copy(tmp_path)
    rubric = tmp_path / "rubrics" / "hw4.toml"
    rubric.write_text(rubric.read_text().replace("total_points = 100", "total_points = 105", 1))
    result = check(template, "--checks", "rubric")
    assert result.exit_code == 1
    assert (
        "hw4.toml: question points add up to 100 (63 written + 37 notebooks) but assignment.total_points is 105 (fix: make the points agree)"
        in result.output
    )


def test_question_missing_from_the_rubric(tmp_path):
    template = broken_copy(tmp_path)
    rubric = tmp_path / "rubrics" / "hw4.toml"
    text = rubric.read_text()
    start = text.index("[questions.q9]")
    end = text.index("[questions.q10]")
    text = text[:start] + text[end:]
    rubric.write_text(text.replace("total_points = 100", "total_points = 97", 1))
    result = check(template, "--checks", "rubric")
    assert result.exit_code == 1
    assert (
        "hw4.toml: question q9 is in the assignment but has no rubric entry (fix: add [questions.q9]"
        in result.output
    )


def test_key_no_longer_matches_the_written_solution(tmp_path):
    template = broken_copy(tmp_path)
    parameters = template / "parameters.toml"
    # G becomes all 3s: the key changes, the written solution does not.
    parameters.write_text(
        parameters.read_text().replace(
            "[2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]",
            "[3, 3, 3, 3], [3, 3, 3, 3], [3, 3, 3, 3], [3, 3, 3, 3]",
        )
    )
    result = check(template, "--checks", "written-solution")
    assert result.exit_code == 1
    assert "written_solution.md: q1 grades" in result.output
    assert "(fix: correct the solution, or the parameters if the key is wrong)" in result.output


@pytest.mark.sandbox
def test_solution_notebook_below_threshold(tmp_path, notebook_data_root):
    template = broken_copy(tmp_path)
    notebook_path = template / "p2_cifar10.ipynb"
    notebook = json.loads(notebook_path.read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = source.replace("EPOCHS = 4", "EPOCHS = 0")  # the models stay untrained
    notebook_path.write_text(json.dumps(notebook))
    (template / "p1_cats_dogs.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    result = check(template, "--checks", "solution-notebooks", "--data", str(notebook_data_root))
    assert result.exit_code == 1
    assert re.search(r"p2_cifar10\.ipynb: p2\.baseline scores 0/5, accuracy 0\.\d+", result.output)
    assert "(fix: make the solution reach the rubric's thresholds, or adjust them)" in result.output


@pytest.fixture(scope="module")
def notebook_data_root():
    """The synthetic data check-template makes for HW4 (world-readable, outside the clone),
    created if missing."""
    from grader.cli.template_commands import default_synthetic_root
    from grader.data import write_synthetic_data

    root = default_synthetic_root(HW4_DATASETS)
    if not (root / "dataset.toml").exists():
        write_synthetic_data(root, datasets=HW4_DATASETS, seed=0)
    return root
