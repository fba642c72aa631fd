"""Check a model's structure where a question asks for one, from the sandbox's summary.json.

A model question's rubric `structure` is either a preset (`PRESETS`: `scratch_cnn` needs
convolution, pooling, normalization and dense layers; `inception` parallel conv branches
concatenated; `residual` a skip connection added back) or its own requirements: minimum
counts of the operations that ran per kind (`conv2d = 2`, `lstm = 1`, `attention = 1`; the
kinds are `REQUIREMENT_KINDS`) and the graph facts `parallel_branches` and `skip_connection`. The facts come from `inside_predict.py` (its docstring gives the heuristics).
A layer counts only if its op ran in the profiled forward pass on the test inputs (`executed`)
AND lies on the path to the model's output (`graph.live_op_counts`, the backward slice of the
output): classes merely named `Conv2d`, convolutions in a branch that never runs, and ops whose
result is thrown away do not count; module counts are for the message only. The graph flags (inception, residual) count only when the
executed ops confirm them. Without executed counts (missing, or `executed_error`) a check fails
saying the structure could not be confirmed, never with a confident zero;
`StructureFacts.executed_available` lets a caller route that case to a person.
The summary is untrusted: odd types read as "not shown", never as an error. This module decides
pass/fail with a message only; it neither loads models nor gives points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

LAYER_KINDS = ("conv", "pooling", "normalization", "linear", "dropout")
LAYER_WORDS = {
    "conv": "convolution",
    "pooling": "pooling",
    "normalization": "normalization",
    "linear": "dense (Linear)",
    "dropout": "dropout",
}
#: Every op kind a requirement may count (inside_predict.OP_KINDS), with words for messages.
REQUIREMENT_KINDS = {
    **LAYER_WORDS,
    "conv1d": "1-D convolution",
    "conv2d": "2-D convolution",
    "conv3d": "3-D convolution",
    "conv_transpose": "transposed convolution",
    "batch_norm": "batch normalisation",
    "layer_norm": "layer normalisation",
    "lstm": "LSTM",
    "gru": "GRU",
    "rnn": "Elman RNN",
    "recurrent": "recurrent (LSTM, GRU or RNN)",
    "attention": "attention (scaled dot-product or nn.MultiheadAttention)",
    "embedding": "embedding",
    "softmax": "softmax",
    "matmul": "matrix product",
}


def _count(value: Any) -> int:
    # bool is an int subclass; a forged `true` is not a count.
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


UNCONFIRMED = (
    "the structure could not be confirmed: the operations the model ran on the test inputs "
    "could not be counted"
)


@dataclass(frozen=True)
class StructureFacts:
    """What the summary shows about a model, with odd or missing values read as absent."""

    layers: Mapping[str, int]  # per kind (REQUIREMENT_KINDS): ops of that kind that ran
    modules: Mapping[str, int]  # per kind: torch.nn layer modules (informational)
    lookalikes: Mapping[str, int]  # per kind: other classes named like a torch.nn layer
    executed_available: bool  # the sandbox counted the ops that ran
    executed_concats: int
    executed_adds: int
    graph_available: bool
    concat_parallel_branches: bool
    residual_skip: bool
    max_concat_branches: int
    skip_adds: int

    @classmethod
    def from_summary(cls, summary: Mapping[str, Any]) -> StructureFacts:
        structure = _mapping(summary.get("structure"))
        modules = _mapping(structure.get("layer_counts"))
        lookalikes = _mapping(structure.get("lookalike_counts"))
        graph = _mapping(structure.get("graph"))
        executed = _mapping(structure.get("executed"))
        ran = executed.get("op_counts")
        live = graph.get("live_op_counts")
        graph_available = bool(graph) and "graph_error" not in structure
        # An op counts when it ran AND lies on the path to the output: the smaller of the
        # two counts, so ops whose result is thrown away never count, however often they ran.
        counted = isinstance(ran, Mapping) and isinstance(live, Mapping) and graph_available
        live_counts = _mapping(live)

        def on_path(kind: str, ran_count: Any) -> int:
            return min(_count(ran_count), _count(live_counts.get(kind)))

        layers = {kind: on_path(kind, _mapping(ran).get(kind)) for kind in REQUIREMENT_KINDS}
        # Attention written out counts when the graph shows it and its ops ran that often.
        layers["attention"] += min(
            _count(graph.get("explicit_attention")), layers["softmax"], layers["matmul"] // 2
        )
        return cls(
            layers=layers,
            modules={kind: _count(modules.get(kind)) for kind in LAYER_KINDS},
            lookalikes={kind: _count(lookalikes.get(kind)) for kind in LAYER_KINDS},
            executed_available=counted and "executed_error" not in structure,
            executed_concats=on_path("concat", executed.get("concat_ops")),
            executed_adds=on_path("add", executed.get("add_ops")),
            graph_available=graph_available,
            concat_parallel_branches=graph.get("concat_parallel_branches") is True,
            residual_skip=graph.get("residual_skip") is True,
            max_concat_branches=_count(graph.get("max_concat_branches")),
            skip_adds=_count(graph.get("identity_skip_adds"))
            + _count(graph.get("projection_skip_adds")),
        )

    def layer_text(self) -> str:
        return ", ".join(f"{self.layers[kind]} {LAYER_WORDS[kind]}" for kind in LAYER_KINDS[:4])

    def lookalike_text(self) -> str:
        """A sentence on classes named like torch.nn layers, or "" when there are none."""
        named = [f"{n} {LAYER_WORDS[kind]}" for kind, n in self.lookalikes.items() if n]
        if not named:
            return ""
        return (
            " Layers count by the operation they run, not by their class name: classes named "
            f"like torch.nn layers but defined elsewhere ({', '.join(named)}) do not count."
        )


def _check_counts(
    facts: StructureFacts, needed: Mapping[str, int], title: str | None
) -> tuple[bool, str]:
    """Each op kind in `needed` ran at least so often on the test inputs."""
    if not facts.executed_available:
        shown = [kind for kind in needed if kind in facts.modules]
        modules = ", ".join(f"{facts.modules[kind]} {LAYER_WORDS[kind]}" for kind in shown)
        listed = f" (torch.nn modules: {modules})" if shown else ""
        return False, f"{UNCONFIRMED}, so its layers were not counted{listed}."
    ran = ", ".join(f"{facts.layers.get(kind, 0)} {REQUIREMENT_KINDS[kind]}" for kind in needed)
    missing = [
        f"{REQUIREMENT_KINDS[kind]} (ran {facts.layers.get(kind, 0)}, needs {least})"
        for kind, least in needed.items()
        if facts.layers.get(kind, 0) < least
    ]
    if missing:
        return False, (
            f"missing layers: {'; '.join(missing)}. On the test inputs the model ran "
            f"{ran} layers.{facts.lookalike_text()}"
        )
    if title:
        return True, f"{title} with {ran} layers."
    return True, f"the required layers ran: {ran}."


def _not_run(structure: str, facts: StructureFacts, needs: dict[str, int]) -> str | None:
    """Why a structure seen in the graph is not confirmed by the executed ops, or None."""
    if not facts.executed_available:
        return f"{UNCONFIRMED}, so the {structure} seen in the model's graph was not confirmed."
    ran = {
        "concatenation": facts.executed_concats,
        "addition": facts.executed_adds,
        "convolution": facts.layers["conv"],
    }
    if all(ran[op] >= least for op, least in needs.items()):
        return None
    counts = " and ".join(f"{ran[op]} {op}(s)" for op in needs)
    return (
        f"the {structure} in the model's code did not run on the test inputs "
        f"(ran {counts}; needs {' and '.join(f'{n} {op}(s)' for op, n in needs.items())})."
    )


def check_inception(facts: StructureFacts) -> tuple[bool, str]:
    """p2.inception: a concatenation joins ≥2 parallel convolution branches, and they ran."""
    if not facts.graph_available:
        return False, "the model's graph could not be analysed, so inception blocks were not seen."
    if not facts.concat_parallel_branches:
        return (
            False,
            "no parallel convolution branches joined by torch.cat were found in the forward pass.",
        )
    reason = _not_run(
        "parallel convolution branches joined by torch.cat",
        facts,
        {"concatenation": 1, "convolution": 2},
    )
    if reason is not None:
        return False, reason
    return True, (
        f"inception-style block: {facts.max_concat_branches} parallel convolution branches "
        "concatenated."
    )


def check_residual(facts: StructureFacts) -> tuple[bool, str]:
    """p2.residual: a tensor added back to one computed from it through convolutions, which ran."""
    if not facts.graph_available:
        return False, "the model's graph could not be analysed, so residual blocks were not seen."
    if not facts.residual_skip:
        return (
            False,
            "no skip connection (x + f(x) with convolutions in f) was found in the forward pass.",
        )
    reason = _not_run("skip connection", facts, {"addition": 1, "convolution": 1})
    if reason is not None:
        return False, reason
    return True, f"residual block: {facts.skip_adds} skip connection(s) added back."


FLAG_CHECKS: Mapping[str, Callable[[StructureFacts], tuple[bool, str]]] = {
    "parallel_branches": check_inception,
    "skip_connection": check_residual,
}
FLAGS = tuple(FLAG_CHECKS)


@dataclass(frozen=True)
class Preset:
    """A named set of requirements (HW4's checks), and what a passing model is called."""

    requirements: Mapping[str, int | bool]
    title: str


PRESETS: Mapping[str, Preset] = {
    "scratch_cnn": Preset(
        {"conv": 2, "pooling": 1, "normalization": 1, "linear": 1}, "CNN from scratch"
    ),
    "inception": Preset({"parallel_branches": True}, "inception-style block"),
    "residual": Preset({"skip_connection": True}, "residual block"),
}


def check_scratch_cnn(facts: StructureFacts) -> tuple[bool, str]:
    """p1.scratch: ≥2 convolution, ≥1 pooling, ≥1 normalization and ≥1 dense layer ran."""
    return check_structure(facts, "scratch_cnn")


def requirement_problem(structure: str | Mapping[str, int | bool]) -> str | None:
    """What is wrong with a rubric's `structure`, in course words, or None."""
    if isinstance(structure, str):
        if structure not in PRESETS:
            return (
                f"'{structure}' is not a preset ({', '.join(PRESETS)}); or give counts per op kind"
            )
        return None
    if not structure:
        return "name at least one requirement"
    for name, value in structure.items():
        if name in FLAGS:
            if value is not True:
                return f"{name} takes true"
        elif name in REQUIREMENT_KINDS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                return f"{name} needs a count of at least 1"
        else:
            known = ", ".join([*REQUIREMENT_KINDS, *FLAGS])
            return f"unknown requirement '{name}' (requirements: {known})"
    return None


def check_requirements(
    facts: StructureFacts, required: Mapping[str, int | bool], title: str | None = None
) -> tuple[bool, str]:
    """Each op kind ran at least so often, and each graph fact holds; one sentence per part."""
    counts = {kind: int(least) for kind, least in required.items() if kind not in FLAGS}
    outcomes = [_check_counts(facts, counts, title)] if counts else []
    outcomes += [check(facts) for flag, check in FLAG_CHECKS.items() if flag in required]
    return all(passed for passed, _ in outcomes), " ".join(message for _, message in outcomes)


def check_structure(
    facts: StructureFacts, structure: str | Mapping[str, int | bool]
) -> tuple[bool, str]:
    """A preset's requirements, or the question's own."""
    if isinstance(structure, str):
        preset = PRESETS[structure]
        return check_requirements(facts, preset.requirements, preset.title)
    return check_requirements(facts, structure)
