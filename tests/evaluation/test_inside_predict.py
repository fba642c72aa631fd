"""inside_predict.py run as a subprocess on our own TorchScript models: predictions and summary;
and its executed-op counting run in this process on models built here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from grader.evaluation import inside_predict, inside_predict_script, read_predictions, read_summary
from grader.evaluation.inside_predict import LAYER_KINDS, OP_KINDS
from tests.evaluation import models
from tests.evaluation.conftest import N_IMAGES, PredictRun

pytestmark = pytest.mark.slow  # inside_predict.py runs as a subprocess importing torch

MAX_BYTES = 1 << 20

GOOD_MODELS = [
    ("plain_binary1", 1),
    ("plain_binary2", 2),
    ("plain10", 10),
    ("inception", 10),
    ("inception_traced", 10),
    ("residual", 10),
    ("residual_scripted", 10),
    ("projection", 10),
    ("dense_concat", 10),
    ("frozen_base", 1),
]


def _summary(run: PredictRun) -> dict:
    return read_summary(run.out / "summary.json", MAX_BYTES)


def _graph(run: PredictRun) -> dict:
    return _summary(run)["structure"]["graph"]


@pytest.mark.parametrize(("name", "logits"), GOOD_MODELS)
def test_predictions_match_a_direct_forward(predict_runs, name, logits):
    run = predict_runs[name]
    assert run.returncode == 0, run.stderr
    predictions = read_predictions(run.out / "predictions.npy", n=N_IMAGES, max_bytes=MAX_BYTES)
    assert predictions.shape == (N_IMAGES, logits)
    np.testing.assert_allclose(predictions, run.expected, rtol=1e-4, atol=1e-5)
    summary = _summary(run)
    assert summary["output_shape"] == [N_IMAGES, logits]
    assert summary["device"] == "cpu"
    assert summary["inference_seconds"] > 0
    assert summary["batch_size"] == 4
    assert "error" not in summary and "graph_error" not in summary["structure"]
    assert "executed_error" not in summary["structure"]


def test_the_predictions_file_is_plain_float32(predict_runs):
    array = np.load(predict_runs["plain10"].out / "predictions.npy", allow_pickle=False)
    assert array.dtype == np.float32


def test_plain_cnn_layer_counts(predict_runs):
    structure = _summary(predict_runs["plain10"])["structure"]
    assert set(structure["layer_counts"]) == set(LAYER_KINDS)  # every kind, zeros included
    assert {kind: n for kind, n in structure["layer_counts"].items() if n} == {
        "conv": 2,
        "pooling": 2,
        "normalization": 2,
        "linear": 1,
        "dropout": 1,
    }
    assert structure["module_types"]["torch.nn.modules.conv.Conv2d"] == 2
    assert structure["module_types"]["torch.nn.modules.pooling.AdaptiveAvgPool2d"] == 1
    assert structure["lookalike_counts"] == {}
    assert structure["graph"]["op_counts"]["conv"] == 2
    assert structure["graph"]["op_counts"]["normalization"] == 2


@pytest.mark.parametrize("name", ["plain10", "plain_binary2"])  # scripted, traced
def test_each_layer_that_ran_counts_once(predict_runs, name):
    # conv2d runs convolution → _convolution → mkldnn_convolution; linear runs addmm: once each.
    executed = _summary(predict_runs[name])["structure"]["executed"]
    assert set(executed["op_counts"]) == set(OP_KINDS)
    ran = {kind: n for kind, n in executed["op_counts"].items() if n}
    assert ran == {
        "conv": 2,
        "conv2d": 2,  # the same two convolutions, by dimension
        "pooling": 2,
        "normalization": 2,
        "batch_norm": 2,
        "linear": 1,
        "dropout": 1,
    }
    assert (executed["concat_ops"], executed["add_ops"]) == (0, 0)


@pytest.mark.parametrize(
    ("name", "conv", "concat_ops", "add_ops"),
    [
        ("inception", 5, 1, 0),
        ("inception_traced", 5, 1, 0),
        ("residual", 6, 0, 2),
        ("residual_scripted", 6, 0, 2),
        ("dense_concat", 2, 1, 0),
    ],
)
def test_executed_ops_of_branching_models(predict_runs, name, conv, concat_ops, add_ops):
    executed = _summary(predict_runs[name])["structure"]["executed"]
    assert (executed["op_counts"]["conv"], executed["concat_ops"], executed["add_ops"]) == (
        conv,
        concat_ops,
        add_ops,
    )


def test_functional_pooling_ran_as_pooling(predict_runs):
    structure = _summary(predict_runs["dense_concat"])["structure"]
    assert structure["executed"]["op_counts"]["pooling"] == 1  # F.max_pool2d, no module
    assert structure["layer_counts"]["pooling"] == 0


def test_traced_models_are_counted_like_scripted_ones(predict_runs):
    scripted = _summary(predict_runs["plain_binary1"])["structure"]
    traced = _summary(predict_runs["plain_binary2"])["structure"]
    assert scripted["layer_counts"] == traced["layer_counts"]
    assert scripted["graph"]["op_counts"]["conv"] == traced["graph"]["op_counts"]["conv"] == 2


@pytest.mark.parametrize("name", ["inception", "inception_traced"])
def test_inception_block_reads_as_concatenated_parallel_branches(predict_runs, name):
    graph = _graph(predict_runs[name])
    assert graph["concat_parallel_branches"] is True
    assert graph["max_concat_branches"] == 3
    assert graph["residual_skip"] is False


@pytest.mark.parametrize("name", ["plain10", "residual", "dense_concat"])
def test_no_parallel_branches_without_inception(predict_runs, name):
    assert _graph(predict_runs[name])["concat_parallel_branches"] is False


def test_dense_concatenation_is_seen_but_not_taken_for_inception(predict_runs):
    graph = _graph(predict_runs["dense_concat"])
    assert graph["concat_nodes"] == 1
    assert graph["parallel_branch_concats"] == 0


@pytest.mark.parametrize("name", ["residual", "residual_scripted"])
def test_residual_blocks_read_as_skip_connections(predict_runs, name):
    graph = _graph(predict_runs[name])
    assert graph["residual_skip"] is True
    assert graph["identity_skip_adds"] == 1  # the 8→8 block
    assert graph["projection_skip_adds"] == 1  # the 8→16 block with a 1×1 conv shortcut
    assert graph["concat_parallel_branches"] is False


def test_projection_shortcut_alone_is_a_skip_connection(predict_runs):
    graph = _graph(predict_runs["projection"])
    assert graph["residual_skip"] is True
    assert graph["projection_skip_adds"] == 1


@pytest.mark.parametrize("name", ["plain10", "inception", "dense_concat"])
def test_no_skip_connection_without_residual_blocks(predict_runs, name):
    graph = _graph(predict_runs[name])
    assert graph["residual_skip"] is False
    assert graph["tensor_adds"] == 0


def test_frozen_parameters_are_listed(predict_runs):
    parameters = _summary(predict_runs["frozen_base"])["structure"]["parameters"]
    assert parameters["frozen_names"] == ["base.0.weight", "base.0.bias"]
    assert parameters["frozen_tensors"] == 2
    assert parameters["trainable_tensors"] == 2
    assert parameters["by_layer_kind"] == {"conv": {"frozen": 2}, "linear": {"trainable": 2}}


def test_squeezed_binary_output_is_read_as_one_logit(predict_runs):
    run = predict_runs["squeezed"]
    assert run.returncode == 0, run.stderr
    predictions = read_predictions(run.out / "predictions.npy", n=N_IMAGES, max_bytes=MAX_BYTES)
    np.testing.assert_allclose(predictions[:, 0], run.expected, rtol=1e-4, atol=1e-5)
    assert _summary(run)["output_reshaped_from"] == [N_IMAGES]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("returns_tuple", "returned tuple, not a tensor of logits"),
        ("garbage", "RuntimeError"),
    ],
)
def test_a_broken_model_exits_3_with_a_one_line_error(predict_runs, name, message):
    run = predict_runs[name]
    assert run.returncode == 3
    text = (run.out / "summary.json").read_text()
    assert text.count("\n") == 1
    summary = json.loads(text)
    assert list(summary) == ["error"]
    assert message in summary["error"]
    assert not (run.out / "predictions.npy").exists()


def test_nan_logits_are_written_and_refused_by_the_host(predict_runs):
    run = predict_runs["returns_nan"]
    assert run.returncode == 0, run.stderr
    with pytest.raises(Exception, match="NaN or infinite"):
        read_predictions(run.out / "predictions.npy", n=N_IMAGES, max_bytes=MAX_BYTES)


def _run_script(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(inside_predict_script()), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    ("array", "said"),
    [
        (np.zeros(4, dtype=np.float32), "inputs must be a non-empty N×… array, got shape (4,)"),
        (np.zeros((0, 3), dtype=np.float32), "inputs must be a non-empty N×… array"),
        (np.zeros((2, 3), dtype=bool), "inputs must be floats or integers, got bool"),
        # Any other shape reaches the model, which says what it wanted.
        (
            np.zeros((2, 1, 8, 8), dtype=np.float32),
            "RuntimeError: Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 1, 8, 8] "
            "to have 3 channels, but got 1 channels instead",
        ),
    ],
    ids=["one-dimensional", "empty", "bool", "gray images for an RGB model"],
)
def test_bad_inputs_exit_3(tmp_path: Path, predict_runs, array, said):
    inputs = tmp_path / "inputs.npy"
    np.save(inputs, array)
    model = predict_runs["plain10"].out.parent / "plain10.pt"
    result = _run_script(
        "--model", str(model), "--inputs", str(inputs), "--out", str(tmp_path / "out")
    )
    assert result.returncode == 3
    error = json.loads((tmp_path / "out" / "summary.json").read_text())["error"]
    assert said in error
    # The profiler may log to stderr first; the error is the last line.
    assert json.loads(result.stderr.strip().splitlines()[-1])["error"] == error


def test_bad_arguments_exit_3_and_still_write_the_summary(tmp_path: Path):
    result = _run_script("--out", str(tmp_path / "out"), "--batch-size", "0")
    assert result.returncode == 3
    error = json.loads((tmp_path / "out" / "summary.json").read_text())["error"]
    assert error.startswith("UsageError: the following arguments are required: --model, --inputs")


def test_the_script_imports_nothing_from_grader():
    source = inside_predict_script().read_text()
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    modules = {line.split()[1].split(".")[0] for line in imports}
    assert modules <= {
        "__future__",
        "argparse",
        "json",
        "re",
        "sys",
        "time",
        "warnings",
        "collections",
        "pathlib",
        "typing",
        "numpy",
        "torch",
    }


def _loaded(module: nn.Module, tmp_path: Path, *, traced: bool = False) -> torch.jit.ScriptModule:
    path = tmp_path / "model.pt"
    (models.save_traced if traced else models.save_scripted)(module, path)
    return models.load(path)


def _batch() -> torch.Tensor:
    return torch.rand(4, 3, models.IMAGE_SIZE, models.IMAGE_SIZE)


@pytest.mark.parametrize("traced", [False, True])
def test_one_convolution_counts_once(tmp_path: Path, traced: bool):
    model = _loaded(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten()), tmp_path, traced=traced)
    with torch.autograd.profiler.profile() as profile:
        model(_batch())
    conv_events = [e.name for e in profile.function_events if e.name in inside_predict.KINDS_OF_OP]
    assert len(conv_events) >= 2  # conv2d (or _convolution when traced) and the ops it calls
    assert inside_predict.executed_ops(model, _batch())["op_counts"]["conv"] == 1


def test_module_types_are_qualified_and_lookalikes_do_not_count(tmp_path: Path):
    summary = inside_predict.module_summary(_loaded(models.LookalikeLayers(), tmp_path))
    assert summary["module_types"] == {
        "tests.evaluation.models.LookalikeLayers": 1,
        "torch.nn.modules.container.Sequential": 1,
        "tests.evaluation.models.Conv2d": 2,
        "tests.evaluation.models.BatchNorm2d": 1,
        "tests.evaluation.models.MaxPool2d": 1,
        "tests.evaluation.models.Linear": 1,
    }
    assert set(summary["layer_counts"].values()) == {0}
    assert summary["lookalike_counts"] == {"conv": 2, "normalization": 1, "pooling": 1, "linear": 1}


def test_mangled_torch_types_still_count(tmp_path: Path):
    # Two Conv2d with different settings compile to two types, one `conv.___torch_mangle_N.Conv2d`.
    model = _loaded(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Conv2d(4, 4, 1, bias=False)), tmp_path)
    mangled = [m._c._type().qualified_name() for _, m in model.named_modules()]
    assert any("___torch_mangle_" in name for name in mangled), mangled
    summary = inside_predict.module_summary(model)
    assert summary["layer_counts"]["conv"] == 2
    assert summary["module_types"]["torch.nn.modules.conv.Conv2d"] == 2


@pytest.fixture
def cpu_fusion():
    """Let TorchScript fuse elementwise ops on the CPU, as it does on CUDA by default."""
    can_fuse, must_use_llvm = (
        torch._C._jit_can_fuse_on_cpu(),
        torch._C._jit_get_te_must_use_llvm_cpu(),
    )
    torch._C._jit_override_can_fuse_on_cpu(True)
    torch._C._jit_set_te_must_use_llvm_cpu(False)
    try:
        yield
    finally:
        torch._C._jit_override_can_fuse_on_cpu(can_fuse)
        torch._C._jit_set_te_must_use_llvm_cpu(must_use_llvm)


def test_fused_kernels_hide_no_op(tmp_path: Path, cpu_fusion):
    model = _loaded(models.ResidualNet(), tmp_path)
    batch = _batch()
    with torch.inference_mode():
        for _ in range(4):  # the profiling executor optimises after a few runs
            model(batch)
        with torch.autograd.profiler.profile() as profile:
            model(batch)
    names = [event.name for event in profile.function_events]
    assert "aten::add" not in names and any(name.startswith("fused_") for name in names)
    executed = inside_predict.executed_ops(model, batch)
    assert executed["add_ops"] == 2
    assert executed["op_counts"]["conv"] == 6


def test_too_many_profiled_events_is_recorded_not_raised(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(inside_predict, "MAX_PROFILED_EVENTS", 10)
    structure = inside_predict.structure_summary(_loaded(models.PlainCNN(10), tmp_path), _batch())
    assert "executed" not in structure
    assert structure["executed_error"].startswith("ValueError: one forward pass ran ")
    assert structure["executed_error"].endswith("profiled events, more than 10")
    assert structure["layer_counts"]["conv"] == 2 and "graph" in structure


class WritesAFile(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        planted = torch.from_file("/work/planted", True, 8, dtype=torch.uint8)
        return x.mean(dim=(2, 3)) + planted[:1].float() * 0


def test_a_model_with_file_ops_is_refused_before_loading_and_after(tmp_path: Path):
    """Issue #19: a model must not read or write files (the runner, another model's results)."""
    path = tmp_path / "model.pt"
    models.save_scripted(WritesAFile(), path)
    with pytest.raises(inside_predict.RefusedModel, match=r"^the model calls from_file, which"):
        inside_predict.refuse_file_ops_in_archive(path)
    with pytest.raises(inside_predict.RefusedModel, match=r"forward calls aten::from_file"):
        inside_predict.refuse_file_ops_in_graphs(models.load(path))
    honest = tmp_path / "honest.pt"
    models.save_scripted(models.PlainCNN(logits=2), honest)
    inside_predict.refuse_file_ops_in_archive(honest)
    inside_predict.refuse_file_ops_in_graphs(models.load(honest))
