"""Build any `torch.nn` module a course names, on the meta device, and read its output shapes and
parameter count without a formula written by hand.

A module is written as in the question: `"nn.LSTM(10, 20, num_layers=2, batch_first=True)"`,
or `"nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.MaxPool2d(2))"`. The text is parsed
with `ast`, never evaluated: the callee must be a class of `torch.nn` (`nn.X`,
`torch.nn.X` or `X`) that is a `Module`, and every argument a literal (number, string,
bool, None, tuple, list) or another such module. On the meta device nothing is allocated,
so a 128×128×32 input costs nothing. torch is imported only when a module is built.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

#: Modules whose input holds integer ids, not real numbers.
INTEGER_INPUT_MODULES = frozenset({"Embedding", "EmbeddingBag"})


@dataclass(frozen=True)
class ModuleSpec:
    """A parsed module expression: the torch.nn class name and its (literal) arguments."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def with_arguments(self, **changes: Any) -> ModuleSpec:
        """The same module with some constructor arguments changed (by name, even if the text
        gave them by position)."""
        signature = _constructor_signature(module_class(self.name))
        bound = signature.bind_partial(*self.args, **self.kwargs)
        arguments = dict(bound.arguments)
        args: tuple[Any, ...] = ()
        extra: dict[str, Any] = {}
        for parameter in signature.parameters.values():
            if parameter.kind is parameter.VAR_POSITIONAL:
                args = tuple(arguments.pop(parameter.name, ()))
            elif parameter.kind is parameter.VAR_KEYWORD:
                extra = dict(arguments.pop(parameter.name, {}))
        return ModuleSpec(self.name, args, {**arguments, **extra, **changes}, self.text)


def _constructor_signature(cls: type[Any]) -> inspect.Signature:
    """The arguments a module takes. The recurrent layers take (*args, **kwargs) and hand them
    to RNNBase, whose own order (after `mode`) is the one that counts."""
    import torch

    if issubclass(cls, torch.nn.RNNBase) and cls is not torch.nn.RNNBase:
        base = inspect.signature(torch.nn.RNNBase.__init__)
        kept = [p for name, p in base.parameters.items() if name not in ("self", "mode")]
        return base.replace(parameters=kept)
    return inspect.signature(cls)


class ModuleExpressionError(ValueError):
    """The module text is not a torch.nn module call with literal arguments."""


def _literal(node: ast.expr, text: str) -> Any:
    if isinstance(node, ast.Call):
        return _call(node, text)
    if isinstance(node, ast.Tuple | ast.List):
        items = tuple(_literal(item, text) for item in node.elts)
        return items if isinstance(node, ast.Tuple) else list(items)
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ModuleExpressionError(
            f"{ast.unparse(node)!r} in {text!r}: only numbers, strings, True/False/None, "
            "tuples, lists and torch.nn modules may be arguments"
        ) from None


def _callee_name(node: ast.expr, text: str) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise ModuleExpressionError(f"{text!r}: write the module as nn.Name(arguments)")
    parts.append(node.id)
    dotted = ".".join(reversed(parts))
    for prefix in ("torch.nn.", "nn."):
        if dotted.startswith(prefix):
            dotted = dotted.removeprefix(prefix)
            break
    if "." in dotted or not dotted:
        raise ModuleExpressionError(
            f"{text!r}: '{'.'.join(reversed(parts))}' is not a torch.nn class"
        )
    return dotted


def _call(node: ast.Call, text: str) -> ModuleSpec:
    name = _callee_name(node.func, text)
    if any(isinstance(arg, ast.Starred) for arg in node.args) or any(
        keyword.arg is None for keyword in node.keywords
    ):
        raise ModuleExpressionError(f"{text!r}: write every argument out (no * or **)")
    args = tuple(_literal(arg, text) for arg in node.args)
    kwargs = {str(keyword.arg): _literal(keyword.value, text) for keyword in node.keywords}
    return ModuleSpec(name, args, kwargs, ast.unparse(node))


def parse_module(text: str) -> ModuleSpec:
    """Parse `nn.X(...)` without evaluating anything; `ModuleExpressionError` says what is wrong."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ModuleExpressionError(f"{text!r} is not valid Python ({exc.msg})") from None
    if not isinstance(tree.body, ast.Call):
        raise ModuleExpressionError(f"{text!r}: write the module as nn.Name(arguments)")
    return _call(tree.body, text.strip())


def module_class(name: str) -> type[torch.nn.Module]:
    import torch

    cls = getattr(torch.nn, name, None)
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise ModuleExpressionError(f"nn.{name} is not a torch.nn module")
    return cls


def _instantiate(value: Any) -> Any:
    if isinstance(value, ModuleSpec):
        cls = module_class(value.name)
        try:
            return cls(
                *(_instantiate(a) for a in value.args),
                **{k: _instantiate(v) for k, v in value.kwargs.items()},
            )
        except (TypeError, ValueError, RuntimeError, AssertionError) as exc:
            raise ModuleExpressionError(f"nn.{value.name}: {exc}") from None
    if isinstance(value, list):
        return [_instantiate(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_instantiate(v) for v in value)
    return value


def build_module(spec: ModuleSpec) -> torch.nn.Module:
    """The module, built on the meta device (no memory, no random numbers drawn)."""
    import torch

    with torch.device("meta"):
        module = _instantiate(spec)
    if not isinstance(module, torch.nn.Module):
        raise ModuleExpressionError(f"{spec.text!r} is not a module")
    return module


def _shapes(output: Any) -> Any:
    import torch

    if isinstance(output, torch.Tensor):
        return tuple(int(d) for d in output.shape)
    if isinstance(output, tuple | list):
        return [_shapes(item) for item in output]
    if output is None:
        return None
    raise ModuleExpressionError(f"the module returned {type(output).__name__}, not tensors")


def output_shapes(
    spec: ModuleSpec, input_shapes: Sequence[Sequence[int]], *, integer_input: bool | None = None
) -> Any:
    """The shape of each tensor the module returns for meta inputs of these shapes: a tuple
    of ints, or nested lists of them for a module returning several (an LSTM: [out, [h, c]])."""
    import torch

    module = build_module(spec)
    integers = spec.name in INTEGER_INPUT_MODULES if integer_input is None else integer_input
    dtype = torch.long if integers else torch.float32
    inputs = [torch.empty(tuple(shape), dtype=dtype, device="meta") for shape in input_shapes]
    try:
        with torch.no_grad():
            output = module(*inputs)
    except (TypeError, ValueError, RuntimeError, IndexError, AssertionError) as exc:
        shapes = ", ".join("×".join(str(d) for d in shape) for shape in input_shapes)
        raise ModuleExpressionError(
            f"{spec.text} cannot take an input of shape {shapes}: {exc}"
        ) from None
    return _shapes(output)


def parameter_count(spec: ModuleSpec, *, exclude: tuple[str, ...] = ()) -> int:
    """Number of learnable parameters, leaving out those whose name contains any of `exclude`."""
    module = build_module(spec)
    return sum(
        p.numel()
        for name, p in module.named_parameters()
        if not any(part in name for part in exclude)
    )


def module_attribute(spec: ModuleSpec, name: str) -> Any:
    """An attribute of the built module (e.g. `padding`, `batch_first`), or None."""
    return getattr(build_module(spec), name, None)
