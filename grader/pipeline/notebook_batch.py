"""Coordinate the notebook part of a run: check the sandbox and data once, prepare the hidden
splits once, send one task per student to Dask, and store each result as it arrives.

The gradebook is written only here (upserts keyed by run and student), so a
task that Dask runs twice is stored once. If the sandbox or the data cannot
be used, no notebook runs: every model question gets status `error` with the
reason, and the written part is unaffected. One student's unexpected failure
(a grader bug) is stored as that student's error; the others are still graded.

Must not read settings from the environment: the kernel environment and the
limits come in as arguments (`NotebookOptions`, the rubric's [notebooks] table).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.data import DataError, load_hidden_split, load_layout, training_data_dir
from grader.data.evaluation_split import evaluation_split
from grader.data.formats import dataset_format
from grader.data.hidden import default_cache_dir
from grader.data.layout import declaration_mismatch
from grader.errors import GraderError
from grader.kinds.accuracy import ModelQuestion
from grader.pipeline.notebook_part import (
    HiddenInputs,
    NotebookPartResult,
    NotebookTask,
    failed_task_result,
    grade_notebook_part,
)
from grader.rubric.model import Rubric
from grader.sandbox import SandboxLimits, check_sandbox
from grader.sandbox.gpu import host_cuda_devices
from grader.sandbox.kernel_requirements import environment_for, rubric_requirements, up_to_date
from grader.scheduling import ClusterOptions, open_client, run_tasks
from grader.settings import KERNEL_ENV, NOTEBOOK_TIMEOUT, WORKERS
from grader.storage import Gradebook


@dataclass(frozen=True)
class NotebookOptions:
    """Where the data, the sandbox's Python and the workers are; the CLI fills these.

    `kernel_env` is the default environment, as the CLI resolved --kernel-env and
    $HW_GRADER_KERNEL_ENV (`grader.settings.resolve_kernel_env`); a rubric that declares its
    own `[notebooks] kernel` list runs in the environment beside it built for that list,
    unless `kernel_env_given` (--kernel-env names the one to use).
    """

    data_root: Path | None = None
    kernel_env: Path = KERNEL_ENV.default
    kernel_env_given: bool = False
    workers: int = WORKERS.default
    scheduler: str | None = None
    scheduler_tls: Path | None = None  # TLS credentials for `scheduler` (a TOML file)
    timeout_seconds: float | None = NOTEBOOK_TIMEOUT.default  # replaces the rubric's, when set
    unsandboxed: bool = False  # --no-sandbox: trusted settings only, loudly warned
    gpu: bool = False
    # Decoded hidden splits, a private 0700 folder (default: hw-grader-cache-<uid> in the temp dir).
    cache_dir: Path | None = None


def accuracy_questions(rubric: Rubric) -> list[str]:
    """The model questions (those measured on a dataset), in rubric order."""
    return [qid for qid, q in rubric.models.items() if isinstance(q, ModelQuestion)]


def kernel_env_for(rubric: Rubric, options: NotebookOptions) -> Path:
    """The kernel environment the rubric's notebooks run in (`kernel_requirements`)."""
    if options.kernel_env_given:
        return options.kernel_env
    return environment_for(options.kernel_env, rubric.notebooks.kernel)


def _kernel_problem(rubric: Rubric, options: NotebookOptions) -> str | None:
    """Why the rubric's own kernel environment cannot be used, or None."""
    env = kernel_env_for(rubric, options)
    if options.kernel_env_given or not rubric.notebooks.kernel:
        return None
    if up_to_date(env, rubric_requirements(rubric.notebooks.kernel)):
        return None
    return (
        f"notebooks were not run: the kernel environment for {rubric.path}'s [notebooks] kernel "
        f"list is not built ({env}) (fix: run `sudo make kernel-env KERNEL_RUBRICS={rubric.path}`)"
    )


def notebook_limits(
    rubric: Rubric, options: NotebookOptions
) -> tuple[SandboxLimits, SandboxLimits]:
    """Limits for executing a notebook and for evaluating one model (rubric, then --timeout)."""
    return (
        rubric.notebooks.sandbox_limits(options.timeout_seconds),
        rubric.notebooks.evaluation_limits(),
    )


def _grade_in_process(task: NotebookTask) -> NotebookPartResult:
    """`grade_notebook_part` here, with an unexpected failure kept to this student."""
    try:
        return grade_notebook_part(task)
    except Exception as error:  # a grader bug for one student must not stop the batch
        return failed_task_result(task, error)


def _setup_problem(
    rubric: Rubric, options: NotebookOptions, run_folder: Path
) -> tuple[str | None, dict[str, HiddenInputs], str, Path | None]:
    """(problem or None, hidden inputs per dataset as this run shows them, written under
    `run_folder`, dataset name, training data dir)."""
    if options.data_root is None:
        return (
            "no data folder given, so notebooks were not run (fix: pass --data DATA_ROOT; make "
            f"one with `grader data synth DATA_ROOT --rubric {rubric.path}`)",
            {},
            "",
            None,
        )
    try:
        layout = load_layout(options.data_root)
    except DataError as exc:
        return f"notebooks were not run: {exc.one_line()}", {}, "", None
    models = [q for q in rubric.models.values() if isinstance(q, ModelQuestion)]
    for question in models:
        if layout.name not in question.thresholds:
            known = ", ".join(sorted(question.thresholds))
            return (
                f"{rubric.path}: the rubric has no thresholds for dataset '{layout.name}' (fix: add thresholds.{layout.name} next to {known})",
                {},
                layout.name,
                None,
            )
    kernel_problem = _kernel_problem(rubric, options)
    if kernel_problem is not None:
        return kernel_problem, {}, layout.name, None
    if not options.unsandboxed:
        check = check_sandbox(kernel_env_for(rubric, options))
        if not check.ok:
            return (
                f"notebooks were not run: the sandbox is unavailable: {check.message} (fix: {check.hint})",
                {},
                layout.name,
                None,
            )
    for dataset in sorted({q.dataset for q in models}):
        mismatch = declaration_mismatch(layout, dataset, rubric.datasets[dataset])
        if mismatch:
            return (
                f"notebooks were not run: {options.data_root}: {mismatch} (fix: make the data for "
                f"this rubric: grader data synth NEW_FOLDER --rubric {rubric.path}, or import it)",
                {},
                layout.name,
                None,
            )
    cache_dir = options.cache_dir or default_cache_dir()
    hidden: dict[str, HiddenInputs] = {}
    # This run's order of the hidden inputs, drawn from the OS's randomness and never kept.
    rng = np.random.default_rng(secrets.randbits(128))
    try:
        for dataset in sorted({q.dataset for q in models}):
            declared = rubric.datasets[dataset]
            split = load_hidden_split(layout, dataset, cache_dir, declared=declared)
            shown = evaluation_split(
                split,
                run_folder / dataset,
                rng,
                perturbation=dataset_format(declared).perturbation(declared),
                margin=declared.perturbation_margin,
            )
            hidden[dataset] = HiddenInputs(
                shown.inputs_path, shown.targets, shown.perturbed, shown.perturbation, shown.margin
            )
    except DataError as exc:
        return f"notebooks were not run: {exc.one_line()}", {}, layout.name, None
    except OSError as exc:  # the cache's disk is full or gone: nothing of the students'
        return (
            f"notebooks were not run: could not write this run's hidden inputs under "
            f"{run_folder}: {exc.strerror or exc} (fix: free space on the file system of "
            f"{run_folder.parent})",
            {},
            layout.name,
            None,
        )
    return None, hidden, layout.name, training_data_dir(layout)


def grade_notebooks(
    students: Sequence[tuple[str, Path]],
    *,
    rubric: Rubric,
    options: NotebookOptions,
    gradebook: Gradebook,
    run_id: int,
    on_result: Callable[[NotebookPartResult], None],
) -> None:
    """Grade every student's notebooks; each result is stored, then handed to `on_result`."""
    if not rubric.models or not students:
        return
    cache_dir = options.cache_dir or default_cache_dir()
    run_folder = cache_dir / f"run-{secrets.token_hex(8)}"
    try:
        _grade_notebooks(students, rubric, options, gradebook, run_id, on_result, run_folder)
    finally:
        shutil.rmtree(run_folder, ignore_errors=True)


def _grade_notebooks(
    students: Sequence[tuple[str, Path]],
    rubric: Rubric,
    options: NotebookOptions,
    gradebook: Gradebook,
    run_id: int,
    on_result: Callable[[NotebookPartResult], None],
    run_folder: Path,
) -> None:
    problem, hidden, dataset_name, training_data = _setup_problem(rubric, options, run_folder)
    limits, evaluation_limits = notebook_limits(rubric, options)
    # --gpu: the GPU's device nodes go into every sandbox; none here is a warning of the
    # grading service (`gpu.NO_GPU`), and the notebooks run on the CPU.
    devices = host_cuda_devices() if options.gpu and not options.unsandboxed else ()
    tasks = [
        NotebookTask(
            student_id=student_id,
            student_dir=student_dir.resolve(),
            models=dict(rubric.models),
            dataset_name=dataset_name,
            training_data=training_data,
            hidden=hidden,
            kernel_env=kernel_env_for(rubric, options),
            limits=limits,
            evaluation_limits=evaluation_limits,
            cell_timeout=rubric.notebooks.cell_timeout_seconds,
            reported_tolerance=rubric.notebooks.reported_accuracy_tolerance,
            classes={qid: rubric.model_classes(qid) for qid in accuracy_questions(rubric)},
            data_aliases=rubric.notebooks.data_aliases,
            unsandboxed=options.unsandboxed,
            devices=devices,
            problems=(problem,) if problem else (),
        )
        for student_id, student_dir in students
    ]

    def store_one(result: NotebookPartResult) -> None:
        gradebook.record_submissions(run_id, [result.submission])
        if result.notebook_runs:
            gradebook.record_notebook_runs(run_id, result.notebook_runs)
        on_result(result)

    def store(task: NotebookTask, result: NotebookPartResult) -> None:
        try:
            store_one(result)
        except GraderError:  # the gradebook itself (locked, gone): every student's problem
            raise
        except Exception as error:  # this student's result could not be stored or summarised
            store_one(failed_task_result(task, error))

    if problem:  # nothing will run: no cluster, and one transaction for every student
        results = [_grade_in_process(task) for task in tasks]
        gradebook.record_submissions(run_id, [result.submission for result in results])
        for result in results:
            on_result(result)
        return
    cluster = ClusterOptions(
        workers=options.workers,
        scheduler=options.scheduler,
        gpu=options.gpu,
        security_file=options.scheduler_tls,
    )
    with open_client(cluster) as client:
        run_tasks(
            client,
            grade_notebook_part,
            tasks,
            key_of=lambda task: f"notebooks-run{run_id}-{task.student_id}",
            on_result=store,
            on_failure=lambda task, error: store(task, failed_task_result(task, error)),
            gpu=options.gpu,
        )
