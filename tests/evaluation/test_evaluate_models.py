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


class RewritesTheRunner(nn.Module):
    """Issue #19's attack: a model that writes through torch.from_file(shared=True) into the
    script that evaluates the next model (or its result folder), then answers normally."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.head = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        planted = torch.from_file(self.target, True, 64, dtype=torch.uint8)
        planted.fill_(35)  # '#': the file becomes a comment
        return self.head(x.mean(dim=(2, 3))) + planted[:1].float() * 0


@pytest.mark.parametrize(
    "target", ["/runner/inside_predict.py", "/work/out/m1/summary.json", "/models/m1.pt"]
)
def test_a_model_that_does_file_io_is_refused_and_the_next_one_is_measured_alone(tmp_path, target):
    torch.manual_seed(0)
    inputs = tmp_path / "split" / "inputs.npy"
    inputs.parent.mkdir()
    rng = np.random.default_rng(2)
    np.save(inputs, rng.random((8, 3, models.IMAGE_SIZE, models.IMAGE_SIZE), dtype=np.float32))
    labels = rng.integers(0, 2, 8)
    files = {"evil": tmp_path / "evil.pt", "good": tmp_path / "good.pt"}
    models.save_scripted(RewritesTheRunner(target), files["evil"])
    models.save_scripted(models.PlainCNN(logits=2), files["good"])
    before = {name: path.read_bytes() for name, path in files.items()}
    sandbox = Sandbox(kernel_env=usable_kernel_env(EVALUATION_SLOT), slot=EVALUATION_SLOT)
    jobs = [ModelJob(name, path, inputs, labels, False) for name, path in files.items()]
    found = evaluate_models(
        jobs, sandbox=sandbox, limits=SandboxLimits(wall_seconds=30), out_dir=tmp_path / "eval"
    )
    assert found["evil"].value is None
    assert found["evil"].error == (
        "the model calls from_file, which reads or writes files: a saved model may only "
        "compute (refused before loading)"
    )
    good = found["good"]
    assert good.error is None and good.summary["structure"]["executed"]["op_counts"]["conv"] >= 2
    expected = models.load(files["good"])(torch.from_numpy(np.load(inputs))).argmax(1).numpy()
    assert good.value == pytest.approx(float(np.mean(expected == labels)), abs=1e-4)
    # Host state afterwards: the models and the runner scripts are as they were.
    assert {name: path.read_bytes() for name, path in files.items()} == before
    from grader.evaluation import hidden_test

    runner = tmp_path / "eval" / "runner" / "inside_predict.py"
    assert (
        runner.read_bytes()
        == (hidden_test.Path(hidden_test.__file__).parent / "inside_predict.py").read_bytes()
    )
    assert wait_for_no_processes(BASE_UID + EVALUATION_SLOT) == []


def test_results_come_from_the_evaluator_s_memory_not_from_files_a_model_could_touch(tmp_path):
    """inside_evaluate itself: a file planted in a result folder before a model runs, or in
    the output folder, is gone; each model's results are what its own child wrote."""
    import json
    import subprocess
    import sys

    from grader.evaluation import hidden_test

    here = hidden_test.Path(hidden_test.__file__).parent
    inputs = tmp_path / "inputs.npy"
    np.save(inputs, np.random.default_rng(3).random((4, 3, 8, 8), dtype=np.float32))
    model = tmp_path / "m.pt"
    models.save_scripted(models.PlainCNN(logits=2), model)
    jobs = tmp_path / "jobs.json"
    listed = [
        {"id": f"m{i}", "model": str(model), "inputs": str(inputs), "seconds": 60} for i in range(2)
    ]
    jobs.write_text(json.dumps(listed))
    out = tmp_path / "out"
    (out / "m1").mkdir(parents=True)
    (out / "m1" / "summary.json").write_text('{"structure": {"forged": true}}')
    (out / "m1" / "planted.txt").write_text("left by someone else")
    completed = subprocess.run(
        [sys.executable, str(here / "inside_evaluate.py"), "--jobs", str(jobs), "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in (out / "m1").iterdir()) == ["predictions.npy", "summary.json"]
    summary = json.loads((out / "m1" / "summary.json").read_text())
    assert "forged" not in summary["structure"] and summary["output_shape"] == [4, 2]
    assert json.loads((out / "evaluation.json").read_text())["m1"]["status"] == "ok"
    assert not (tmp_path / "scratch").exists()
