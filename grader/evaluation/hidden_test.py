"""Evaluate a student's saved models on the hidden test splits: predictions in one sandbox run,
the question's measure (grader.measures) outside.

The sandbox gets the model files, the test INPUTS (each split's folder mounted read-only; it
holds nothing else) and the standalone scripts `inside_evaluate.py` + `inside_predict.py`; it
returns outputs per model (logits for a classifier, values for real targets). torch is imported once for all of a student's models; each model runs
in a child of its own, with its own timeout and output cap, so one that crashes, hangs or floods
its output costs only its own question (the student's failure, said in words), while a sandbox
that could not run at all is an infrastructure failure for a person. Labels never enter it.
Everything read back is size-capped and parsed without pickle.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.evaluation.errors import EvaluationError
from grader.evaluation.predictions import (
    read_capped_file,
    read_predictions,
    read_summary,
    summary_error,
)
from grader.measures import MEASURES, MeasureOptions
from grader.sandbox import ReadOnlyMount, Sandbox, SandboxLimits, SandboxRequest, SandboxResult

MAX_SUMMARY_BYTES = 256 * 1024
MAX_OUTCOMES_BYTES = 1024 * 1024
INPUTS_INSIDE = "/hidden-inputs"
RUNNER_INSIDE = "/runner"  # inside_evaluate.py and inside_predict.py, read-only
MODELS_INSIDE = "/models"  # the student's saved models, read-only
#: What the sandbox run needs beyond the models' own time: start, torch import, copying.
RUN_OVERHEAD_SECONDS = 60.0
#: inside_evaluate.MODEL_OUTPUT_CAP, in words for the report.
OUTPUT_CAP_WORDS = "64 KiB"


@dataclass(frozen=True)
class ModelJob:
    """One saved model to measure: its question, file, the split's inputs and targets, and the
    measure (a row of grader.measures.MEASURES) with its options."""

    question_id: str
    model_file: Path
    inputs_path: Path
    labels: np.ndarray
    binary: bool
    measure: str = "accuracy"
    k: int = 5
    # Rows of the inputs that are the perturbed copy (grader.data.evaluation_split): the measure
    # is computed on the others, and separately on these for the memorisation check.
    perturbed: np.ndarray | None = None
    perturbation: str = "none"
    margin: float = 0.15


@dataclass(frozen=True)
class ModelEvaluation:
    """What measuring one model gave: the measure's value, timing and structure facts, or why
    it failed."""

    value: float | None
    inference_seconds: float | None
    summary: dict[str, Any]  # the structure summary the predict script wrote ({} on failure)
    error: str | None  # one line, for the report
    infrastructure_failure: bool = False  # a timeout or kill: not clearly the student's fault
    perturbed_value: float | None = None  # the measure on the perturbed copy
    perturbation: str = "none"
    margin: float = 0.15


def evaluate_model(
    model_file: Path,
    *,
    inputs_path: Path,
    labels: np.ndarray,
    binary: bool,
    sandbox: Sandbox,
    limits: SandboxLimits,
    out_dir: Path,
) -> ModelEvaluation:
    """One model alone: `evaluate_models` with a single job."""
    job = ModelJob("model", model_file, inputs_path, labels, binary)
    return evaluate_models([job], sandbox=sandbox, limits=limits, out_dir=out_dir)["model"]


def evaluate_models(
    jobs: Sequence[ModelJob],
    *,
    sandbox: Sandbox,
    limits: SandboxLimits,
    out_dir: Path,
    devices: tuple[str, ...] = (),
) -> dict[str, ModelEvaluation]:
    """Measure every job's model in one sandbox run; each gets `limits.wall_seconds` of its own.

    `devices` (a GPU's nodes, `grader.sandbox.gpu`) are passed in: the models then run on it.
    """
    if not jobs:
        return {}
    out_dir.mkdir(parents=True, exist_ok=True)
    request = replace(_request(jobs, limits, out_dir), devices=devices)
    result = sandbox.run(request, out_dir / "sandbox")
    outcomes = _outcomes(result)
    return {
        job.question_id: _evaluation(
            job, f"out/m{index}", outcomes.get(f"m{index}"), result, limits
        )
        for index, job in enumerate(jobs)
    }


def _read_only_folder(folder: Path, files: dict[str, Path]) -> Path:
    """A new folder holding `files` (name → host file), world-readable, to mount read-only.
    Hard links where the file system allows (a saved model can be large), else copies."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, source in files.items():
        target = folder / name
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        target.chmod(0o644)
    folder.chmod(0o755)
    return folder


def _request(jobs: Sequence[ModelJob], limits: SandboxLimits, out_dir: Path) -> SandboxRequest:
    here = Path(__file__).parent
    folders = list(dict.fromkeys(job.inputs_path.parent for job in jobs))
    # The runner and the models are mounted read-only: no model can rewrite the script that
    # runs the next one, or the next model itself (issue #19).
    runner = _read_only_folder(
        out_dir / "runner",
        {name: here / name for name in ("inside_evaluate.py", "inside_predict.py")},
    )
    models = _read_only_folder(
        out_dir / "models", {f"m{index}.pt": job.model_file for index, job in enumerate(jobs)}
    )
    mounts = (
        ReadOnlyMount(runner, RUNNER_INSIDE),
        ReadOnlyMount(models, MODELS_INSIDE),
        *(
            ReadOnlyMount(folder, f"{INPUTS_INSIDE}/{index}")
            for index, folder in enumerate(folders)
        ),
    )
    listed = [
        {
            "id": f"m{index}",
            "model": f"{MODELS_INSIDE}/m{index}.pt",
            "inputs": f"{INPUTS_INSIDE}/{folders.index(job.inputs_path.parent)}/"
            f"{job.inputs_path.name}",
            "seconds": limits.wall_seconds,
        }
        for index, job in enumerate(jobs)
    ]
    jobs_file = out_dir / "jobs.json"
    jobs_file.write_text(json.dumps(listed), encoding="utf-8")
    return SandboxRequest(
        argv=(
            "python",
            f"{RUNNER_INSIDE}/inside_evaluate.py",
            "--jobs",
            "jobs.json",
            "--out",
            "out",
        ),
        extra_files={"jobs.json": jobs_file},
        mounts=mounts,
        collect=("out/*/predictions.npy", "out/*/summary.json", "out/evaluation.json"),
        limits=_run_limits(limits, len(jobs)),
    )


def _run_limits(limits: SandboxLimits, models: int) -> SandboxLimits:
    """The whole run's wall clock: every model's own, plus the start."""
    return replace(limits, wall_seconds=limits.wall_seconds * models + RUN_OVERHEAD_SECONDS)


def _outcomes(result: SandboxResult) -> dict[str, dict[str, Any]]:
    """What inside_evaluate said of each model (untrusted: odd entries are dropped)."""
    path = result.collected.get("out/evaluation.json")
    if path is None:
        return {}
    try:
        document = json.loads(read_capped_file(path, max_bytes=MAX_OUTCOMES_BYTES))
    except (EvaluationError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    if not isinstance(document, dict):
        return {}
    return {
        str(key): value
        for key, value in document.items()
        if isinstance(value, dict) and isinstance(value.get("status"), str)
    }


def _student_failure(outcome: dict[str, Any], result: SandboxResult, limits: SandboxLimits) -> str:
    """Why the model's own run failed, in words (a timeout, a flood, a crash, memory)."""
    status = outcome["status"]
    if status == "timeout":
        return f"the model ran past the {limits.wall_seconds:g} s evaluation timeout"
    if status == "output flood":
        return (
            f"the model printed more than {OUTPUT_CAP_WORDS} while it was evaluated "
            "(fix: remove print calls from forward)"
        )
    detail = outcome.get("detail")
    signal_name = detail if isinstance(detail, str) else ""
    if signal_name == "SIGKILL" and result.memory_limit_hit:
        return (
            f"the model used more than the sandbox's {limits.memory_bytes // 2**20} MiB of "
            "memory while it was evaluated"
        )
    return f"the evaluation of the model crashed ({signal_name[:20] or 'no exit status'})"


def _evaluation(
    job: ModelJob,
    out: str,
    outcome: dict[str, Any] | None,
    result: SandboxResult,
    limits: SandboxLimits,
) -> ModelEvaluation:
    summary: dict[str, Any] = {}
    summary_path = result.collected.get(f"{out}/summary.json")
    try:
        if summary_path is not None:
            summary = read_summary(summary_path, MAX_SUMMARY_BYTES)
    except EvaluationError as exc:
        return ModelEvaluation(None, None, {}, f"unreadable evaluation summary: {exc.message}")
    if outcome is None:  # the run never got to this model: not the student's doing
        why = result.killed_reason or "the evaluation sandbox ended before this model"
        return ModelEvaluation(None, None, summary, f"evaluation stopped: {why}", True)
    if outcome["status"] in ("timeout", "output flood", "crashed"):
        return ModelEvaluation(None, None, summary, _student_failure(outcome, result, limits))
    error = summary_error(summary) if summary else "the model produced no predictions"
    predictions_path = result.collected.get(f"{out}/predictions.npy")
    if error or predictions_path is None:
        return ModelEvaluation(None, None, summary, error or "the model produced no predictions")
    labels = job.labels
    measure = MEASURES[job.measure]
    options = MeasureOptions(binary=job.binary, k=job.k)
    copies = job.perturbed if job.perturbed is not None else np.zeros(len(labels), dtype=bool)
    try:
        outputs = read_predictions(
            predictions_path, n=len(labels), max_bytes=len(labels) * 4 * 1024 + 4096
        )
        measured = measure.compute(outputs[~copies], labels[~copies], options)
        perturbed = (
            round(measure.compute(outputs[copies], labels[copies], options), 4)
            if copies.any()
            else None
        )
    except EvaluationError as exc:
        return ModelEvaluation(None, None, summary, exc.message)
    seconds = summary.get("inference_seconds")
    return ModelEvaluation(
        round(measured, 4),
        float(seconds) if isinstance(seconds, int | float) else None,
        summary,
        None,
        perturbed_value=perturbed,
        perturbation=job.perturbation,
        margin=job.margin,
    )
