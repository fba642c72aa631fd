"""The notebook part through the real pipeline: sandboxed execution, hidden-test evaluation,
scores, statuses, stored notebook runs and exports, on tiny synthetic data."""

import json
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.data import write_synthetic_data
from grader.exports.json_format import export_json
from grader.pipeline import GradeOptions, grade_submissions
from grader.pipeline.notebook_batch import NotebookOptions
from grader.results import Status
from grader.rubric import load_rubric
from grader.sandbox import default_kernel_env
from grader.storage import Gradebook, open_gradebook
from tests.fixtures.written_answers import marked_answers
from tests.homeworks import HW4_DATASETS

pytestmark = pytest.mark.sandbox  # every test grades notebooks in the sandbox on Dask workers

SAVE_CONSTANT_CNN = """\
import os, torch
from torch import nn
os.makedirs("artifacts", exist_ok=True)

class AlwaysDog(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 4, 3),
                                  nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 1))
    def forward(self, x):
        return self.body(x) * 0 + 1.0   # logit > 0: always class 1 ("dogs")

torch.jit.script(AlwaysDog().eval()).save("artifacts/p1.scratch.pt")
"""
FIGURES = """\
import matplotlib.pyplot as plt
for k in range(2):
    plt.figure(); plt.plot([0, 1], [k, 1 - k]); plt.show()
"""


def notebook(*cells: str, markdown: str | None = None) -> nbformat.NotebookNode:
    extra = [new_markdown_cell(markdown)] if markdown else []
    return new_notebook(cells=[new_code_cell(c) for c in cells] + extra)


@pytest.fixture(scope="module")
def world_readable_root():
    root = Path(tempfile.mkdtemp(prefix="hw-grader-nb-"))
    root.chmod(0o755)  # the sandbox uid must traverse it to mount the training data
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def data_root(world_readable_root):
    return write_synthetic_data(
        world_readable_root / "data", datasets=HW4_DATASETS, scale="tiny", seed=1
    )


@pytest.fixture(scope="module")
def rubric(world_readable_root):
    text = Path("rubrics/hw4.toml").read_text()
    text = text.replace("timeout_seconds = 900", "timeout_seconds = 40")
    text = text.replace("cell_timeout_seconds = 600", "cell_timeout_seconds = 6")
    text = text.replace(
        'parameters = "../reference/hw4/parameters.toml"',
        f'parameters = "{Path("reference/hw4/parameters.toml").resolve()}"',
    )
    path = world_readable_root / "rubric.toml"
    path.write_text(text)
    return load_rubric(path)


@pytest.fixture(scope="module")
def graded(world_readable_root, data_root, rubric):
    subs = world_readable_root / "subs"
    students = {
        # saves a structured constant model, two figures, and claims a test accuracy it does not have
        "forger": notebook(SAVE_CONSTANT_CNN, FIGURES, 'print("p1.scratch test accuracy: 0.99")'),
        # saves the model, then crashes
        "crasher": notebook(SAVE_CONSTANT_CNN, "1 / 0", FIGURES),
        # saves the model, then never finishes its cell
        "sleeper": notebook(SAVE_CONSTANT_CNN, "import time\nwhile True: time.sleep(1)"),
        # nothing submitted
        "absent": None,
    }
    for name, p1 in students.items():
        (subs / name).mkdir(parents=True)
        (subs / name / "written.md").write_text(marked_answers({1: "45 45\n54 54"}))
        if p1 is not None:
            nbformat.write(p1, subs / name / "p1_cats_dogs.ipynb")
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    options = GradeOptions(
        notebooks=NotebookOptions(data_root=data_root, kernel_env=default_kernel_env(), workers=2,
                                  cache_dir=world_readable_root / "cache"),
    )  # fmt: skip
    summary = grade_submissions(
        subs, rubric=rubric, gradebook=gradebook, reports_dir=None, options=options
    )
    grades = {
        g.student_id: {q.question_id: q for q in g.questions} for g in gradebook.latest_grades()
    }
    return summary, grades, gradebook


def test_constant_model_measured_structure_checked_and_forgery_flagged(graded, rubric):
    _, grades, gradebook = graded
    scratch = grades["forger"]["p1.scratch"]
    assert scratch.status is Status.GRADED
    assert scratch.details["accuracy"] == 0.5  # tiny hidden split: 10 cats, 10 dogs
    assert scratch.details["structure"]["passed"] is True
    assert scratch.points == pytest.approx(
        1.5
    )  # accuracy share 0 (≤ zero_at), structure share 0.25 of 6
    assert scratch.details["flags"] == ["reported_accuracy_gap"]
    assert scratch.details["reported_accuracy"] == 0.99
    forger = gradebook.latest_grades("forger", catalogue=rubric.catalogue)
    exported = json.loads(export_json(forger, rubric.catalogue))["students"][0]
    p1 = next(q for q in exported["questions"] if q["id"] == "p1.scratch")
    assert p1["accuracy"] == 0.5 and p1["flags"] == ["reported_accuracy_gap"]
    assert grades["forger"]["p1.visualize"].points == 3  # two figures
    assert grades["forger"]["p1.transfer"].status is Status.MISSING
    assert "artifacts/p1.transfer.pt was not saved" in grades["forger"]["p1.transfer"].feedback


def test_crash_keeps_models_saved_before_it(graded):
    _, grades, gradebook = graded
    assert grades["crasher"]["p1.scratch"].details["accuracy"] == 0.5
    visualize = grades["crasher"]["p1.visualize"]
    assert visualize.points == 0 and "ZeroDivisionError" in visualize.feedback
    [p1_run, p2_run] = gradebook.notebook_runs("crasher")
    assert (p1_run.notebook, p1_run.status, p1_run.failed_cell, p1_run.error_name) == (
        "p1_cats_dogs.ipynb", "error", 1, "ZeroDivisionError",
    )  # fmt: skip
    assert "ZeroDivisionError" in p1_run.traceback
    executed = json.loads(p1_run.executed_notebook)
    assert executed["cells"][1]["outputs"][0]["ename"] == "ZeroDivisionError"
    assert (p2_run.notebook, p2_run.status) == ("p2_cifar10.ipynb", "missing")


def test_timeout_keeps_models_saved_before_it(graded):
    _, grades, gradebook = graded
    assert grades["sleeper"]["p1.scratch"].details["accuracy"] == 0.5
    [p1_run, _] = gradebook.notebook_runs("sleeper")
    assert p1_run.status == "timeout" and p1_run.failed_cell == 1


def test_missing_notebooks_and_totals(graded):
    summary, grades, _ = graded
    assert {q.status for qid, q in grades["absent"].items() if "." in qid} == {Status.MISSING}
    assert "p1_cats_dogs.ipynb not found" in grades["absent"]["p1.scratch"].feedback
    assert grades["absent"]["q1"].points == 3  # the written part is graded in the same run
    assert summary.points["forger"] == pytest.approx(3 + 1.5 + 3)


def test_unavailable_sandbox_runs_nothing_and_says_why(tmp_path, data_root, rubric):
    (tmp_path / "s1").mkdir()
    nbformat.write(notebook(SAVE_CONSTANT_CNN), tmp_path / "s1" / "p1_cats_dogs.ipynb")
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    options = GradeOptions(
        notebooks=NotebookOptions(data_root=data_root, kernel_env=tmp_path / "no-env")
    )
    summary = grade_submissions(
        tmp_path, rubric=rubric, gradebook=gradebook, reports_dir=None, options=options
    )
    [grades] = gradebook.latest_grades()
    models = [q for q in grades.questions if "." in q.question_id]
    assert {q.status for q in models} == {Status.ERROR}
    assert (
        "sandbox is unavailable" in models[0].feedback and "make kernel-env" in models[0].feedback
    )
    assert "s1" in summary.needs_attention
    assert gradebook.notebook_runs("s1") == []  # nothing ran


def test_missing_data_root_names_the_fix(tmp_path, rubric):
    (tmp_path / "s1").mkdir()
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    options = GradeOptions(
        only="notebooks", notebooks=replace(NotebookOptions(), data_root=tmp_path / "nope")
    )
    grade_submissions(
        tmp_path, rubric=rubric, gradebook=gradebook, reports_dir=None, options=options
    )
    [grades] = gradebook.latest_grades()
    assert all(q.status is Status.ERROR for q in grades.questions)
    assert "grader data synth" in grades.questions[0].feedback
