"""Run a student's TorchScript model on hidden-test inputs: the one script that runs INSIDE the sandbox.

Usage: python inside_predict.py --model model.pt --inputs inputs.npy --out out/ [--batch-size 64]

Writes `out/predictions.npy` (float32 outputs, N×K: logits, or values for real targets) and
`out/summary.json` (timing, device, output shape and a structure summary of the model: layer
counts and graph facts used by the structure checks). On any failure it writes `{"error": "..."}` to `out/summary.json` and exits with code 3.

It must stay standalone: stdlib, numpy and torch only, never `grader` (the sandbox holds the model,
the inputs and this file, nothing else of the host). It never sees labels and never scores anything;
the host reads what it wrote with size caps and without following symlinks.

Layer counts (`executed`) come from ONE forward pass on the first batch of test inputs under the
torch profiler: an op counts only if it ran, and only when the model called it itself (no aten op
above it), so one `conv2d` counts once, not again as the `convolution`/`_convolution`/
`mkldnn_convolution` it calls. The pass runs the inlined graph as a fresh, unoptimised function so
that JIT fusion (CUDA fuses `add`+`relu` after a few runs) hides no op; events from
`record_function` annotations are ignored, so a model cannot forge an op by naming a scope after it.
Module counts (`layer_counts`) only count torch.nn's own classes by TorchScript qualified type
(`__torch__.torch.nn.modules.conv.Conv2d`, mangled `....conv.___torch_mangle_3.Conv2d`), not a
student's class named `Conv2d`; a class can still forge that name through `__module__`, so the host
treats module counts as informational and decides from the executed ops.

Graph heuristics (on `model.inlined_graph`, data flow from the forward's inputs only; weights and
constants are not data):
- a *branch fork* of two tensors is their latest common data ancestor; "convs after the fork" counts
  convolution ops that lie between the fork and the tensor;
- inception (`concat_parallel_branches`): an `aten::cat` joins ≥2 tensors that each have ≥1 conv
  after their pairwise fork. `cat([x, conv(x)])` (dense/U-Net style) is not parallel branches;
- residual (`residual_skip`): an `aten::add`/`add_` of two data tensors where one side has no conv
  after the fork and the other ≥1 (identity skip, e.g. `x + f(x)`), or one side exactly one conv and
  the other ≥2 (projection shortcut, e.g. `bn(conv1x1(x)) + f(x)`);
- attention written out (`explicit_attention`): a softmax over a product of two data tensors
  whose result multiplies a data tensor (nn.MultiheadAttention's unfused path, a student's own
  head), looked for in every branch (nn.MultiheadAttention computes it under shape checks), so
  the host also requires a softmax and two products to have run per head; the fused ops
  (`scaled_dot_product_attention`, `_native_multi_head_attention`) count as executed ops;
- ops inside a `prim::If` whose condition, or a `prim::Loop` whose trip count or first condition,
  is computed from the forward's inputs (values or shapes) do not count for these flags: such a
  branch may never run (`if x.sum() > 1e9: ...`). Conditions on attributes (`if self.training:`)
  and constants are not data. The graph is static all the same, so the host also requires the
  executed ops to confirm a flag (a concatenation and ≥2 convolutions ran; an add and a conv ran).
Limits: lists built by `append`, `torch.stack`, `torch.sum`, and models frozen with conv/BN folding
are not seen through; a sum of a 1-conv and a 2-conv branch reads as a projection skip; a loop
variable that becomes data only inside the loop body is not seen as data; an op that ran on
constants rather than on the inputs still counts as executed; legitimate convolutions inside a
shape-dependent `if` do not count for the graph flags.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

EXIT_FAILED = 3
MAX_ERROR_CHARS = 400
MAX_GRAPH_NODES = 20_000  # VGG16 inlines to ~300; ancestry bitmasks cost nodes² bits
MAX_LISTED_NAMES = 200  # parameter names listed in the summary
MAX_MODULE_TYPES = 200  # distinct module type names listed in the summary
MAX_CAT_ELEMENTS = 64  # pairwise branch checks per concatenation
MAX_PROFILED_EVENTS = 200_000  # profiler events of the one profiled forward pass
TORCH_NN_MODULES = "__torch__.torch.nn.modules."  # qualified types of torch.nn's own layers
# A class compiled twice (two Conv2d configs) gets a mangled name: conv.___torch_mangle_3.Conv2d
MANGLE_PREFIX = "___torch_mangle_"
TORCHSCRIPT_TRACE = "The following operation failed in the TorchScript interpreter"
FUNCTION_SCOPE = 0  # RecordScope::FUNCTION: an operator call, not a record_function annotation

LAYER_KINDS: dict[str, tuple[str, ...]] = {
    "conv": ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"),
    "pooling": (
        "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
        "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
        "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "LPPool1d", "LPPool2d", "FractionalMaxPool2d",
    ),
    "normalization": (
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "LayerNorm", "GroupNorm",
        "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LocalResponseNorm", "RMSNorm",
    ),
    "linear": ("Linear", "Bilinear"),
    "dropout": ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"),
    "lstm": ("LSTM",),
    "gru": ("GRU",),
    "rnn": ("RNN",),
    "attention": ("MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer"),
    "embedding": ("Embedding", "EmbeddingBag"),
}  # fmt: skip

OP_KINDS: dict[str, tuple[str, ...]] = {
    "conv": (
        "aten::conv1d", "aten::conv2d", "aten::conv3d", "aten::_convolution", "aten::convolution",
        "aten::_convolution_mode", "aten::conv_transpose1d", "aten::conv_transpose2d",
        "aten::conv_transpose3d", "aten::mkldnn_convolution",
    ),
    "conv1d": ("aten::conv1d",),
    "conv2d": ("aten::conv2d",),
    "conv3d": ("aten::conv3d",),
    "conv_transpose": ("aten::conv_transpose1d", "aten::conv_transpose2d", "aten::conv_transpose3d"),
    "pooling": (
        "aten::max_pool1d", "aten::max_pool2d", "aten::max_pool3d", "aten::avg_pool1d",
        "aten::avg_pool2d", "aten::avg_pool3d", "aten::adaptive_avg_pool1d",
        "aten::adaptive_avg_pool2d", "aten::adaptive_avg_pool3d", "aten::adaptive_max_pool1d",
        "aten::adaptive_max_pool2d", "aten::adaptive_max_pool3d", "aten::max_pool2d_with_indices",
        "aten::lp_pool2d",
    ),
    "normalization": (
        "aten::batch_norm", "aten::layer_norm", "aten::group_norm", "aten::instance_norm",
        "aten::local_response_norm", "aten::rms_norm",
    ),
    "batch_norm": ("aten::batch_norm",),
    "layer_norm": ("aten::layer_norm",),
    "linear": ("aten::linear", "aten::addmm", "aten::bilinear"),
    "dropout": ("aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::alpha_dropout"),
    "lstm": ("aten::lstm",),
    "gru": ("aten::gru",),
    "rnn": ("aten::rnn_tanh", "aten::rnn_relu"),
    "recurrent": ("aten::lstm", "aten::gru", "aten::rnn_tanh", "aten::rnn_relu"),
    "attention": (
        "aten::scaled_dot_product_attention", "aten::_native_multi_head_attention",
        "aten::_transformer_encoder_layer_fwd",
    ),
    "embedding": ("aten::embedding", "aten::embedding_bag"),
    "softmax": ("aten::softmax", "aten::_softmax", "aten::log_softmax"),
    "matmul": ("aten::matmul", "aten::bmm", "aten::mm", "aten::einsum", "aten::baddbmm"),
}  # fmt: skip

CONCAT_KINDS = ("aten::cat", "aten::concat", "aten::concatenate")
# Ops whose output is a view of (aliases) their first input, and list/tuple packing.
VIEW_KINDS = frozenset(
    f"aten::{name}"
    for name in (
        "view", "reshape", "flatten", "unflatten", "transpose", "t", "permute", "squeeze",
        "unsqueeze", "expand", "expand_as", "select", "slice", "narrow", "contiguous", "view_as",
        "as_strided", "detach", "alias", "__getitem__", "chunk", "split", "unbind", "movedim",
        "swapaxes", "diagonal", "real", "imag", "unfold",
    )
)  # fmt: skip
PACKING_KINDS = frozenset(
    ("prim::ListConstruct", "prim::ListUnpack", "prim::TupleConstruct", "prim::TupleUnpack")
)
#: Ops that read or write files: a model using one is refused before it runs.
FILE_OPS = ("aten::from_file", "aten::save", "debugprims::load_tensor")
FILE_OP_NAMES = re.compile(r"\bfrom_file\b|\bload_tensor\b|\btorch\.save\b|\baten\.save\b")
MAX_CODE_BYTES = 32 * 1024 * 1024  # serialized TorchScript code scanned before loading
# Convolutions called without their dimension in the name (traced models call these).
GENERIC_CONVOLUTIONS = ("aten::_convolution", "aten::convolution", "aten::_convolution_mode")
# Attention written out (nn.MultiheadAttention's slow path, a student's own head):
# softmax(matmul(q, k)) feeding a matmul with v.
PRODUCT_KINDS = ("aten::matmul", "aten::bmm", "aten::einsum", "aten::baddbmm")
SOFTMAX_KINDS = ("aten::softmax", "aten::_softmax")
ADD_KINDS = ("aten::add", "aten::add_")

KIND_OF_LAYER = {name: kind for kind, names in LAYER_KINDS.items() for name in names}
#: Every kind an op counts for (aten::conv2d is both a "conv" and a "conv2d").
KINDS_OF_OP: dict[str, tuple[str, ...]] = {}
for _kind, _ops in OP_KINDS.items():
    for _op in _ops:
        KINDS_OF_OP[_op] = (*KINDS_OF_OP.get(_op, ()), _kind)
for _op in CONCAT_KINDS:
    KINDS_OF_OP[_op] = ("concat",)
for _op in ADD_KINDS:
    KINDS_OF_OP[_op] = ("add",)


class RefusedModel(Exception):
    """A model this script will not run (it reads or writes files); the message says why."""


class UsageError(Exception):
    """Bad command-line arguments (argparse would otherwise exit with code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's hook; must not return
        raise UsageError(message)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(description="Predict logits for hidden-test inputs with a TorchScript model.")
    parser.add_argument("--model", type=Path, required=True, help="TorchScript file (.pt)")
    parser.add_argument("--inputs", type=Path, required=True, help="float32 N×3×H×W .npy")
    parser.add_argument("--out", type=Path, required=True, help="folder for predictions + summary")
    parser.add_argument("--batch-size", type=int, default=64, help="images per forward pass")
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 65536:
        raise UsageError(f"--batch-size must be between 1 and 65536, not {args.batch_size}")
    return args


def load_inputs(path: Path) -> np.ndarray:
    """Memory-map the inputs and check the contract: N×… (at least 2-D), N ≥ 1, floats (images,
    sequences, features) or integers (token ids, given to the model as int64)."""
    inputs = np.load(path, mmap_mode="r", allow_pickle=False)
    if not isinstance(inputs, np.ndarray) or inputs.ndim < 2 or inputs.shape[0] == 0:
        raise ValueError(
            f"inputs must be a non-empty N×… array, got shape {getattr(inputs, 'shape', None)}"
        )
    if inputs.dtype.kind not in "fiu":
        raise ValueError(f"inputs must be floats or integers, got {inputs.dtype}")
    return inputs


def batch_dtype(inputs: np.ndarray) -> type[np.generic]:
    """What a batch is given to the model as: float32 for floats, int64 for integer ids."""
    return np.float32 if inputs.dtype.kind == "f" else np.int64


def predict(
    model: torch.jit.ScriptModule, inputs: np.ndarray, *, batch_size: int, device: torch.device
) -> tuple[np.ndarray, float, list[int] | None, dict[str, Any] | BaseException]:
    """Batched eval-mode inference: (N×K float32 outputs, seconds, shape before a 1-D fix, the
    ops the first batch ran or why they could not be counted).

    Outputs of more than two dimensions (N×T×K per-step values) are flattened per example.

    The first batch runs under the profiler (`profiled_forward`), so the structure checks cost
    no pass of their own; should profiling fail, that batch runs plainly.
    """
    executed: dict[str, Any] | BaseException = ValueError("no batch was run")
    n = inputs.shape[0]
    predictions: np.ndarray | None = None
    reshaped_from: list[int] | None = None
    dtype = batch_dtype(inputs)
    model.eval()
    started = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, n, batch_size):
            # A copy: the memory map is read-only and torch refuses to wrap non-writable arrays.
            batch = np.array(inputs[start : start + batch_size], dtype=dtype, copy=True)
            tensor = torch.from_numpy(batch).to(device)
            if start == 0:
                try:
                    output, executed = profiled_forward(model, tensor)
                except Exception as error:  # the counts are lost, not the predictions
                    executed = error
                    output = model(tensor)
            else:
                output = model(tensor)
            if not isinstance(output, torch.Tensor):
                raise TypeError(
                    f"the model returned {type(output).__name__}, not a tensor of logits"
                )
            if output.ndim == 1 and output.shape[0] == batch.shape[0]:
                # N logits squeezed from N×1 (common with BCEWithLogitsLoss): read as N×1.
                reshaped_from = [n]
                output = output.unsqueeze(1)
            elif output.ndim > 2 and output.shape[0] == batch.shape[0]:
                reshaped_from = [n, *(int(size) for size in output.shape[1:])]
                output = output.reshape(output.shape[0], -1)
            if output.ndim != 2 or output.shape[0] != batch.shape[0] or output.shape[1] < 1:
                raise ValueError(
                    f"the model returned shape {list(output.shape)} for a batch of "
                    f"{batch.shape[0]}; the contract asks for N×K logits (or values)"
                )
            logits = output.detach().to("cpu", torch.float32).numpy()
            if predictions is None:
                predictions = np.empty((n, logits.shape[1]), dtype=np.float32)
            elif logits.shape[1] != predictions.shape[1]:
                raise ValueError("the model returned a different number of logits between batches")
            predictions[start : start + logits.shape[0]] = logits
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    assert predictions is not None  # n ≥ 1 was checked when loading
    return predictions, time.perf_counter() - started, reshaped_from, executed


def qualified_type(module: torch.jit.ScriptModule) -> str:
    """TorchScript type of a module without `__torch__.` and mangling: `torch.nn.modules.conv.Conv2d`."""
    name = str(module._c._type().qualified_name()).removeprefix("__torch__.")
    return ".".join(part for part in name.split(".") if not part.startswith(MANGLE_PREFIX))


def torch_layer_kind(qualified: str) -> str | None:
    """The layer kind of one of torch.nn's own classes; None for any other class, whatever its name."""
    if not f"__torch__.{qualified}".startswith(TORCH_NN_MODULES):
        return None
    return KIND_OF_LAYER.get(qualified.rpartition(".")[2])


def module_summary(model: torch.jit.ScriptModule) -> dict[str, Any]:
    """Counts of module types (by qualified type) and which parameters are trainable.

    `layer_counts` counts torch.nn's own layer classes only; `lookalike_counts` counts, per kind,
    the other classes named like one (a student's `class Conv2d(nn.Module)`), which do not count.
    """
    type_of_module = {name: qualified_type(module) for name, module in model.named_modules()}
    kind_of_module = {
        name: torch_layer_kind(qualified) for name, qualified in type_of_module.items()
    }
    module_types = Counter(type_of_module.values())
    layer_counts = dict.fromkeys(LAYER_KINDS, 0)
    lookalike_counts = Counter[str]()
    for name, kind in kind_of_module.items():
        if kind is not None:
            layer_counts[kind] += 1
        elif (lookalike := KIND_OF_LAYER.get(type_of_module[name].rpartition(".")[2])) is not None:
            lookalike_counts[lookalike] += 1
    totals = Counter[str]()
    by_layer: dict[str, Counter[str]] = {kind: Counter() for kind in LAYER_KINDS}
    frozen_names: list[str] = []
    for name, parameter in model.named_parameters():
        state = "trainable" if parameter.requires_grad else "frozen"
        totals[f"{state}_tensors"] += 1
        totals[f"{state}_elements"] += int(parameter.numel())
        owner_kind = kind_of_module.get(name.rpartition(".")[0])
        if owner_kind is not None:
            by_layer[owner_kind][state] += 1
        if state == "frozen" and len(frozen_names) < MAX_LISTED_NAMES:
            frozen_names.append(name)
    return {
        "module_types": dict(module_types.most_common(MAX_MODULE_TYPES)),
        "layer_counts": layer_counts,
        "lookalike_counts": dict(lookalike_counts),
        "parameters": {
            **{key: totals[key] for key in ("trainable_tensors", "frozen_tensors")},
            **{key: totals[key] for key in ("trainable_elements", "frozen_elements")},
            "by_layer_kind": {kind: dict(counts) for kind, counts in by_layer.items() if counts},
            "frozen_names": frozen_names,
        },
    }


def _is_operator(event: Any) -> bool:
    # record_function annotations (USER_SCOPE) are named by the model: never an op.
    return event.scope == FUNCTION_SCOPE and not getattr(event, "is_user_annotation", False)


def count_top_level_ops(events: Any) -> Counter[str]:
    """Per kind of KINDS_OF_OP, the operator events with no operator above them (calls by the model)."""
    if len(events) > MAX_PROFILED_EVENTS:
        raise ValueError(
            f"one forward pass ran {len(events)} profiled events, more than {MAX_PROFILED_EVENTS}"
        )
    under_op: dict[int, bool] = {}  # id(event) -> an operator is above it

    def has_op_above(event: Any) -> bool:
        chain, parent = [], event.cpu_parent
        while parent is not None and id(parent) not in under_op:
            chain.append(parent)
            parent = parent.cpu_parent
        above = False if parent is None else under_op[id(parent)] or _is_operator(parent)
        for ancestor in reversed(chain):  # outermost first
            under_op[id(ancestor)] = above
            above = above or _is_operator(ancestor)
        return above

    counts = Counter[str]()
    for event in events:
        kinds = KINDS_OF_OP.get(event.name)
        if kinds is not None and _is_operator(event) and not has_op_above(event):
            for kind in kinds:
                counts[kind] += 1
            if event.name in GENERIC_CONVOLUTIONS:  # traced models: the dimension from the input
                shapes = getattr(event, "input_shapes", None) or [[]]
                dimensions = len(shapes[0]) - 2 if isinstance(shapes[0], list) else 0
                if 1 <= dimensions <= 3:
                    counts[f"conv{dimensions}d"] += 1
    return counts


def profiled_forward(
    model: torch.jit.ScriptModule, batch: torch.Tensor
) -> tuple[Any, dict[str, Any]]:
    """One eval-mode forward pass on `batch` under the torch profiler: (output, ops that ran).

    The inlined graph runs as a fresh function without graph-executor optimisation: the model's
    own executor may run fused kernels (`fused_add_relu`) in which `aten::add` is not seen. The
    output is the model's own (the same ops), so `predict` uses it for the first batch instead
    of a second pass.
    """
    forward = torch._C._create_function_from_graph("forward", model.inlined_graph)
    model.eval()
    with (
        torch.inference_mode(),
        torch.jit.optimized_execution(False),
        torch.autograd.profiler.profile(record_shapes=True) as profile,
    ):
        output = forward(model._c, batch)
    counts = count_top_level_ops(profile.function_events)
    return output, {
        "op_counts": {kind: counts[kind] for kind in OP_KINDS},
        "concat_ops": counts["concat"],
        "add_ops": counts["add"],
    }


def executed_ops(model: torch.jit.ScriptModule, batch: torch.Tensor) -> dict[str, Any]:
    """The ops that ran in one profiled forward pass on `batch` (`profiled_forward`)."""
    return profiled_forward(model, batch)[1]


def _walk(block: Any) -> Iterator[Any]:
    for node in block.nodes():
        yield node
        for inner in node.blocks():
            yield from _walk(inner)


def _carries_tensor(value: Any) -> bool:
    # Tensor, Tensor?, Tensor[], tuples of tensors; not ints taken from `x.size()`.
    return "Tensor" in str(value.type())


def _is_in_place(kind: str) -> bool:
    return kind.startswith("aten::") and kind.endswith("_") and not kind.endswith("__")


def live_values(graph: Any) -> set[int]:
    """Unique ids of the values the forward's output depends on (its backward slice).

    An op whose result is thrown away is not in it, however often it ran. Mutation is
    followed: an in-place op (`out += identity`, `x.relu_()`) is live when the tensor it
    mutates, or a view of that tensor, is live; views, list and tuple packing alias their
    inputs. Iterated to a fixed point.
    """
    nodes = list(_walk(graph))
    parent: dict[int, int] = {}

    def find(value: int) -> int:
        while parent.get(value, value) != value:
            parent[value] = parent.get(parent[value], parent[value])
            value = parent[value]
        return value

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for node in nodes:
        kind = node.kind()
        inputs = [value.unique() for value in node.inputs()]
        outputs = [value.unique() for value in node.outputs()]
        if not inputs or not outputs:
            continue
        if kind in VIEW_KINDS or _is_in_place(kind):
            for output in outputs:
                union(output, inputs[0])
        elif kind in PACKING_KINDS:
            for value in (*inputs, *outputs):
                union(value, outputs[0] if kind.endswith("Construct") else inputs[0])
    live = {value.unique() for value in graph.return_node().inputs()}
    changed = True
    while changed:
        changed = False
        groups = {find(value) for value in live}
        for node in reversed(nodes):
            outputs = [value.unique() for value in node.outputs()]
            needed = any(output in live for output in outputs)
            if not needed and _is_in_place(node.kind()):
                mutated = next(iter(node.inputs()), None)
                needed = mutated is not None and find(mutated.unique()) in groups
            if not needed:
                continue
            wanted = [value.unique() for value in node.inputs()]
            for block in node.blocks():
                wanted += [value.unique() for value in block.returnNode().inputs()]
            wanted += outputs
            fresh = [value for value in wanted if value not in live]
            if fresh:
                live.update(fresh)
                groups.update(find(value) for value in fresh)
                changed = True
    return live


def _node_is_live(node: Any, live: set[int]) -> bool:
    return any(value.unique() in live for value in node.outputs())


class DataFlow:
    """Ancestry of every tensor computed from the forward's inputs, as bitmasks over value indices.

    Convs, concatenations and adds inside a branch or loop whose running depends on the inputs
    (`_runs_on_data`) are left out of `conv_indices`, `concats` and `adds`.
    """

    def __init__(self, graph: Any, live: set[int] | None = None) -> None:
        self.live = live_values(graph) if live is None else live
        self.index: dict[int, int] = {}  # Value.unique() -> index, in program order
        self.ancestors: list[int] = []  # index -> bitmask of ancestor indices, itself included
        self.from_inputs: set[int] = set()  # Value.unique() of any value (bool, int…) from data
        self.conv_indices: list[int] = []
        self.concats: list[Any] = []
        self.adds: list[Any] = []
        # (output index, operand indices) of matrix products of two data tensors
        self.products: list[tuple[int, tuple[int, ...]]] = []
        self.softmaxes: list[tuple[int, int]] = []  # (input mask, output index)
        for value in list(graph.inputs())[1:]:  # inputs()[0] is the module itself
            self._new_value(value, 0)
            self.from_inputs.add(value.unique())
        self._block(graph, counted=True)

    def _new_value(self, value: Any, parents: int) -> int:
        index = len(self.ancestors)
        self.index[value.unique()] = index
        self.ancestors.append(parents | (1 << index))
        return index

    def mask_of(self, value: Any) -> int:
        index = self.index.get(value.unique())
        return 0 if index is None or not _carries_tensor(value) else self.ancestors[index]

    def _runs_on_data(self, node: Any) -> bool:
        """An If whose condition, or a Loop whose trip count or first condition, comes from data."""
        controls = {"prim::If": 1, "prim::Loop": 2}.get(node.kind(), 0)
        return any(value.unique() in self.from_inputs for value in list(node.inputs())[:controls])

    def _block(self, block: Any, *, counted: bool) -> None:
        for node in block.nodes():
            parents = 0
            for value in node.inputs():
                parents |= self.mask_of(value)
            from_inputs = any(value.unique() in self.from_inputs for value in node.inputs())
            inner_counted = counted and not self._runs_on_data(node)
            for inner in node.blocks():  # if/loop bodies: their params see the node's inputs
                for param in inner.inputs():
                    if parents:
                        self._new_value(param, parents)
                    if from_inputs:
                        self.from_inputs.add(param.unique())
                self._block(inner, counted=inner_counted)
                for value in inner.returnNode().inputs():
                    parents |= self.mask_of(value)
                    from_inputs = from_inputs or value.unique() in self.from_inputs
            if from_inputs:
                self.from_inputs.update(output.unique() for output in node.outputs())
            if not parents:
                continue  # weights, constants, attributes: not data
            self._add_data_node(node, parents, counted=counted)

    def _add_data_node(self, node: Any, parents: int, *, counted: bool) -> None:
        kind = node.kind()
        counted = counted and _node_is_live(node, self.live)  # a thrown-away result never counts
        index = -1
        for output in node.outputs():
            index = self._new_value(output, parents)
            if counted and kind in OP_KINDS["conv"]:
                self.conv_indices.append(index)
        # Attention is looked for in every branch: nn.MultiheadAttention computes it under
        # shape checks (`if query.dim() == 3`); the host requires its ops to have run.
        if kind in PRODUCT_KINDS and _node_is_live(node, self.live):
            operands = [self.data_index(v) for v in node.inputs()]
            data = tuple(i for i in operands if i is not None)
            if len(data) >= 2:
                self.products.append((index, data))
        elif kind in SOFTMAX_KINDS and _node_is_live(node, self.live):
            self.softmaxes.append((self.mask_of(node.inputsAt(0)), index))
        if counted and kind in CONCAT_KINDS:
            self.concats.append(node)
        elif counted and kind in ADD_KINDS:
            self.adds.append(node)

    def convs_after_fork(self, a: int, b: int) -> tuple[int, int]:
        """Conv ops between the latest common ancestor of data values a, b and each of them."""
        fork = (self.ancestors[a] & self.ancestors[b]).bit_length() - 1  # -1: no common ancestor

        def after(target: int) -> int:
            mask = self.ancestors[target]
            return sum(
                1
                for c in self.conv_indices
                if c != fork and mask >> c & 1 and (fork < 0 or self.ancestors[c] >> fork & 1)
            )

        return after(a), after(b)

    def data_index(self, value: Any) -> int | None:
        return self.index.get(value.unique()) if _carries_tensor(value) else None

    def attention_heads(self) -> int:
        """Softmaxes over a product of two data tensors whose result multiplies a data tensor."""
        found = 0
        for input_mask, output in self.softmaxes:
            scored = any(input_mask >> product & 1 for product, _ in self.products)
            applied = any(
                any(self.ancestors[operand] >> output & 1 for operand in operands)
                and any(not self.ancestors[operand] >> output & 1 for operand in operands)
                for _, operands in self.products
            )
            found += scored and applied
        return found


def graph_summary(model: torch.jit.ScriptModule) -> dict[str, Any]:
    """Op counts and the inception / residual flags from the inlined TorchScript graph.

    Static: `op_counts` counts every op node, run or not. The flags leave out branches that run
    only on some data (see DataFlow); the host still requires executed ops to confirm them.
    """
    graph = model.inlined_graph
    nodes = list(_walk(graph))
    if len(nodes) > MAX_GRAPH_NODES:
        raise ValueError(f"graph has {len(nodes)} nodes, more than {MAX_GRAPH_NODES} analysed")
    kinds = Counter(node.kind() for node in nodes)
    op_counts = {kind: sum(kinds.get(op, 0) for op in ops) for kind, ops in OP_KINDS.items()}
    live = live_values(graph)
    live_kinds = Counter(node.kind() for node in nodes if _node_is_live(node, live))
    live_counts = {kind: sum(live_kinds.get(op, 0) for op in ops) for kind, ops in OP_KINDS.items()}
    generic = sum(live_kinds.get(op, 0) for op in GENERIC_CONVOLUTIONS)
    for dimension in (1, 2, 3):  # a traced convolution's dimension is known only when it runs
        live_counts[f"conv{dimension}d"] += generic
    live_counts["concat"] = sum(live_kinds.get(op, 0) for op in CONCAT_KINDS)
    live_counts["add"] = sum(live_kinds.get(op, 0) for op in ADD_KINDS)
    flow = DataFlow(graph, live)

    parallel_concats, max_branches, concat_count = 0, 0, 0
    for node in flow.concats:
        listed = node.inputsAt(0).node()
        if listed.kind() != "prim::ListConstruct":
            continue
        elements = [i for i in (flow.data_index(v) for v in listed.inputs()) if i is not None]
        elements = elements[:MAX_CAT_ELEMENTS]
        if len(elements) < 2:
            continue
        concat_count += 1
        in_branch: set[int] = set()
        for i, a in enumerate(elements):
            for b in elements[i + 1 :]:
                if a != b and min(flow.convs_after_fork(a, b)) >= 1:
                    in_branch.update((a, b))
        if len(in_branch) >= 2:
            parallel_concats += 1
            max_branches = max(max_branches, len(in_branch))

    tensor_adds, identity_skips, projection_skips = 0, 0, 0
    for node in flow.adds:
        operands = list(node.inputs())[:2]
        left, right = (flow.data_index(v) for v in operands)
        if left is None or right is None or left == right:
            continue
        tensor_adds += 1
        fewer, more = sorted(flow.convs_after_fork(left, right))
        if fewer == 0 and more >= 1:
            identity_skips += 1
        elif fewer == 1 and more >= 2:
            projection_skips += 1

    return {
        "graph_nodes": len(nodes),
        "op_counts": op_counts,
        "live_op_counts": live_counts,
        "concat_nodes": concat_count,
        "parallel_branch_concats": parallel_concats,
        "max_concat_branches": max_branches,
        "concat_parallel_branches": parallel_concats > 0,
        "tensor_adds": tensor_adds,
        "identity_skip_adds": identity_skips,
        "projection_skip_adds": projection_skips,
        "residual_skip": identity_skips + projection_skips > 0,
        "explicit_attention": flow.attention_heads(),
    }


def one_line(error: BaseException) -> str:
    """The error in one capped line. A TorchScript interpreter error is its cause (the last
    line: "RuntimeError: … expected input[2, 1, 8, 8] to have 3 channels …"), not the trace."""
    message = str(error)
    if isinstance(error, RefusedModel):
        return " ".join(message.split())[:MAX_ERROR_CHARS]
    if TORCHSCRIPT_TRACE in message:
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        cause = lines[-1] if lines else message
        text = " ".join(cause.split())
        if not text.startswith(f"{type(error).__name__}:"):
            text = f"{type(error).__name__}: {text}"
        return text[:MAX_ERROR_CHARS]
    text = " ".join(f"{type(error).__name__}: {message}".split())
    return text[:MAX_ERROR_CHARS]


def structure_summary(
    model: torch.jit.ScriptModule,
    batch: torch.Tensor | None = None,
    executed: dict[str, Any] | BaseException | None = None,
) -> dict[str, Any]:
    """Module, graph and executed-op facts: `executed` as `predict` profiled it (or how that
    failed), else profiled here on `batch` (first test inputs on the model's device).

    A failure here is recorded (`module_error`, `graph_error`, `executed_error`); predictions
    still count.
    """
    structure: dict[str, Any] = {}
    try:
        structure.update(module_summary(model))
    except Exception as error:
        structure["module_error"] = one_line(error)
    try:
        structure["graph"] = graph_summary(model)
    except Exception as error:
        structure["graph_error"] = one_line(error)
    if executed is None:
        try:
            executed = executed_ops(model, batch) if batch is not None else ValueError("no batch")
        except Exception as error:
            executed = error
    if isinstance(executed, BaseException):
        structure["executed_error"] = one_line(executed)
    else:
        structure["executed"] = executed
    return structure


def refuse_file_ops_in_archive(path: Path) -> None:
    """Refuse, before loading, a model whose serialized code names a file op: loading runs a
    module's `__setstate__`, so the graph cannot be inspected first."""
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return  # not a zip: torch.jit.load says what is wrong with it
    with archive:
        scanned = 0
        for info in archive.infolist():
            if not info.filename.endswith(".py") or "/code/" not in f"/{info.filename}":
                continue
            scanned += info.file_size
            if scanned > MAX_CODE_BYTES:
                raise ValueError(f"the model's code is larger than {MAX_CODE_BYTES >> 20} MiB")
            text = archive.read(info).decode("utf-8", errors="replace")
            found = FILE_OP_NAMES.search(text)
            if found:
                raise RefusedModel(
                    f"the model calls {found.group(0)}, which reads or writes files: a saved "
                    "model may only compute (refused before loading)"
                )


def refuse_file_ops_in_graphs(model: torch.jit.ScriptModule) -> None:
    """Refuse a loaded model any of whose methods, in any submodule, runs a file op."""
    for module in model.modules():
        methods: Any = module._c  # a ScriptModule's C++ object
        for name in methods._method_names():
            graph = methods._get_method(name).graph.copy()
            torch._C._jit_pass_inline(graph)
            for node in _walk(graph):
                if node.kind() in FILE_OPS:
                    raise RefusedModel(
                        f"the model's {name} calls {node.kind()}, which reads or writes files: "
                        "a saved model may only compute"
                    )


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")


def run(args: argparse.Namespace) -> dict[str, Any]:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    args.out.mkdir(parents=True, exist_ok=True)
    inputs = load_inputs(args.inputs)
    started = time.perf_counter()
    refuse_file_ops_in_archive(args.model)
    model = torch.jit.load(str(args.model), map_location=device)
    refuse_file_ops_in_graphs(model)
    load_seconds = time.perf_counter() - started
    predictions, seconds, reshaped_from, executed = predict(
        model, inputs, batch_size=args.batch_size, device=device
    )
    np.save(args.out / "predictions.npy", predictions, allow_pickle=False)
    summary: dict[str, Any] = {
        "device": device.type,
        "load_seconds": round(load_seconds, 6),
        "inference_seconds": round(seconds, 6),
        "images_per_second": round(inputs.shape[0] / seconds, 3) if seconds > 0 else None,
        "batch_size": args.batch_size,
        "input_shape": list(inputs.shape),
        "output_shape": list(predictions.shape),
        "output_reshaped_from": reshaped_from,
        "torch_version": torch.__version__,
        "structure": structure_summary(model, executed=executed),
    }
    write_json(args.out / "summary.json", summary)
    return summary


def _out_argument(argv: list[str]) -> Path | None:
    for position, argument in enumerate(argv):
        if argument == "--out" and position + 1 < len(argv):
            return Path(argv[position + 1])
        if argument.startswith("--out="):
            return Path(argument.removeprefix("--out="))
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = _out_argument(argv)  # known even when the other arguments are bad
    try:
        with warnings.catch_warnings():
            # torch ≥ 2.9 deprecates TorchScript loading; the contract is TorchScript all the same.
            warnings.filterwarnings(
                "ignore", message=r".*torch\.jit.*", category=DeprecationWarning
            )
            run(parse_args(argv))
        return 0
    except Exception as error:
        message = one_line(error)
        print(json.dumps({"error": message}), file=sys.stderr)
        if out is not None:
            try:
                out.mkdir(parents=True, exist_ok=True)
                (out / "predictions.npy").unlink(missing_ok=True)
                write_json(out / "summary.json", {"error": message})
            except OSError as write_error:
                print(f"could not write the error summary: {write_error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
