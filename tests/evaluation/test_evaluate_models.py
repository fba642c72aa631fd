"""All of a student's models measured in ONE sandbox run: each still on its own clock and cap.

A model that hangs or floods its output costs only its own question, and that is the
student's failure said in words (not an infrastructure failure for a person); the good
model next to it is measured as if it ran alone.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from grader.evaluation.hidden_test import ModelJob, evaluate_models
from grader.sandbox import Sandbox, SandboxLimits
from grader.sandbox.bwrap import BASE_UID
from tests.evaluation import models
from tests.fixtures.sandbox_env import usable_kernel_env
from tests.sandbox.conftest import wait_for_no_processes

pytestmark = pytest.mark.sandbox
EVALUATION_SLOT = 17  # no other test folder uses it


class Hang(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        while bool(y.sum() > -1e30):  # never false: the forward never returns
            y = y * 1.0
        return y.flatten(1)[:, :2]


class Flood(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for _ in range(100_000):
            print("the model talks and talks and talks while it is evaluated")
        return x.flatten(1)[:, :2]


def test_one_run_measures_the_good_model_and_blames_each_bad_one_alone(tmp_path):
    torch.manual_seed(0)
    inputs = tmp_path / "split" / "inputs.npy"
    inputs.parent.mkdir()
    rng = np.random.default_rng(1)
    np.save(inputs, rng.random((12, 3, models.IMAGE_SIZE, models.IMAGE_SIZE), dtype=np.float32))
    labels = rng.integers(0, 2, 12)
    files = {name: tmp_path / f"{name}.pt" for name in ("good", "hang", "flood", "garbage")}
    models.save_scripted(models.PlainCNN(logits=2), files["good"])
    models.save_scripted(Hang(), files["hang"])
    models.save_scripted(Flood(), files["flood"])
    files["garbage"].write_bytes(b"not a TorchScript archive")
    sandbox = Sandbox(kernel_env=usable_kernel_env(EVALUATION_SLOT), slot=EVALUATION_SLOT)
    jobs = [ModelJob(name, path, inputs, labels, False) for name, path in files.items()]
    found = evaluate_models(
        jobs, sandbox=sandbox, limits=SandboxLimits(wall_seconds=6), out_dir=tmp_path / "eval"
    )
    assert found["good"].error is None
    expected = models.load(files["good"])(torch.from_numpy(np.load(inputs))).argmax(1).numpy()
    assert found["good"].value == pytest.approx(float(np.mean(expected == labels)), abs=1e-4)
    assert found["good"].summary["structure"]["executed"]["op_counts"]["conv"] >= 2
    assert (found["hang"].error, found["hang"].infrastructure_failure) == (
        "the model ran past the 6 s evaluation timeout",
        False,
    )
    assert found["flood"].error == (
        "the model printed more than 64 KiB while it was evaluated "
        "(fix: remove print calls from forward)"
    )
    assert not found["flood"].infrastructure_failure
    assert found["garbage"].value is None and found["garbage"].error
    assert not found["garbage"].infrastructure_failure
    # The hanging and flooding children were killed with the sandbox: nothing is left.
    assert wait_for_no_processes(BASE_UID + EVALUATION_SLOT) == []
