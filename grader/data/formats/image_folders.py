"""`image_folders`: one folder of images per class (Kaggle's cats vs dogs is this), split into
train/validation (visible) and test (hidden); models get RGB images resized to the declared
size, float32 N×3×H×W in [0, 1], and return N×K logits (N×1 for two classes: class 1 when > 0).

    train/<name>/{train,validation}/<class>/*.jpg      hidden/<name>/test/<class>/*.jpg

Synthetic copies draw two classes as the cats-vs-dogs pets and up to ten as the CIFAR-like
objects. Must not run models.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np
from PIL import Image, UnidentifiedImageError
from pydantic import Field, field_validator

from grader.data.errors import DataError
from grader.data.formats.base import (
    DatasetDeclaration,
    DatasetFormat,
    DecodedSplit,
    SynthesisSizes,
    image_rng,
)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
JPEG_QUALITY = 90
VISIBLE_SPLITS = ("train", "validation")
HIDDEN_SPLIT = "test"


class ImageFoldersDeclaration(DatasetDeclaration):
    format: Literal["image_folders"]
    classes: tuple[str, ...] = Field(
        min_length=2, description="the class folders, in label order (the first is class 0)"
    )
    image_size: tuple[int, int] = Field(description="height and width the model gets")
    pretrained_base: bool = Field(
        default=False,
        description="synthetic data ships a small pretrained VGG-style base (train/pretrained)",
    )

    @field_validator("classes")
    @classmethod
    def _folder_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if not name or "/" in name or name.startswith("."):
                raise ValueError(f"class {name!r} must be a plain folder name")
        if len(set(names)) != len(names):
            raise ValueError("a class is listed twice")
        return names


def _sources(root: Path, name: str, declared: ImageFoldersDeclaration) -> list[tuple[Path, int]]:
    """Every hidden test image with its label, in a fixed order."""
    folder = root / "hidden" / name / HIDDEN_SPLIT
    sources: list[tuple[Path, int]] = []
    for label, class_dir in enumerate(declared.classes):
        directory = folder / class_dir
        if not directory.is_dir():
            raise DataError(f"hidden {name} test folder is missing", path=directory)
        images = sorted(
            p
            for p in directory.iterdir()
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file() and not p.is_symlink()
        )
        sources += [(path, label) for path in images]
    if not sources:
        raise DataError(f"hidden {name} test split holds no images", path=folder)
    return sources


def decode_image(path: Path, size: tuple[int, int]) -> np.ndarray:
    """One image as float32 3×H×W in [0, 1]: RGB, PIL bilinear resize."""
    height, width = size
    try:
        with Image.open(path, formats=("JPEG", "PNG")) as image:
            resized = image.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise DataError(f"cannot decode hidden test image: {error}", path=path) from error
    return np.asarray(resized, dtype=np.float32).transpose(2, 0, 1) / 255.0


def jpeg_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


class ImageFolders(DatasetFormat):
    name = "image_folders"
    summary = "a folder of JPEG/PNG images per class; models get N×3×H×W RGB in [0, 1]"
    declaration = ImageFoldersDeclaration
    stream = 1
    importer = "import-cats-dogs"
    default_perturbation = "shift"
    free_fields = frozenset(
        {"description", "image_size", "pretrained_base", "perturbation", "perturbation_margin"}
    )
    sizes = MappingProxyType(
        {  # per class
            "tiny": SynthesisSizes(10, 5, 10),
            "small": SynthesisSizes(200, 50, 100),
            "medium": SynthesisSizes(1000, 500, 500),
        }
    )

    def classes(self, declared: DatasetDeclaration) -> int:
        assert isinstance(declared, ImageFoldersDeclaration)
        return len(declared.classes)

    def contract(self, declared: DatasetDeclaration) -> str:
        assert isinstance(declared, ImageFoldersDeclaration)
        height, width = declared.image_size
        count = len(declared.classes)
        logits = "N×1 (class 1 when > 0) or N×2" if count == 2 else f"N×{count}"
        return (
            f"float32 N×3×{height}×{width} RGB images in [0, 1] in; {logits} logits out "
            f"(classes {', '.join(declared.classes)})"
        )

    def required_pieces(
        self, name: str, declared: DatasetDeclaration, train_dir: Path, hidden_dir: Path
    ) -> list[tuple[Path, str]]:
        assert isinstance(declared, ImageFoldersDeclaration)
        pieces: list[tuple[Path, str]] = []
        for base, split in ((train_dir, "train"), (train_dir, "validation"), (hidden_dir, "test")):
            pieces += [(base / name / split / label, "files") for label in declared.classes]
        return pieces

    def hidden_under_train(
        self, name: str, declared: DatasetDeclaration, train_dir: Path
    ) -> list[Path]:
        return [train_dir / name / HIDDEN_SPLIT]

    def hidden_sources(self, root: Path, name: str, declared: DatasetDeclaration) -> list[Path]:
        assert isinstance(declared, ImageFoldersDeclaration)
        return [path for path, _ in _sources(root, name, declared)]

    def decode_hidden(
        self, root: Path, name: str, declared: DatasetDeclaration, inputs_path: Path
    ) -> DecodedSplit:
        """Decode straight into a memory-mapped .npy (a real split is ~270 MB)."""
        assert isinstance(declared, ImageFoldersDeclaration)
        sources = _sources(root, name, declared)
        height, width = declared.image_size
        inputs = np.lib.format.open_memmap(
            inputs_path, mode="w+", dtype=np.float32, shape=(len(sources), 3, height, width)
        )
        for index, (path, _) in enumerate(sources):
            inputs[index] = decode_image(path, declared.image_size)
        inputs.flush()
        del inputs
        labels = np.array([label for _, label in sources], dtype=np.int64)
        return DecodedSplit(labels, declared.classes)

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
        """File names follow Kaggle's (`cat.12.jpg`), numbered across splits."""
        from grader.data.synthetic_images import draw_cifar_object, draw_pet

        assert isinstance(declared, ImageFoldersDeclaration)
        count = len(declared.classes)
        if count > 10:
            raise DataError(
                f"{name}: synthetic image folders draw at most 10 classes, not {count}",
                hint="import the real images instead (grader data import-cats-dogs)",
            )
        draw = draw_pet if count == 2 else draw_cifar_object
        splits = (
            ("train", train_dir, sizes.train),
            ("validation", train_dir, sizes.validation),
            ("test", hidden_dir, sizes.test),
        )
        counts: dict[str, int] = {}
        for label, folder_name in enumerate(declared.classes):
            number = 0
            stem = folder_name[:-1] if folder_name.endswith("s") else folder_name
            for split_index, (split, base, per_class) in enumerate(splits):
                folder = base / name / split / folder_name
                folder.mkdir(parents=True)
                for index in range(per_class):
                    drawn_from = hidden_seed if split == "test" else seed
                    pixels = draw(image_rng(drawn_from, *stream, split_index, label, index), label)
                    (folder / f"{stem}.{number}.jpg").write_bytes(jpeg_bytes(pixels))
                    number += 1
                counts[split] = counts.get(split, 0) + per_class
        return counts


FORMAT = ImageFolders()
