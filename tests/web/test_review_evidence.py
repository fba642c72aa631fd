"""What a reviewer sees besides text: a scan's page images, a notebook question's measured
and reported accuracy, flags and how the notebook ran."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from starlette.testclient import TestClient

from grader.results import (
    NotebookRunRecord,
    NotebookRunStatus,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    SubmissionResult,
)
from grader.storage import Gradebook, open_gradebook
from grader.web import ReviewConfig, create_app
from tests.web.conftest import RUBRIC

EXECUTED = {
    "cells": [
        {
            "cell_type": "code",
            "source": "train()",
            "outputs": [{"output_type": "stream", "text": "loss 0.1"}],
        },
        {
            "cell_type": "code",
            "source": "print(acc)",
            "outputs": [
                {"output_type": "stream", "text": ["\x1b[1mbaseline test accuracy: 93%\x1b[0m"]}
            ],
        },
        {
            "cell_type": "code",
            "source": "baseline",
            "outputs": [
                {"output_type": "execute_result", "data": {"text/plain": "<b>Baseline()</b>"}}
            ],
        },
    ]
}


def test_a_scan_shows_its_pages_and_a_notebook_question_its_accuracy(tmp_path: Path):
    page = tmp_path / "pages" / "zoe" / "page-001.png"
    page.parent.mkdir(parents=True)
    Image.new("RGB", (60, 80), "white").save(page)
    db = tmp_path / "grades.sqlite"
    gradebook = Gradebook(open_gradebook(db))
    run = gradebook.start_run(
        rubric_path=str(RUBRIC), rubric_hash="h", tool_version="t", options={}
    )
    scan = QuestionResult(
        "q2",
        0.0,
        3.0,
        Status.NEEDS_REVIEW,
        feedback="Scanned: a person grades it.",
        review_reason=ReviewReason.NO_TEXT_LAYER,
        details={"page_images": [str(page)]},
    )
    model = QuestionResult(
        "p2.baseline",
        4.0,
        10.0,
        Status.NEEDS_REVIEW,
        feedback="Reported accuracy far above measured.",
        review_reason=ReviewReason.AMBIGUOUS,
        details={"accuracy": 0.41, "reported_accuracy": 0.93, "flags": ["reported_accuracy_gap"]},
    )
    gradebook.record_submissions(
        run,
        [
            SubmissionResult("zoe", Part.WRITTEN, "zoe/scan.pdf", "a", (scan,)),
            SubmissionResult("zoe", Part.NOTEBOOKS, "zoe/p2_cifar10.ipynb", "b", (model,)),
        ],
    )
    gradebook.record_notebook_runs(
        run,
        [
            NotebookRunRecord(
                "zoe",
                "p2_cifar10.ipynb",
                NotebookRunStatus.OK,
                "ran to the end",
                wall_seconds=42.0,
                executed_notebook=json.dumps(EXECUTED).encode(),
            ),
            NotebookRunRecord(
                "zoe", "p1_cats_dogs.ipynb", NotebookRunStatus.OK, "ran", wall_seconds=9.0
            ),
        ],
    )
    client = TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="anna")))
    html = client.get("/answer/zoe/q2").text
    assert 'src="/answer/zoe/q2/pages/1"' in html
    image = client.get("/answer/zoe/q2/pages/1")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == page.read_bytes()
    assert client.get("/answer/zoe/q2/pages/2").status_code == 404
    assert client.get("/answer/zoe/q1/pages/1").status_code == 404  # q1 lists no pages
    notebook = client.get("/answer/zoe/p2.baseline").text
    assert "Measured accuracy 0.41; reported 0.93" in notebook
    assert "Flags: reported_accuracy_gap" in notebook
    assert "Notebook p2_cifar10.ipynb: ok" in notebook and "ran to the end (42 s)" in notebook
    assert "p1_cats_dogs" not in notebook  # the other notebook is not this question's
    assert '<p>Cell 2:</p><pre class="cell-output">baseline test accuracy: 93%</pre>' in notebook
    assert "loss 0.1" not in notebook  # a cell that names neither the model nor accuracy
    assert "&lt;b&gt;" in notebook  # outputs are escaped
