"""Models of sequences evaluated as grading does: inside_predict.py as a subprocess on inputs of
any shape (float sequences, int64 token ids), outputs of more than two dimensions flattened per
example, and structure requirements a question declares (recurrent layers, attention written
out or fused, convolutions by dimension) read from what ran."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from grader.evaluation import StructureFacts, inside_predict_script, read_summary
from grader.evaluation.structure import check_structure

pytestmark = pytest.mark.slow  # inside_predict.py runs as a subprocess importing torch

N, STEPS, FEATURES, VOCABULARY = 6, 7, 16, 30


class Recurrent(nn.Module):
    def __init__(self, cell: type[nn.Module] = nn.LSTM) -> None:
        super().__init__()
        self.rnn = cell(FEATURES, 8, batch_first=True)
        self.head = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        steps, _ = self.rnn(x)
        return self.head(steps[:, -1])


class SelfAttention(nn.Module):
    """nn.MultiheadAttention on one tensor: the fused kernel in eval mode."""

    def __init__(self) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(FEATURES, 2, batch_first=True)
        self.head = nn.Linear(FEATURES, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        attended, _ = self.attention(x, x, x)
        return self.head(attended.mean(dim=1))


class CrossAttention(nn.Module):
    """Query and key differ: nn.MultiheadAttention's unfused path (matmuls and a softmax)."""

    def __init__(self) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(FEATURES, 2, batch_first=True)
        self.head = nn.Linear(FEATURES, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        attended, _ = self.attention(x, x * 2, x)
        return self.head(attended.mean(dim=1))


class OwnHead(nn.Module):
    """Attention written by hand: softmax(q kᵀ / √d) v."""

    def __init__(self) -> None:
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(FEATURES, FEATURES) for _ in range(3))
        self.head = nn.Linear(FEATURES, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = torch.softmax(self.q(x) @ self.k(x).transpose(1, 2) / 4.0, dim=-1)
        return self.head((weights @ self.v(x)).mean(dim=1))


class SoftmaxOnly(nn.Module):
    """A softmax and matrix products that are not attention: the weights are constants."""

    def __init__(self) -> None:
        super().__init__()
        self.mix = nn.Parameter(torch.randn(STEPS, STEPS))
        self.head = nn.Linear(FEATURES, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mixed = torch.softmax(self.mix, dim=-1) @ x
        return torch.softmax(self.head(mixed.mean(dim=1)), dim=-1)


class Tokens(nn.Module):
    """Token ids in (int64), an embedding and a GRU; per-step logits out (N×STEPS×3)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCABULARY, 8)
        self.rnn = nn.GRU(8, 8, batch_first=True)
        self.head = nn.Linear(8, 3)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        steps, _ = self.rnn(self.embed(ids))
        return self.head(steps)


class Conv1dNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(STEPS, 4, 3)
        self.head = nn.Linear(4 * (FEATURES - 2), 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.conv(x).flatten(1))


def _predict(tmp_path: Path, model: nn.Module, inputs: np.ndarray, *, trace: bool = False):
    torch.manual_seed(0)
    model.eval()
    path = tmp_path / "model.pt"
    example = torch.from_numpy(inputs[:2])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit.*", category=DeprecationWarning)
        (torch.jit.trace(model, example) if trace else torch.jit.script(model)).save(str(path))
    np.save(tmp_path / "inputs.npy", inputs)
    command = [sys.executable, str(inside_predict_script()), "--model", str(path), "--inputs",
               str(tmp_path / "inputs.npy"), "--out", str(tmp_path / "out"), "--batch-size", "4"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    summary = read_summary(tmp_path / "out" / "summary.json", 1 << 20)
    assert result.returncode == 0, summary
    with torch.no_grad():
        expected = model(torch.from_numpy(inputs)).reshape(len(inputs), -1).numpy()
    return np.load(tmp_path / "out" / "predictions.npy"), expected, summary


FLOATS = np.random.default_rng(0).normal(size=(N, STEPS, FEATURES)).astype(np.float32)
IDS = np.random.default_rng(1).integers(0, VOCABULARY, size=(N, STEPS)).astype(np.int64)


@pytest.mark.parametrize(
    ("model", "requirement", "passed"),
    [
        (Recurrent(nn.LSTM), {"lstm": 1}, True),
        (Recurrent(nn.GRU), {"recurrent": 1}, True),
        (Recurrent(nn.GRU), {"lstm": 1}, False),
        (Recurrent(nn.RNN), {"rnn": 1, "linear": 1}, True),
        (SelfAttention(), {"attention": 1}, True),
        (CrossAttention(), {"attention": 1}, True),
        (OwnHead(), {"attention": 1}, True),
        (SoftmaxOnly(), {"attention": 1}, False),
        (Recurrent(nn.LSTM), {"attention": 1}, False),
    ],
    ids=["lstm", "gru as recurrent", "gru is no lstm", "rnn and linear", "fused self-attention",
         "unfused cross-attention", "attention by hand", "softmax without attention",
         "lstm has no attention"],
)  # fmt: skip
def test_float_sequences_and_the_requirements_they_meet(tmp_path, model, requirement, passed):
    predictions, expected, summary = _predict(tmp_path, model, FLOATS)
    assert predictions.shape == (N, 3)
    np.testing.assert_allclose(predictions, expected, rtol=1e-4, atol=1e-5)
    outcome = check_structure(StructureFacts.from_summary(summary), requirement)
    assert outcome[0] is passed, outcome[1]


def test_a_requirement_says_what_ran_and_what_was_missing(tmp_path):
    _, _, summary = _predict(tmp_path, Recurrent(nn.GRU), FLOATS)
    facts = StructureFacts.from_summary(summary)
    assert check_structure(facts, {"gru": 1, "linear": 1}) == (
        True,
        "the required layers ran: 1 GRU, 1 dense (Linear).",
    )
    assert check_structure(facts, {"lstm": 2, "skip_connection": True}) == (
        False,
        "missing layers: LSTM (ran 0, needs 2). On the test inputs the model ran 0 LSTM layers. "
        "no skip connection (x + f(x) with convolutions in f) was found in the forward pass.",
    )


def test_token_ids_reach_the_model_as_int64_and_per_step_outputs_are_flattened(tmp_path):
    predictions, expected, summary = _predict(tmp_path, Tokens(), IDS)
    assert predictions.shape == (N, STEPS * 3)
    np.testing.assert_allclose(predictions, expected, rtol=1e-4, atol=1e-5)
    assert summary["output_reshaped_from"] == [N, STEPS, 3]
    facts = StructureFacts.from_summary(summary)
    assert (facts.layers["embedding"], facts.layers["gru"]) == (1, 1)


@pytest.mark.parametrize("trace", [False, True], ids=["scripted", "traced"])
def test_convolutions_count_by_dimension_scripted_or_traced(tmp_path, trace):
    _, _, summary = _predict(tmp_path, Conv1dNet(), FLOATS, trace=trace)
    facts = StructureFacts.from_summary(summary)
    assert (facts.layers["conv"], facts.layers["conv1d"], facts.layers["conv2d"]) == (1, 1, 0)
    assert check_structure(facts, {"conv2d": 1})[0] is False
    assert json.dumps(summary)  # the summary stays plain JSON
