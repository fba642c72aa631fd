"""HW5's notebook part end to end in the sandbox: its sample class (a good notebook, a weak one,
one that crashes halfway, one that forgets to save a model, two without a notebook) graded on
synthetic `.npz` sequences, with a recurrent and an attention requirement and macro-F1."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from grader.data import write_synthetic_data
from grader.pipeline import GradeOptions, grade_submissions
from grader.pipeline.notebook_batch import NotebookOptions
from grader.results import Status
from grader.rubric import load_rubric
from grader.sandbox import default_kernel_env
from grader.storage import Gradebook, open_gradebook
from tests.homeworks import HW5_RUBRIC, REPO

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def graded():
    root = Path(tempfile.mkdtemp(prefix="hw-grader-hw5-"))
    root.chmod(0o755)  # the sandbox uid must traverse it to mount the training data
    try:
        rubric = load_rubric(HW5_RUBRIC)
        data = write_synthetic_data(root / "data", datasets=rubric.datasets, seed=0)
        gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
        options = GradeOptions(
            notebooks=NotebookOptions(data_root=data, kernel_env=default_kernel_env(), workers=2,
                                      cache_dir=root / "cache"),
        )  # fmt: skip
        summary = grade_submissions(
            REPO / "submissions-hw5",
            rubric=rubric,
            gradebook=gradebook,
            reports_dir=None,
            options=options,
        )
        grades = {
            g.student_id: {q.question_id: q for q in g.questions if q.question_id.startswith("p1.")}
            for g in gradebook.latest_grades()
        }
        yield summary, grades
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_good_notebook_earns_every_notebook_point(graded):
    _, grades = graded
    ana = grades["ana"]
    assert {qid: (q.points, q.status) for qid, q in ana.items()} == {
        "p1.recurrent": (6, Status.GRADED),
        "p1.attention": (6, Status.GRADED),
    }
    assert ana["p1.recurrent"].details["measure"] == "accuracy"
    assert ana["p1.recurrent"].details["structure"]["message"] == (
        "the required layers ran: 1 recurrent (LSTM, GRU or RNN)."
    )
    attention = ana["p1.attention"]
    assert attention.details["measure"] == "macro_f1" and attention.details["value"] >= 0.85
    assert attention.feedback.startswith("Measured macro-F1 on the hidden test split: ")


def test_the_weak_notebook_gets_partial_credit_and_no_structure_points(graded):
    _, grades = graded
    recurrent, attention = grades["ben"]["p1.recurrent"], grades["ben"]["p1.attention"]
    assert 0.4 < recurrent.details["value"] < 0.85 and 0 < recurrent.points < 6
    assert attention.details["structure"]["passed"] is False
    assert "missing layers: attention" in attention.feedback
    assert attention.status is Status.GRADED  # the ops were counted: no person needed


def test_a_crash_halfway_keeps_the_model_saved_before_it(graded):
    _, grades = graded
    chloe = grades["chloe"]
    assert (chloe["p1.recurrent"].points, chloe["p1.recurrent"].status) == (6, Status.GRADED)
    lost = chloe["p1.attention"]
    assert (lost.points, lost.status) == (0, Status.MISSING)
    assert lost.feedback.startswith("artifacts/p1.attention.pt was not saved; the notebook run ")
    assert "The size of tensor a (20) must match the size of tensor b (10)" in lost.feedback


def test_a_model_never_saved_is_missing_with_the_reason(graded):
    _, grades = graded
    dev = grades["dev"]
    assert dev["p1.recurrent"].points == 6
    assert (dev["p1.attention"].status, dev["p1.attention"].feedback) == (
        Status.MISSING,
        "artifacts/p1.attention.pt was not saved",
    )
    for student in ("eli", "farah"):  # no notebook handed in
        assert all(q.status is Status.MISSING for q in grades[student].values())
        assert grades[student]["p1.recurrent"].feedback == (
            f"{student}/p1_sequences.ipynb not found (fix: submit the notebook under this name)"
        )
