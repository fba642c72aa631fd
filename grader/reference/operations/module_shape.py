"""The output shape of any `torch.nn` module on an input of a given shape, computed by running it
on the meta device (no formula written by hand), with the mistakes students make: stride,
padding or dilation ignored, the size not floored, batch_first or bidirectional ignored.

`dims` picks the dimensions the question asks for (a pooling question on a 7×7 map asks
for H×W of a 1×1×7×7 input); the whole output shape is then accepted too. No
channels-first alternative: the module's own layout is the answer. Must not read
student text.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from grader.reference.answer_key import AcceptedAnswer, KeyContext, MistakeList, QuestionKey
from grader.reference.operations.base import NamedConvention, Operation, default_conventions
from grader.reference.parameters import OperationParameters
from grader.reference.torch_modules import (
    ModuleExpressionError,
    ModuleSpec,
    module_attribute,
    output_shapes,
    parse_module,
)
from grader.reference.values import Value


class ModuleShapeParameters(OperationParameters):
    operation: Literal["module_shape"]
    module: str = Field(
        description='the module as written in Python, e.g. "nn.LSTM(10, 20, batch_first=True)"'
    )
    input_shape: tuple[int, ...] | None = Field(
        default=None, description="the input tensor's shape"
    )
    inputs: tuple[tuple[int, ...], ...] | None = Field(
        default=None, description="several inputs (e.g. query, key, value of nn.MultiheadAttention)"
    )
    output: tuple[int, ...] = Field(
        default=(),
        description="which returned tensor: [] the first; [1, 0] the first of the second (an LSTM's h_n)",
    )
    dims: tuple[int, ...] | None = Field(
        default=None, description="the dimensions asked for, e.g. [2, 3] or [-2, -1] for H×W"
    )
    conventions: tuple[NamedConvention, ...] = default_conventions("output shape")

    @field_validator("module")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse_module(text)
        return text

    @model_validator(mode="after")
    def _one_input_form(self) -> ModuleShapeParameters:
        if (self.input_shape is None) == (self.inputs is None):
            raise ValueError("give either input_shape = [...] or inputs = [[...], ...]")
        return self

    @property
    def input_shapes(self) -> tuple[tuple[int, ...], ...]:
        return self.inputs if self.inputs is not None else (self.input_shape or (),)


def _pick(shapes: Any, path: tuple[int, ...]) -> tuple[int, ...]:
    """The returned tensor at `path` (default: the first tensor, depth first)."""
    current = shapes
    for index in path:
        if not isinstance(current, list) or not -len(current) <= index < len(current):
            raise ValueError(
                f"output = {list(path)} names no returned tensor (the module returns {shapes})"
            )
        current = current[index]
    while isinstance(current, list):
        current = current[0]
    if not isinstance(current, tuple):
        raise ValueError(f"output = {list(path)} names no tensor")
    return current


def _select(shape: tuple[int, ...] | tuple[Fraction, ...], dims: tuple[int, ...] | None) -> Value:
    chosen = shape if dims is None else tuple(shape[d] for d in dims)
    return tuple(Fraction(d) for d in chosen)


def _shape_of(spec: ModuleSpec, q: ModuleShapeParameters) -> tuple[int, ...]:
    return _pick(output_shapes(spec, q.input_shapes), q.output)


def _unfloored(
    spec: ModuleSpec, q: ModuleShapeParameters, shape: tuple[int, ...]
) -> tuple[Fraction, ...] | None:
    """The output shape with (n + 2p − d(k−1) − 1)/s + 1 not floored, for a conv or pool module."""
    kernel = module_attribute(spec, "kernel_size")
    if kernel is None or q.output:
        return None

    def per_dim(value: Any, count: int) -> tuple[int, ...]:
        return tuple(value) if isinstance(value, tuple | list) else (int(value),) * count

    spatial = len(kernel) if isinstance(kernel, tuple | list) else 2
    kernels = per_dim(kernel, spatial)
    strides = per_dim(module_attribute(spec, "stride") or kernels, spatial)
    paddings = per_dim(module_attribute(spec, "padding") or 0, spatial)
    dilations = per_dim(module_attribute(spec, "dilation") or 1, spatial)
    if any(isinstance(p, str) for p in paddings):
        return None  # padding="same"
    sizes = q.input_shapes[0][-spatial:]
    raw = tuple(
        Fraction(n + 2 * p - d * (k - 1) - 1, s) + 1
        for n, k, s, p, d in zip(sizes, kernels, strides, paddings, dilations, strict=True)
    )
    if all(r.denominator == 1 for r in raw):
        return None
    return (*(Fraction(d) for d in shape[: len(shape) - spatial]), *raw)


def compute_module_shape(qid: str, q: ModuleShapeParameters, context: KeyContext) -> QuestionKey:
    spec = parse_module(q.module)
    try:
        shape = _shape_of(spec, q)
    except ModuleExpressionError as exc:
        raise ValueError(str(exc)) from None
    if q.dims is not None and any(not -len(shape) <= d < len(shape) for d in q.dims):
        raise ValueError(
            f"dims = {list(q.dims)} but the output has {len(shape)} dimensions {shape}"
        )
    accepted = [AcceptedAnswer(c.name, _select(shape, q.dims)) for c in q.conventions]
    if q.dims is not None and len(q.dims) < len(shape):
        full = "×".join(["N", "C", "H", "W"][: len(shape)]) if len(shape) == 4 else "all dimensions"
        accepted.append(AcceptedAnswer(f"the whole output shape ({full})", _select(shape, None)))
    mistakes = MistakeList()
    defaults = {"stride": 1, "padding": 0, "dilation": 1}
    for attribute, default in defaults.items():
        value = module_attribute(spec, attribute)
        if (
            attribute == "stride"
            and module_attribute(spec, "kernel_size") is not None
            and "Pool" in spec.name
        ):
            default_value: Any = 1
        else:
            default_value = default
        if value is None or isinstance(value, str):
            continue
        values = value if isinstance(value, tuple | list) else (value,)
        if all(v == default_value for v in values):
            continue
        mistakes.add(
            f"{attribute} ignored",
            lambda a=attribute, d=default_value: _select(
                _shape_of(spec.with_arguments(**{a: d}), q), q.dims
            ),
        )
    unfloored = _unfloored(spec, q, shape)
    if unfloored is not None:
        mistakes.add("output size not floored (not an integer)", lambda: _select(unfloored, q.dims))
    if module_attribute(spec, "ceil_mode"):
        mistakes.add(
            "output size rounded down (ceil_mode ignored)",
            lambda: _select(_shape_of(spec.with_arguments(ceil_mode=False), q), q.dims),
        )
    if module_attribute(spec, "batch_first") and len(shape) >= 2:
        swapped = (shape[1], shape[0], *shape[2:])
        mistakes.add(
            "batch and sequence dimensions swapped (batch_first ignored)",
            lambda: _select(swapped, q.dims),
        )
    if module_attribute(spec, "bidirectional"):
        mistakes.add(
            "one direction only (bidirectional ignored)",
            lambda: _select(_shape_of(spec.with_arguments(bidirectional=False), q), q.dims),
        )
    frozen = tuple(accepted)
    # A "mistake" equal to an accepted answer is no mistake: leave it out.
    known = tuple(m for m in mistakes.freeze() if all(m.value != a.value for a in frozen))
    return QuestionKey(qid, "shape", frozen, known, (), tuple(q.input_shapes))


MODULE_SHAPE = Operation(
    "module_shape",
    "output shape of any torch.nn module on an input of a given shape (built on the meta device)",
    ModuleShapeParameters,
    compute_module_shape,
)
