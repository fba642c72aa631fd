"""Check a model's structure where a question asks for one, from the sandbox's summary.json.

A model question's rubric `structure` names its check (`grader.scoring.models.STRUCTURE_CHECKS`):
`scratch_cnn` (p1.scratch) needs convolution, pooling, normalization and dense layers;
`inception` (p2.inception) parallel conv branches concatenated; `residual` (p2.residual) a skip
connection added back. The facts come from `inside_predict.py` (module counts and graph flags;
its docstring gives the heuristics). The summary is untrusted: odd types read as "not shown",
never as an error. This module decides pass/fail with a message only; it neither loads models
nor gives points.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def _count(value: Any) -> int:
    # bool is an int subclass; a forged `true` is not a count.
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class StructureFacts:
    """What the summary shows about a model, with odd or missing values read as absent."""

    layers: Mapping[str, int]  # per kind: max of module count and forward-graph op count
    graph_available: bool
    concat_parallel_branches: bool
    residual_skip: bool
    max_concat_branches: int
    skip_adds: int

    @classmethod
    def from_summary(cls, summary: Mapping[str, Any]) -> StructureFacts:
        structure = _mapping(summary.get("structure"))
        modules = _mapping(structure.get("layer_counts"))
        graph = _mapping(structure.get("graph"))
        ops = _mapping(graph.get("op_counts"))
        # A layer counts when it is a module of the model or an op its forward runs (functional
        # calls such as F.max_pool2d have no module).
        layers = {
            kind: max(_count(modules.get(kind)), _count(ops.get(kind))) for kind in LAYER_KINDS
        }
        return cls(
            layers=layers,
            graph_available=bool(graph) and "graph_error" not in structure,
            concat_parallel_branches=graph.get("concat_parallel_branches") is True,
            residual_skip=graph.get("residual_skip") is True,
            max_concat_branches=_count(graph.get("max_concat_branches")),
            skip_adds=_count(graph.get("identity_skip_adds"))
            + _count(graph.get("projection_skip_adds")),
        )

    def layer_text(self) -> str:
        return ", ".join(f"{self.layers[kind]} {LAYER_WORDS[kind]}" for kind in LAYER_KINDS[:4])


def check_scratch_cnn(facts: StructureFacts) -> tuple[bool, str]:
    """p1.scratch: ≥2 convolution, ≥1 pooling, ≥1 normalization and ≥1 dense layer."""
    needed = {"conv": 2, "pooling": 1, "normalization": 1, "linear": 1}
    missing = [
        f"{LAYER_WORDS[kind]} (has {facts.layers[kind]}, needs {least})"
        for kind, least in needed.items()
        if facts.layers[kind] < least
    ]
    if missing:
        return False, f"missing layers: {'; '.join(missing)}. Found {facts.layer_text()}."
    return True, f"CNN from scratch with {facts.layer_text()} layers."


def check_inception(facts: StructureFacts) -> tuple[bool, str]:
    """p2.inception: a concatenation joins ≥2 parallel convolution branches."""
    if not facts.graph_available:
        return False, "the model's graph could not be analysed, so inception blocks were not seen."
    if facts.concat_parallel_branches:
        return True, (
            f"inception-style block: {facts.max_concat_branches} parallel convolution branches "
            "concatenated."
        )
    return (
        False,
        "no parallel convolution branches joined by torch.cat were found in the forward pass.",
    )


def check_residual(facts: StructureFacts) -> tuple[bool, str]:
    """p2.residual: a tensor added back to one computed from it through convolutions."""
    if not facts.graph_available:
        return False, "the model's graph could not be analysed, so residual blocks were not seen."
    if facts.residual_skip:
        return True, f"residual block: {facts.skip_adds} skip connection(s) added back."
    return (
        False,
        "no skip connection (x + f(x) with convolutions in f) was found in the forward pass.",
    )
