"""Run a set of notebooks through the real notebook pipeline (sandbox, hidden-test evaluation) as one
pretend student, for `check-template`: the solution must earn every point, the release none.

Uses an in-memory gradebook; never touches the course's gradebook.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.pipeline.notebook_batch import NotebookOptions, grade_notebooks
from grader.pipeline.notebook_part import NotebookPartResult
from grader.results import NotebookRunRecord, QuestionResult
from grader.rubric.model import Rubric
from grader.storage import Gradebook, open_gradebook


@dataclass(frozen=True)
class NotebookGrades:
    """What the notebook part gave one set of notebooks."""

    results: tuple[QuestionResult, ...]
    runs: tuple[NotebookRunRecord, ...]
    problems: tuple[str, ...]


def grade_notebook_set(
    notebooks: Sequence[Path], *, rubric: Rubric, options: NotebookOptions, label: str
) -> NotebookGrades:
    """Copy `notebooks` into a one-student submission and grade its notebook part for real."""
    root = Path(tempfile.mkdtemp(prefix=f"check-{label}-"))
    try:
        student_dir = root / label
        student_dir.mkdir()
        for notebook in notebooks:
            shutil.copyfile(notebook, student_dir / notebook.name)
        gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
        run_id = gradebook.start_run(
            rubric_path=str(rubric.path), rubric_hash=rubric.content_hash, tool_version=__version__,
            options={"check_template": label},
        )  # fmt: skip
        collected: list[NotebookPartResult] = []
        grade_notebooks(
            [(label, student_dir)],
            rubric=rubric,
            options=options,
            gradebook=gradebook,
            run_id=run_id,
            on_result=collected.append,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    [result] = collected
    return NotebookGrades(
        result.submission.results, result.notebook_runs, result.submission.problems
    )
