"""What every dataset format is: a declaration (what the rubric says of the dataset), where its
files live in a DATA_ROOT, how its hidden split becomes model inputs and targets, and how a
small learnable synthetic copy of it is drawn.

A dataset lives under `train/<name>/` (mounted read-only for notebooks) and
`hidden/<name>/` (never shown to student code). Its format decides the files inside.
Must not run models or student code; must not import a format module (the table does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

Target = Literal["class", "real"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetDeclaration(_Strict):
    """One `[datasets.<name>]` table of a rubric: the dataset's format and shapes."""

    format: str
    description: str = Field(default="", description="a note for staff")
    perturbation: str | None = Field(
        default=None,
        description="the label-preserving copy every model is also measured on (grader.data."
        "perturbations: shift, hflip, noise, none; default: the format's)",
    )
    perturbation_margin: float = Field(
        default=0.15,
        gt=0,
        le=1,
        description="a measure that falls by more than this on the perturbed copy goes to a person",
    )

    @field_validator("perturbation")
    @classmethod
    def _known_perturbation(cls, name: str | None) -> str | None:
        from grader.data.perturbations import PERTURBATIONS

        if name is not None and name not in PERTURBATIONS:
            raise ValueError(f"'{name}' is not one of {', '.join(PERTURBATIONS)}")
        return name


@dataclass(frozen=True)
class SynthesisSizes:
    """How many examples each split of a synthetic dataset gets (per class for image folders)."""

    train: int
    validation: int
    test: int


@dataclass(frozen=True)
class DecodedSplit:
    """A hidden split decoded: targets (class ids, or real values) and class names (none for real)."""

    targets: np.ndarray
    class_names: tuple[str, ...]


class DatasetFormat:
    """One row of the dataset formats table. Subclasses set the attributes and the methods."""

    name: ClassVar[str]
    summary: ClassVar[str]
    declaration: ClassVar[type[DatasetDeclaration]]
    #: Independent random streams per format, so one dataset's draws never change another's.
    stream: ClassVar[int]
    #: Synthetic split sizes per scale name (tiny, small, medium).
    sizes: ClassVar[Mapping[str, SynthesisSizes]]
    #: The `grader data` command that imports real data of this format.
    importer: ClassVar[str]
    #: Declaration fields that do not describe the files (how they are decoded, what synthesis
    #: adds): a rubric may change them without new data.
    free_fields: ClassVar[frozenset[str]] = frozenset(
        {"description", "perturbation", "perturbation_margin"}
    )
    #: The perturbation a declaration that names none gets (grader.data.perturbations).
    default_perturbation: ClassVar[str] = "none"

    def perturbation(self, declared: DatasetDeclaration) -> str:
        """The perturbation the check uses for this dataset ("none": no check)."""
        return declared.perturbation or self.default_perturbation

    def target(self, declared: DatasetDeclaration) -> Target:
        """What a model predicts: a class, or real values."""
        return "class"

    def classes(self, declared: DatasetDeclaration) -> int:
        """How many classes a classifier tells apart (0 for real targets)."""
        return 0

    def contract(self, declared: DatasetDeclaration) -> str:
        """One line for students and staff: what the saved model gets and must return."""
        raise NotImplementedError

    def required_pieces(
        self, name: str, declared: DatasetDeclaration, train_dir: Path, hidden_dir: Path
    ) -> list[tuple[Path, str]]:
        """(path, "file" or "files": a folder with files in it) a complete dataset needs."""
        raise NotImplementedError

    def hidden_under_train(
        self, name: str, declared: DatasetDeclaration, train_dir: Path
    ) -> list[Path]:
        """Places under train/ that would hold the hidden split if it leaked there."""
        raise NotImplementedError

    def hidden_sources(self, root: Path, name: str, declared: DatasetDeclaration) -> list[Path]:
        """The files the hidden split is decoded from (their names, sizes and times key the cache)."""
        raise NotImplementedError

    def decode_hidden(
        self, root: Path, name: str, declared: DatasetDeclaration, inputs_path: Path
    ) -> DecodedSplit:
        """Write the hidden inputs to `inputs_path` (.npy, N×…) and return the targets."""
        raise NotImplementedError

    def synthesize(
        self,
        name: str,
        declared: DatasetDeclaration,
        train_dir: Path,
        hidden_dir: Path,
        *,
        seed: int,
        hidden_seed: int,
        sizes: SynthesisSizes,
        stream: tuple[int, ...],
    ) -> Mapping[str, int]:
        """Write a small learnable copy in the real on-disk format; return counts per split.

        The hidden test split is drawn from `hidden_seed`, which nothing visible reveals; the
        classes themselves (prototypes, target functions) come from `seed`."""
        raise NotImplementedError


def image_rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent generator per example, so one split's size never changes another's."""
    return np.random.default_rng([seed, *stream])
