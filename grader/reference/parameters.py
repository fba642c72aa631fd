"""Load and validate an assignment's question parameters (`reference/<hw>/parameters.toml`).

Only the inputs of the questions live in that file (image, filter, tensor
sizes, which paddings are accepted); results are computed by `answer_key`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grader.errors import ParametersError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArraySpec(_Strict):
    """A channel-first array: one H×W matrix per channel."""

    description: str = ""
    channel_names: tuple[str, ...] = ()
    values: tuple[tuple[tuple[int, ...], ...], ...]

    @model_validator(mode="after")
    def _rectangular(self) -> ArraySpec:
        shapes = {(len(ch), len(row)) for ch in self.values for row in ch}
        heights = {len(ch) for ch in self.values}
        if not self.values or len(heights) != 1 or len({s[1] for s in shapes}) != 1:
            raise ValueError("every channel must be a rectangular matrix of the same size")
        if self.channel_names and len(self.channel_names) != len(self.values):
            raise ValueError("channel_names must name every channel")
        return self


class PaddingConvention(_Strict):
    name: str
    padding: int = Field(ge=0)


class ShapeConvention(_Strict):
    name: str
    padding: Literal["valid", "same"] | int


class NamedConvention(_Strict):
    name: str


class ConvQuestion(_Strict):
    operation: Literal["conv2d"]
    stride: int = Field(default=1, ge=1)
    dilation: int = Field(default=1, ge=1)
    conventions: tuple[PaddingConvention, ...] = Field(min_length=1)


class PoolQuestion(_Strict):
    operation: Literal["max_pool2d", "avg_pool2d"]
    kernel: int = Field(ge=1)
    stride: int | None = Field(default=None, ge=1)
    padding: int = Field(default=0, ge=0)
    conventions: tuple[NamedConvention, ...] = Field(min_length=1)


class ShapeQuestion(_Strict):
    operation: Literal["conv_shape"]
    input_shape: tuple[int, int, int]
    filters: int = Field(ge=1)
    kernel: int = Field(ge=1)
    stride: int = Field(default=1, ge=1)
    conventions: tuple[ShapeConvention, ...] = Field(min_length=1)


QuestionParameters = Annotated[
    ConvQuestion | PoolQuestion | ShapeQuestion, Field(discriminator="operation")
]


class AssignmentParameters(_Strict):
    """Everything the answer key is computed from."""

    image: ArraySpec
    filter: ArraySpec
    questions: dict[str, QuestionParameters]

    @model_validator(mode="after")
    def _filter_matches_image(self) -> AssignmentParameters:
        if len(self.filter.values) != len(self.image.values):
            raise ValueError(
                f"filter has {len(self.filter.values)} channels but the image has {len(self.image.values)}"
            )
        return self


def load_parameters(path: Path) -> AssignmentParameters:
    """Read and validate a parameters file; any problem is one `ParametersError` line."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParametersError(
            "parameters file not found", path=path, hint="check the rubric's `parameters` path"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ParametersError(
            f"not valid TOML: {exc}", path=path, hint="fix the syntax at the position shown"
        ) from None
    try:
        return AssignmentParameters.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ParametersError(
            f"{where}: {first['msg']}",
            path=path,
            hint="see reference/hw4/parameters.toml for the expected layout",
        ) from None
