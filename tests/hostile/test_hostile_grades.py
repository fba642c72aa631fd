"""Grades that were forged without learning anything (issue #19), through the whole notebook
pipeline: a model that answers by the position of each image (the hidden split used to be in
label order) and a model that looks each image up in a table of the test labels (public for
real CIFAR-10). The first is measured on a secret order, the second is caught by the
perturbed copy; an honest model next to them keeps its grade, and the host is untouched."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from grader.data import load_hidden_split, load_layout
from grader.pipeline.notebook_batch import NotebookOptions, grade_notebooks
from grader.pipeline.notebook_part import NotebookPartResult
from grader.results import Status
from grader.rubric import load_rubric
from grader.storage import Gradebook, open_gradebook
from tests.hostile.conftest import REPO, HostileData, HostWatch, write_notebook


class ByPosition(nn.Module):
    """Never looks at the pixels: counts the images it was given and says "dog" for the second
    half, which is all it takes when the split comes in label order."""

    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total
        self.seen = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(x.shape[0]) + self.seen
        self.seen = self.seen + x.shape[0]
        return (positions >= self.total // 2).float().unsqueeze(1) * 2.0 - 1.0


class LookUp(nn.Module):
    """Answers from a table of the test images' labels, keyed by a fingerprint of the pixels."""

    def __init__(self, table: dict[int, int]) -> None:
        super().__init__()
        self.table = table

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        keys = (x.flatten(1).sum(1) * 1000.0).round().long()
        logits = torch.zeros(x.shape[0], 10)
        for row in range(x.shape[0]):
            key = int(keys[row].item())
            if key in self.table:
                logits[row, self.table[key]] = 1.0
        return logits


COPY_MODEL = """\
import os, shutil
os.makedirs("artifacts", exist_ok=True)
shutil.copy("{source}", "artifacts/{target}.pt")
print("copied")
"""


def _save(module: nn.Module, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit.*", category=DeprecationWarning)
        torch.jit.script(module).save(str(path))
    path.chmod(0o644)


@pytest.fixture(scope="module")
def graded(data: HostileData, public_root: Path, session_watch: HostWatch, kernel_env):
    rubric = load_rubric(REPO / "rubrics" / "hw4.toml")
    layout = load_layout(data.root)
    cats_dogs = load_hidden_split(layout, "cats_vs_dogs", data.cache)
    cifar = load_hidden_split(layout, "cifar10", data.cache)
    inputs = torch.from_numpy(np.load(cifar.inputs_path))
    keys = (inputs.flatten(1).sum(1) * 1000.0).round().long().tolist()  # as the model computes
    table = {int(k): int(label) for k, label in zip(keys, cifar.labels, strict=True)}
    assert len(table) == len(inputs)  # every test image has its own fingerprint
    students = {}
    for student, module, notebook, target in (
        ("counter", ByPosition(cats_dogs.count), "p1_cats_dogs.ipynb", "p1.scratch"),
        ("lookup", LookUp(table), "p2_cifar10.ipynb", "p2.baseline"),
    ):
        folder = public_root / "grades" / student
        folder.mkdir(parents=True)
        _save(module, folder / "model.pt")
        write_notebook(folder, COPY_MODEL.format(source="model.pt", target=target), name=notebook)
        students[student] = folder
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    run_id = gradebook.start_run(
        rubric_path=str(rubric.path), rubric_hash=rubric.content_hash, tool_version="test",
        options={},
    )  # fmt: skip
    results: dict[str, NotebookPartResult] = {}
    grade_notebooks(
        list(students.items()),
        rubric=rubric,
        options=NotebookOptions(
            data_root=data.root,
            kernel_env=kernel_env,
            workers=1,
            timeout_seconds=60,
            cache_dir=data.cache,
        ),
        gradebook=gradebook,
        run_id=run_id,
        on_result=lambda result: results.__setitem__(result.submission.student_id, result),
    )
    by_student = {
        student: {q.question_id: q for q in result.submission.results}
        for student, result in results.items()
    }
    return by_student, session_watch.problems(), data.cache


def test_a_model_that_counts_positions_gets_chance_not_full_marks(graded, host):
    questions, host_problems, _ = graded
    scratch = questions["counter"]["p1.scratch"]
    # In label order it scored 1.000; in this run's secret order it is a coin toss.
    assert scratch.details["value"] < 0.8, scratch.details
    assert scratch.points < 0.5 * scratch.max_points
    assert host_problems == []
    host.assert_clean()


def test_a_model_that_looks_answers_up_goes_to_a_person(graded, host):
    questions, _, _ = graded
    baseline = questions["lookup"]["p2.baseline"]
    assert baseline.details["value"] == 1.0  # every original test image found in its table
    assert baseline.details["perturbed_value"] < 0.3  # its one-pixel-shifted copy is not
    assert baseline.details["perturbation"] == "shift"
    assert "perturbation_drop" in baseline.details["flags"]
    assert baseline.status is Status.NEEDS_REVIEW
    assert (
        "On a copy of the test inputs shifted by one pixel (labels unchanged), the accuracy "
        "falls to " in baseline.feedback
    )
    assert baseline.feedback.endswith("A person will check this.")
    host.assert_clean()


def test_this_run_s_copy_of_the_hidden_inputs_is_gone_afterwards(graded):
    _, _, cache = graded
    assert [p.name for p in cache.iterdir() if p.name.startswith("run-")] == []
