"""`npz`: numpy arrays of any shape per example (sequences, tabular features, token ids) with
integer class labels or real targets; models get a batch N×<input_shape> (float32, or int64
token ids) and return N×K logits (classes) or N×<target_shape> values (real targets).

    train/<name>/train.npz, train/<name>/validation.npz      hidden/<name>/test.npz
    each with arrays `x` (N×<input_shape>) and `y` (N class ids, or N×<target_shape> reals)

Files are read with `allow_pickle=False`. Synthetic copies are learnable: each class has a
prototype (float inputs) or a token distribution (token ids), and real targets are a linear
function of the inputs. Must not run models.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from grader.data.errors import DataError
from grader.data.formats.base import (
    DatasetDeclaration,
    DatasetFormat,
    DecodedSplit,
    SynthesisSizes,
    Target,
)

SPLIT_FILES = {"train": "train.npz", "validation": "validation.npz", "test": "test.npz"}
MAX_NPZ_BYTES = 2 * 1024**3
NOISE = 1.6  # synthetic class data: prototype scale 1, this much Gaussian noise per entry


class NpzDeclaration(DatasetDeclaration):
    format: Literal["npz"]
    input_shape: tuple[int, ...] = Field(
        min_length=1, description="one example's shape, e.g. [20, 8]: 20 steps of 8 features"
    )
    input_dtype: Literal["float32", "int64"] = Field(
        default="float32", description="int64 for token ids"
    )
    vocabulary: int | None = Field(
        default=None, ge=2, description="token ids run from 0 to vocabulary − 1 (int64 inputs)"
    )
    target: Target = "class"
    classes: int | tuple[str, ...] | None = Field(
        default=None, description="class targets: how many, or their names in label order"
    )
    target_shape: tuple[int, ...] = Field(
        default=(), description="real targets: one example's target shape ([] for one number)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> NpzDeclaration:
        if any(d < 1 for d in self.input_shape):
            raise ValueError("input_shape entries must be positive")
        if self.target == "class":
            if self.classes is None:
                raise ValueError("class targets need `classes` (a count, or the names)")
            if self.class_count < 2:
                raise ValueError("a classifier needs at least 2 classes")
        elif self.classes is not None:
            raise ValueError("real targets take no `classes`")
        if self.input_dtype == "int64" and self.vocabulary is None:
            raise ValueError("token-id inputs (int64) need `vocabulary`")
        return self

    @property
    def class_count(self) -> int:
        if isinstance(self.classes, int):
            return self.classes
        return len(self.classes or ())

    @property
    def class_names(self) -> tuple[str, ...]:
        if isinstance(self.classes, tuple):
            return self.classes
        return tuple(str(i) for i in range(self.class_count))


def read_npz(path: Path, declared: NpzDeclaration) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of one split, checked against the declaration; DataError names what is off."""
    try:
        if path.stat().st_size > MAX_NPZ_BYTES:
            raise DataError(f"larger than {MAX_NPZ_BYTES // 1024**3} GiB", path=path)
        with np.load(path, allow_pickle=False) as arrays:
            if "x" not in arrays or "y" not in arrays:
                raise DataError(
                    f"needs arrays `x` and `y`, has {', '.join(arrays.files) or 'none'}",
                    path=path,
                    hint="np.savez(path, x=inputs, y=targets)",
                )
            x, y = arrays["x"], arrays["y"]
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise DataError(f"cannot read the arrays: {error}", path=path) from error
    expected = tuple(declared.input_shape)
    if x.ndim != len(expected) + 1 or tuple(x.shape[1:]) != expected:
        raise DataError(
            f"x has shape {list(x.shape)}; the rubric declares N×{'×'.join(map(str, expected))}",
            path=path,
        )
    if len(y) != len(x):
        raise DataError(f"{len(x)} inputs but {len(y)} targets", path=path)
    if declared.input_dtype == "int64":
        if x.dtype.kind not in "iu" or (
            x.size and (x.min() < 0 or x.max() >= (declared.vocabulary or 0))
        ):
            raise DataError(f"x must hold token ids 0…{(declared.vocabulary or 1) - 1}", path=path)
    elif x.dtype.kind not in "fiu":
        raise DataError(f"x must hold numbers, not {x.dtype}", path=path)
    if declared.target == "class":
        if (
            y.ndim != 1
            or y.dtype.kind not in "iu"
            or (y.size and (y.min() < 0 or y.max() >= declared.class_count))
        ):
            raise DataError(f"y must be N class ids 0…{declared.class_count - 1}", path=path)
    elif tuple(y.shape[1:]) != tuple(declared.target_shape) or y.dtype.kind not in "fiu":
        raise DataError(
            f"y has shape {list(y.shape)}; real targets need N×{'×'.join(map(str, declared.target_shape)) or '1'}",
            path=path,
        )
    return x, y


def _labels(rng: np.random.Generator, count: int, classes: int) -> np.ndarray:
    return rng.permutation(np.arange(count) % classes).astype(np.int64)


class NpzArrays(DatasetFormat):
    name = "npz"
    summary = "numpy .npz arrays x (N×any shape, float or token ids) and y (class ids or reals)"
    declaration = NpzDeclaration
    stream = 4
    importer = "import-npz"
    sizes = MappingProxyType(
        {
            "tiny": SynthesisSizes(64, 32, 64),
            "small": SynthesisSizes(800, 200, 400),
            "medium": SynthesisSizes(3000, 1000, 1000),
        }
    )

    def target(self, declared: DatasetDeclaration) -> Target:
        assert isinstance(declared, NpzDeclaration)
        return declared.target

    def classes(self, declared: DatasetDeclaration) -> int:
        assert isinstance(declared, NpzDeclaration)
        return declared.class_count

    def contract(self, declared: DatasetDeclaration) -> str:
        assert isinstance(declared, NpzDeclaration)
        shape = "×".join(str(d) for d in declared.input_shape)
        inputs = (
            f"int64 token ids (0…{(declared.vocabulary or 1) - 1})"
            if declared.input_dtype == "int64"
            else "float32 values"
        )
        if declared.target == "class":
            out = f"N×{declared.class_count} logits out"
        else:
            out = f"N×{'×'.join(map(str, declared.target_shape)) or '1'} values out"
        return f"N×{shape} {inputs} in; {out}"

    def required_pieces(
        self, name: str, declared: DatasetDeclaration, train_dir: Path, hidden_dir: Path
    ) -> list[tuple[Path, str]]:
        return [
            (train_dir / name / SPLIT_FILES["train"], "file"),
            (hidden_dir / name / SPLIT_FILES["test"], "file"),
        ]

    def hidden_under_train(
        self, name: str, declared: DatasetDeclaration, train_dir: Path
    ) -> list[Path]:
        return [train_dir / name / SPLIT_FILES["test"]]

    def hidden_sources(self, root: Path, name: str, declared: DatasetDeclaration) -> list[Path]:
        return [root / "hidden" / name / SPLIT_FILES["test"]]

    def decode_hidden(
        self, root: Path, name: str, declared: DatasetDeclaration, inputs_path: Path
    ) -> DecodedSplit:
        assert isinstance(declared, NpzDeclaration)
        x, y = read_npz(root / "hidden" / name / SPLIT_FILES["test"], declared)
        np.save(inputs_path, x.astype(declared.input_dtype), allow_pickle=False)
        if declared.target == "class":
            return DecodedSplit(y.astype(np.int64), declared.class_names)
        return DecodedSplit(y.astype(np.float32), ())

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
        assert isinstance(declared, NpzDeclaration)
        rng = np.random.default_rng([seed, *stream])
        shape = tuple(declared.input_shape)
        if declared.target == "class":
            classes = declared.class_count
            if declared.input_dtype == "int64":
                vocabulary = declared.vocabulary or 2
                # Each class favours its own few tokens among uniform ones.
                favoured = rng.integers(0, vocabulary, size=(classes, max(2, vocabulary // 8)))
            else:
                prototypes = rng.normal(size=(classes, *shape)).astype(np.float32)
        else:
            weights = rng.normal(
                size=(int(np.prod(shape)), int(np.prod(declared.target_shape or (1,))))
            ) / np.sqrt(np.prod(shape))
        counts: dict[str, int] = {}
        for index, (split, count) in enumerate(
            (("train", sizes.train), ("validation", sizes.validation), ("test", sizes.test))
        ):
            if count == 0:
                continue
            drawn_from = hidden_seed if split == "test" else seed
            split_rng = np.random.default_rng([drawn_from, *stream, index, count])
            if declared.target == "class":
                y = _labels(split_rng, count, classes)
                if declared.input_dtype == "int64":
                    uniform = split_rng.integers(0, vocabulary, size=(count, *shape))
                    choice = split_rng.integers(0, favoured.shape[1], size=(count, *shape))
                    from_class = favoured[y.reshape(-1, *([1] * len(shape))), choice]
                    x = np.where(split_rng.random(size=(count, *shape)) < 0.3, from_class, uniform)
                    x = x.astype(np.int64)
                else:
                    noise = split_rng.normal(scale=NOISE, size=(count, *shape))
                    x = (prototypes[y] + noise).astype(np.float32)
                targets: np.ndarray = y
            else:
                x = split_rng.normal(size=(count, *shape)).astype(np.float32)
                values = x.reshape(count, -1) @ weights + split_rng.normal(
                    scale=0.05, size=(count, weights.shape[1])
                )
                targets = values.reshape(count, *declared.target_shape).astype(np.float32)
            base = hidden_dir if split == "test" else train_dir
            folder = base / name
            folder.mkdir(parents=True, exist_ok=True)
            np.savez(folder / SPLIT_FILES[split], x=x, y=targets)
            counts[split] = count
        return counts


FORMAT = NpzArrays()
