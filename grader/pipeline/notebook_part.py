"""Grade one student's notebooks: execute each in the sandbox, evaluate every saved model, score.

Runs on a Dask worker (or in-process): the task and its result are plain,
picklable data. It never writes the gradebook; the coordinator does. No points
depend on the notebook's run status, which student code can rewrite: models are
measured from the artifacts that came back, figures counted in the executed notebook.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from grader.evaluation.hidden_test import ModelJob, evaluate_models
from grader.kinds.accuracy import ModelQuestion
from grader.kinds.base import NotebookQuestion
from grader.kinds.evidence import NotebookEvidence, unavailable_model
from grader.kinds.table import kind_of
from grader.notebooks import NotebookRun, execute_notebook
from grader.results import (
    NotebookRunRecord,
    NotebookRunStatus,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    SubmissionResult,
)
from grader.sandbox import Sandbox, SandboxLimits
from grader.scheduling import worker_slot
from grader.storage.notebook_runs import MAX_STORED_NOTEBOOK_BYTES


@dataclass(frozen=True)
class HiddenInputs:
    """A hidden test split as this run shows it (`grader.data.evaluation_split`): inputs on disk
    in a secret order (mounted for the model), targets in memory, which rows are the perturbed
    copy of the memorisation check."""

    inputs_path: Path
    labels: np.ndarray
    perturbed: np.ndarray | None = None
    perturbation: str = "none"
    margin: float = 0.15


@dataclass(frozen=True)
class NotebookTask:
    """Everything a worker needs to grade one student's notebooks."""

    student_id: str
    student_dir: Path
    models: Mapping[str, NotebookQuestion]
    dataset_name: str
    training_data: Path | None
    hidden: Mapping[str, HiddenInputs]
    kernel_env: Path
    limits: SandboxLimits
    evaluation_limits: SandboxLimits
    cell_timeout: float
    reported_tolerance: float
    classes: Mapping[str, int] = field(default_factory=dict)  # per model question (0: real targets)
    data_aliases: tuple[str, ...] = ()
    unsandboxed: bool = False
    devices: tuple[str, ...] = ()  # GPU device nodes passed in (--gpu on a machine with one)
    scratch_root: Path | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)  # set when notebooks cannot run at all


@dataclass(frozen=True)
class NotebookPartResult:
    submission: SubmissionResult
    notebook_runs: tuple[NotebookRunRecord, ...]


def _record(student_id: str, notebook: str, run: NotebookRun) -> NotebookRunRecord:
    executed = None
    if (
        run.executed_notebook_path is not None
        and run.executed_notebook_path.stat().st_size <= MAX_STORED_NOTEBOOK_BYTES
    ):
        executed = run.executed_notebook_path.read_bytes()
    return NotebookRunRecord(
        student_id=student_id,
        notebook=notebook,
        status=run.status,
        message=run.message,
        failed_cell=run.failed_cell,
        error_name=run.error_name,
        error_value=run.error_value,
        traceback=run.traceback or None,
        wall_seconds=round(run.wall_seconds, 3),
        executed_notebook=executed,
    )


def _all_error(task: NotebookTask, message: str) -> NotebookPartResult:
    """Notebooks could not run at all (no sandbox, no data): every model question is an error."""
    results = tuple(
        unavailable_model(qid, question, Status.ERROR, message)
        for qid, question in task.models.items()
    )
    return NotebookPartResult(
        SubmissionResult(task.student_id, Part.NOTEBOOKS, None, None, results, (message,)), ()
    )


def grade_notebook_part(task: NotebookTask) -> NotebookPartResult:
    """Execute the student's notebooks and score every model question; failures become statuses."""
    if task.problems:
        return _all_error(task, task.problems[0])
    scratch = Path(tempfile.mkdtemp(prefix=f"grade-{task.student_id}-", dir=task.scratch_root))
    try:
        return _grade(task, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@functools.cache
def _sandbox(kernel_env: Path, slot: int, unsandboxed: bool) -> Sandbox:
    """One Sandbox per worker process and slot: its self-check (a sandbox run of its own,
    ~55 ms) then runs once per worker instead of once per student. The slot comes from
    `worker_slot()`, which this worker thread holds alone on its host (a uid of its own)."""
    return Sandbox(kernel_env=kernel_env, slot=slot, unsandboxed=unsandboxed)


def _grade(task: NotebookTask, scratch: Path) -> NotebookPartResult:
    """Run every notebook, then measure all saved models in one sandbox run, then score."""
    sandbox = _sandbox(task.kernel_env, worker_slot(), task.unsandboxed)
    results: dict[str, QuestionResult] = {}
    records: list[NotebookRunRecord] = []
    problems: list[str] = []
    runs: dict[str, NotebookRun] = {}  # question id -> the run of its notebook
    notebooks = dict.fromkeys(q.notebook for q in task.models.values())
    for index, notebook in enumerate(notebooks):
        questions = {qid: q for qid, q in task.models.items() if q.notebook == notebook}
        path = task.student_dir / notebook
        if not path.is_file() or path.is_symlink():
            message = (
                f"{task.student_id}/{notebook} not found (fix: submit the notebook under this name)"
            )
            records.append(
                NotebookRunRecord(task.student_id, notebook, NotebookRunStatus.MISSING, message)
            )
            for qid, question in questions.items():
                results[qid] = unavailable_model(qid, question, Status.MISSING, message)
            continue
        run = execute_notebook(
            path,
            submission_dir=task.student_dir,
            sandbox=sandbox,
            data_mount=task.training_data,
            limits=task.limits,
            cell_timeout=task.cell_timeout,
            out_dir=scratch / f"nb{index}",
            devices=task.devices,
            data_aliases=task.data_aliases,
        )
        records.append(_record(task.student_id, notebook, run))
        # The run status is advisory (the notebook's code can rewrite or delete what the runner
        # reports): a run that brought anything back is scored from that, whatever it says.
        nothing_came_back = not run.artifacts and run.executed_notebook is None
        if run.status == NotebookRunStatus.UNREADABLE:  # a person must see it, never a quiet 0
            message = f"{task.student_id}/{notebook}: {run.message}"
            problems.append(message)
            for qid, question in questions.items():
                results[qid] = unavailable_model(qid, question, Status.ERROR, message)
            continue
        if run.status == NotebookRunStatus.SANDBOX_ERROR and nothing_came_back:
            problems.append(run.message)
            for qid, question in questions.items():
                results[qid] = unavailable_model(qid, question, Status.ERROR, run.message)
            continue
        if run.status != NotebookRunStatus.OK:
            problems.append(run.message)
        runs.update(dict.fromkeys(questions, run))
    jobs = _model_jobs(task, runs, results)
    evaluations = evaluate_models(
        jobs,
        sandbox=sandbox,
        limits=task.evaluation_limits,
        out_dir=scratch / "eval",
        devices=task.devices,
    )
    for qid, run in runs.items():
        if qid in results:
            continue
        question = task.models[qid]
        results[qid] = kind_of(question.kind).score_notebook(
            qid,
            question,
            NotebookEvidence(
                run=run,
                evaluation=evaluations.get(qid),
                dataset_name=task.dataset_name,
                reported_tolerance=task.reported_tolerance,
            ),
        )
    for notebook in notebooks:
        _route_missing_package(task, notebook, runs, results, problems)
    ordered = tuple(results[qid] for qid in task.models)
    submission = SubmissionResult(
        task.student_id, Part.NOTEBOOKS, f"{task.student_id}/", None, ordered, tuple(problems)
    )
    return NotebookPartResult(submission, tuple(records))


MISSING_MODULE = re.compile(r"No module named '([A-Za-z0-9_.]+)'")


def missing_package(run: NotebookRun) -> str | None:
    """The top-level package a notebook failed importing (`import torchvision` in a kernel
    without it), or None."""
    if run.error_name not in ("ModuleNotFoundError", "ImportError"):
        return None
    match = MISSING_MODULE.search(run.error_value or "")
    return match.group(1).split(".")[0] if match else None


def _route_missing_package(
    task: NotebookTask,
    notebook: str,
    runs: Mapping[str, NotebookRun],
    results: dict[str, QuestionResult],
    problems: list[str],
) -> None:
    """A notebook that stopped importing a package the kernel lacks is the course's call, not
    a quiet zero: every question of it that lost points goes to a person, saying which package."""
    questions = [qid for qid, q in task.models.items() if q.notebook == notebook and qid in runs]
    package = missing_package(runs[questions[0]]) if questions else None
    if package is None:
        return
    cell = runs[questions[0]].failed_cell
    where = f"cell {cell + 1}" if isinstance(cell, int) else "a cell"
    said = (
        f"The notebook stopped at {where} importing `{package}`, which the grading environment "
        "does not have: the course decides whether to add it to the rubric's [notebooks] kernel "
        "list and grade again. A person will check this."
    )
    problems.append(
        f"{task.student_id}/{notebook}: imports {package}, which the kernel environment lacks "
        f"(fix: add {package}, pinned, to [notebooks] kernel, run `sudo make kernel-env` and "
        "grade again, or decide by hand)"
    )
    for qid in questions:
        result = results[qid]
        if result.points >= result.max_points or result.status is Status.NEEDS_REVIEW:
            continue
        results[qid] = replace(
            result,
            status=Status.NEEDS_REVIEW,
            review_reason=ReviewReason.SUBMISSION,
            feedback=f"{result.feedback} {said}".strip(),
            details={**result.details, "missing_package": package},
        )


def _model_jobs(
    task: NotebookTask, runs: Mapping[str, NotebookRun], results: dict[str, QuestionResult]
) -> list[ModelJob]:
    """A job per saved model to measure; a model that was not saved is scored missing here."""
    jobs: list[ModelJob] = []
    for qid, run in runs.items():
        question = task.models[qid]
        if not (kind_of(question.kind).needs_saved_model and isinstance(question, ModelQuestion)):
            continue
        artifact = run.artifacts.get(qid)
        if artifact is None:
            why = f"artifacts/{qid}.pt was not saved"
            if run.status != NotebookRunStatus.OK:
                why += f"; the notebook run was reported as {run.status}: {run.message}"
            results[qid] = unavailable_model(qid, question, Status.MISSING, why)
            continue
        hidden = task.hidden[question.dataset]
        jobs.append(
            ModelJob(
                qid,
                artifact,
                hidden.inputs_path,
                hidden.labels,
                task.classes.get(qid) == 2,
                measure=question.measure,
                k=question.k,
                perturbed=hidden.perturbed,
                perturbation=hidden.perturbation,
                margin=hidden.margin,
            )
        )
    return jobs


def failed_task_result(task: NotebookTask, error: BaseException) -> NotebookPartResult:
    """A worker-side crash (a grader bug, a lost worker twice): recorded for this student only."""
    message = f"{task.student_id}: notebook grading failed ({type(error).__name__}: {error}); please report it"
    result = _all_error(task, message)
    return NotebookPartResult(result.submission, ())


__all__ = [
    "HiddenInputs",
    "NotebookPartResult",
    "NotebookTask",
    "failed_task_result",
    "grade_notebook_part",
]
