"""Hostile students graded through the whole notebook pipeline (`grade_notebooks`: Dask workers,
sandboxed execution, sandboxed hidden-test evaluation, scoring, the gradebook and the export),
on tiny synthetic data, with the shipped rubric and short limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from grader.exports.json_format import export_json
from grader.pipeline.notebook_batch import NotebookOptions, grade_notebooks
from grader.pipeline.notebook_part import NotebookPartResult
from grader.results import NotebookRunRecord, QuestionResult, Status
from grader.rubric import load_rubric
from grader.storage import Gradebook, open_gradebook
from tests.hostile.conftest import REPO, HostileData, HostWatch, write_notebook

CELL_TIMEOUT = 5.0  # importing torch takes 1.3 s idle, more on two busy cores

SAVE_CONSTANT_MODEL = """\
import os, torch
from torch import nn
os.makedirs("artifacts", exist_ok=True)

class AlwaysDog(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 1))
    def forward(self, x):
        return self.body(x) * 0 + 1.0  # logit > 0 for every image: always "dogs"

torch.jit.script(AlwaysDog().eval()).save("artifacts/p1.scratch.pt")
print("saved")
"""

STUDENTS = {
    # A constant predictor, and a printed claim of 0.99 test accuracy.
    "forger": (SAVE_CONSTANT_MODEL, 'print("p1.scratch test accuracy: 0.99")'),
    # Saves the model, then loops forever.
    "looper": (SAVE_CONSTANT_MODEL, "while True:\n    pass", "print('never runs')"),
    # Artifacts that point at the decoded labels (symlink) and at its own notebook (hard link).
    "linker": (
        "import os\nos.makedirs('artifacts')\n"
        "os.symlink(LABELS, 'artifacts/p1.scratch.pt')\n"
        "os.link('p1_cats_dogs.ipynb', 'artifacts/p1.transfer.pt')\nprint('planted')",
    ),
    # Kills everything it can, and leaves two daemons behind, while a Dask worker drives it.
    "killer": (
        "import os, signal, time\n"
        "for target in (-1, 1):\n"
        "    try:\n        os.kill(target, signal.SIGKILL)\n    except OSError:\n        pass\n"
        "for _ in range(2):\n"
        "    if os.fork() == 0:\n        os.setsid()\n"
        "        if os.fork() == 0:\n            os.execvp('sleep', ['sleep', '100000'])\n"
        "        os._exit(0)\n    os.wait()\n"
        "print('survived')",
    ),
    # Saves the model, then deletes the runner's status file and stops the runner from writing
    # another: the run status says the sandbox failed, but the model is still measured.
    "eraser": (
        SAVE_CONSTANT_MODEL,
        "import gc, glob, os\n"
        "for runner in [o for o in gc.get_objects() if type(o).__name__ == 'NotebookRun']:\n"
        "    runner.save = lambda **options: None\n"
        "for path in glob.glob('.grader/status-*.json'):\n    os.remove(path)\n"
        "print('erased')",
    ),
}


@dataclass(frozen=True)
class Graded:
    results: dict[str, NotebookPartResult]
    gradebook: Gradebook
    host_problems: list[str]  # checked right after grading, before any test looks

    def question(self, student: str, question_id: str) -> QuestionResult:
        """As stored in the gradebook."""
        [grades] = self.gradebook.latest_grades(student)
        return next(q for q in grades.questions if q.question_id == question_id)

    def run_record(self, student: str) -> NotebookRunRecord:
        [p1, p2] = self.gradebook.notebook_runs(student)
        assert (p1.notebook, p2.notebook, p2.status) == (
            "p1_cats_dogs.ipynb",
            "p2_cifar10.ipynb",
            "missing",
        )
        return p1

    def exported(self, student: str, question_id: str) -> dict:
        catalogue = load_rubric(REPO / "rubrics" / "hw4.toml").catalogue
        grades = self.gradebook.latest_grades(student, catalogue=catalogue)
        [exported] = json.loads(export_json(grades, catalogue))["students"]
        return next(q for q in exported["questions"] if q["id"] == question_id)


@pytest.fixture(scope="module")
def graded(data: HostileData, public_root: Path, session_watch: HostWatch, kernel_env) -> Graded:
    shipped = load_rubric(REPO / "rubrics" / "hw4.toml")
    short = shipped.notebooks.model_copy(
        update={"cell_timeout_seconds": CELL_TIMEOUT, "evaluation_timeout_seconds": 60}
    )
    rubric = shipped.model_copy(update={"notebooks": short})
    students = []
    for student, cells in STUDENTS.items():
        folder = public_root / "pipeline" / student
        preamble = f"LABELS = {str(data.labels_cache)!r}"
        write_notebook(folder, preamble, *cells)
        students.append((student, folder))
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    run_id = gradebook.start_run(
        rubric_path=str(rubric.path),
        rubric_hash=rubric.content_hash,
        tool_version="test",
        options={},
    )
    results: dict[str, NotebookPartResult] = {}
    grade_notebooks(
        students,
        rubric=rubric,
        options=NotebookOptions(
            data_root=data.root,
            kernel_env=kernel_env,
            workers=2,
            timeout_seconds=15,
            cache_dir=data.cache,
        ),
        gradebook=gradebook,
        run_id=run_id,
        on_result=lambda result: results.__setitem__(result.submission.student_id, result),
    )
    return Graded(results, gradebook, session_watch.problems())


def expected_accuracy(data: HostileData) -> float:
    """What "always dogs" (class 1) scores on the hidden cats_vs_dogs split."""
    return round(float(np.mean(np.asarray(data.cats_dogs_labels) == 1)), 4)


def test_every_hostile_student_is_graded_and_the_host_is_untouched(graded, host):
    assert set(graded.results) == set(STUDENTS)
    for result in graded.results.values():  # no worker crash, no lost task
        assert not any("notebook grading failed" in p for p in result.submission.problems)
    assert graded.host_problems == []
    host.assert_clean()


def test_forged_accuracy_in_the_output_is_measured_for_real_and_flagged(graded, data, host):
    scratch = graded.question("forger", "p1.scratch")
    assert scratch.status is Status.GRADED, scratch.feedback
    assert scratch.details["accuracy"] == expected_accuracy(data) != 0.99
    assert scratch.details["reported_accuracy"] == 0.99
    assert scratch.details["flags"] == ["reported_accuracy_gap"]
    exported = graded.exported("forger", "p1.scratch")
    assert exported["accuracy"] == expected_accuracy(data)
    assert "reported_accuracy_gap" in exported["flags"]
    assert graded.run_record("forger").status == "ok"
    host.assert_clean()


def test_infinite_loop_times_out_and_the_model_saved_before_is_still_evaluated(graded, data, host):
    record = graded.run_record("looper")
    assert (record.status, record.failed_cell, record.error_name) == ("timeout", 2, "CellTimeout")
    assert record.message == f"cell 3 (In [3]) ran past its {CELL_TIMEOUT:g} s timeout"
    executed = json.loads(record.executed_notebook)
    assert executed["cells"][1]["outputs"][0]["text"] == "saved\n"
    scratch = graded.question("looper", "p1.scratch")
    assert scratch.status is Status.GRADED, scratch.feedback
    assert scratch.details["accuracy"] == expected_accuracy(data)
    assert any(
        "ran past its" in problem for problem in graded.results["looper"].submission.problems
    )
    host.assert_clean()


def test_artifact_symlinked_to_the_labels_is_not_evaluated_and_the_labels_are_untouched(
    graded, host
):
    record = graded.run_record("linker")
    assert record.status == "ok", record.message
    assert record.message.endswith(
        "; artifacts/p1.scratch.pt is a symlink: not collected"
        "; artifacts/p1.transfer.pt is a hard link: not collected"
    )
    for question_id in ("p1.scratch", "p1.transfer"):
        question = graded.question("linker", question_id)
        assert question.status is Status.MISSING
        assert question.feedback == f"artifacts/{question_id}.pt was not saved"
        assert question.details.get("accuracy") is None
        assert graded.exported("linker", question_id)["accuracy"] is None
    host.assert_clean()  # the labels cache and the hidden split are among the watched files


def test_killing_everything_from_a_dask_task_reaches_neither_the_worker_nor_the_host(graded, host):
    record = graded.run_record("killer")
    assert record.status == "ok", record.message
    executed = json.loads(record.executed_notebook)
    assert executed["cells"][1]["outputs"][0]["text"] == "survived\n"
    scratch = graded.question("killer", "p1.scratch")
    assert (scratch.status, scratch.feedback) == (
        Status.MISSING,
        "artifacts/p1.scratch.pt was not saved",
    )
    host.assert_clean()  # the daemons it left are gone


def test_a_run_status_erased_by_the_notebook_changes_no_score(graded, data, host):
    record = graded.run_record("eraser")
    assert record.status == "sandbox_error"
    assert record.message.startswith(
        "the notebook runner left no usable status (no status file came back"
    )
    scratch = graded.question("eraser", "p1.scratch")
    assert scratch.status is Status.GRADED, scratch.feedback
    assert scratch.details["accuracy"] == expected_accuracy(data)
    assert (
        graded.question("eraser", "p1.scratch").points
        == graded.question("forger", "p1.scratch").points
    )
    host.assert_clean()
