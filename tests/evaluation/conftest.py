"""Run inside_predict.py once per test model, as a subprocess, all in parallel for the session."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from grader.evaluation import inside_predict_script
from tests.evaluation import models

N_IMAGES = 10
BATCH_SIZE = 4  # does not divide N_IMAGES: the last batch is short


@dataclass(frozen=True)
class PredictRun:
    """What one inside_predict.py run left behind, and what the model gives when run directly."""

    returncode: int
    out: Path
    stderr: str
    expected: np.ndarray | None  # the eager module's logits on the same inputs


def _model_zoo(folder: Path) -> dict[str, tuple[Path, nn.Module | None]]:
    torch.manual_seed(0)
    zoo: dict[str, tuple[Path, nn.Module | None]] = {}
    builders = {
        "plain_binary1": lambda p: models.save_scripted(models.PlainCNN(logits=1), p),
        "plain_binary2": lambda p: models.save_traced(models.PlainCNN(logits=2), p),
        "plain10": lambda p: models.save_scripted(models.PlainCNN(logits=10), p),
        "inception": lambda p: models.save_scripted(models.InceptionNet(), p),
        "inception_traced": lambda p: models.save_traced(models.InceptionNet(), p),
        "residual": lambda p: models.save_traced(models.ResidualNet(), p),
        "residual_scripted": lambda p: models.save_scripted(models.ResidualNet(), p),
        "projection": lambda p: models.save_scripted(models.ResidualNet(projection_only=True), p),
        "dense_concat": lambda p: models.save_scripted(models.DenseConcat(), p),
        "frozen_base": lambda p: models.save_scripted(models.FrozenBase(), p),
        "squeezed": lambda p: models.save_scripted(models.Squeezed(), p),
        "returns_tuple": lambda p: models.save_scripted(models.ReturnsTuple(), p),
        "returns_nan": lambda p: models.save_scripted(models.ReturnsNaN(), p),
    }
    for name, build in builders.items():
        path = folder / f"{name}.pt"
        zoo[name] = (path, build(path))
    garbage = folder / "garbage.pt"
    garbage.write_bytes(b"this is not a TorchScript archive")
    zoo["garbage"] = (garbage, None)
    return zoo


@pytest.fixture(scope="session")
def test_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(0)
    images = rng.random((N_IMAGES, 3, models.IMAGE_SIZE, models.IMAGE_SIZE), dtype=np.float32)
    path = tmp_path_factory.mktemp("inputs") / "inputs.npy"
    np.save(path, images)
    return path


@pytest.fixture(scope="session")
def predict_runs(
    tmp_path_factory: pytest.TempPathFactory, test_inputs: Path
) -> dict[str, PredictRun]:
    folder = tmp_path_factory.mktemp("models")
    zoo = _model_zoo(folder)
    images = torch.from_numpy(np.load(test_inputs))
    processes = {}
    for name, (model_path, _) in zoo.items():
        out = folder / f"out_{name}"
        command = [
            sys.executable,
            str(inside_predict_script()),
            "--model",
            str(model_path),
            "--inputs",
            str(test_inputs),
            "--out",
            str(out),
            "--batch-size",
            str(BATCH_SIZE),
        ]
        # One thread each: the runs go in parallel and torch would otherwise take every core each.
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        processes[name] = (out, process)
    runs = {}
    for name, (out, process) in processes.items():
        _, stderr = process.communicate(timeout=300)
        module = zoo[name][1]
        expected = None
        if module is not None and name not in ("returns_tuple",):
            with torch.no_grad():
                expected = module(images).numpy()
        runs[name] = PredictRun(process.returncode, out, stderr.decode(errors="replace"), expected)
    return runs
