"""`write_synthetic_data`: small, learnable datasets in the real on-disk formats, byte-identical per seed.

Writes a whole DATA_ROOT (see `grader.data.layout`): cats vs dogs as JPEG
folders, CIFAR-10 as Python-2-style pickle batches, the pretrained base,
and `dataset.toml`. Everything is built in a hidden sibling folder and
renamed into place at the end, so a crash never leaves a half-written root.
Every image has its own random stream (seed, dataset, split, index), JPEGs
use a fixed quality and no metadata, and the manifest has no timestamps.

This module never reads or overwrites a folder that already holds files,
and never touches the network.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from grader.data.cifar_format import (
    META_FILE,
    TEST_BATCH,
    TRAIN_BATCHES,
    CifarBatch,
    encode_batch,
    encode_meta,
)
from grader.data.errors import DataError
from grader.data.layout import (
    CAT_DOG_CLASSES,
    CATS_DOGS,
    CIFAR10,
    HIDDEN,
    PRETRAINED_DIR,
    TRAIN,
    DatasetEntry,
    Manifest,
    publish_permissions,
    write_manifest,
)
from grader.data.synthetic_images import CIFAR_LABEL_NAMES, draw_cifar_object, draw_pet

JPEG_QUALITY = 90
SCALES = ("tiny", "small", "medium")


@dataclass(frozen=True)
class SyntheticScale:
    """How many images each split gets (cats vs dogs per class), and how long the base pretrains."""

    cats_dogs_train: int
    cats_dogs_validation: int
    cats_dogs_test: int
    cifar_per_batch: int
    cifar_test: int
    pretraining_steps: int


def synthetic_scale(scale: str) -> SyntheticScale:
    """The sizes behind a scale name: `tiny` for plumbing tests, `small` (default), `medium`."""
    match scale:
        case "tiny":
            return SyntheticScale(10, 5, 10, 40, 100, pretraining_steps=20)
        case "small":
            return SyntheticScale(200, 50, 100, 400, 1000, pretraining_steps=150)
        case "medium":  # the course's cats-vs-dogs size; roughly 30 s
            return SyntheticScale(1000, 500, 500, 2000, 2000, pretraining_steps=300)
    raise DataError(f"unknown scale {scale!r}", hint=f"use one of {', '.join(SCALES)}")


def _image_rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent generator per image, so one split's size never changes another's pixels."""
    return np.random.default_rng([seed, *stream])


def _jpeg_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _write_cats_dogs(
    train_dir: Path, hidden_dir: Path, seed: int, sizes: SyntheticScale
) -> dict[str, int]:
    """Write the three splits; file names follow Kaggle's (`cat.12.jpg`), numbered across splits."""
    splits = (
        ("train", train_dir, sizes.cats_dogs_train),
        ("validation", train_dir, sizes.cats_dogs_validation),
        ("test", hidden_dir, sizes.cats_dogs_test),
    )
    counts: dict[str, int] = {}
    for label, folder_name in enumerate(CAT_DOG_CLASSES):
        number = 0
        for split_index, (split, base, per_class) in enumerate(splits):
            folder = base / CATS_DOGS / split / folder_name
            folder.mkdir(parents=True)
            for index in range(per_class):
                pixels = draw_pet(_image_rng(seed, 1, split_index, label, index), label)
                (folder / f"{folder_name[:-1]}.{number}.jpg").write_bytes(_jpeg_bytes(pixels))
                number += 1
            counts[split] = counts.get(split, 0) + per_class
    return counts


def _cifar_batch(
    seed: int, batch_index: int, size: int, batch_label: str, first_number: int
) -> CifarBatch:
    labels = np.random.default_rng([seed, 2, batch_index]).permutation(np.arange(size) % 10)
    images = np.empty((size, 3 * 32 * 32), dtype=np.uint8)
    for index, label in enumerate(labels):
        pixels = draw_cifar_object(_image_rng(seed, 3, batch_index, index), int(label))
        images[index] = pixels.transpose(2, 0, 1).reshape(-1)  # R plane, G plane, B plane
    filenames = tuple(
        f"synthetic_{CIFAR_LABEL_NAMES[label]}_s_{first_number + index:06d}.png"
        for index, label in enumerate(labels)
    )
    return CifarBatch(images=images, labels=labels, batch_label=batch_label, filenames=filenames)


def _write_cifar(
    train_dir: Path, hidden_dir: Path, seed: int, sizes: SyntheticScale
) -> dict[str, int]:
    cifar_train, cifar_hidden = train_dir / CIFAR10, hidden_dir / CIFAR10
    cifar_train.mkdir(parents=True)
    cifar_hidden.mkdir(parents=True)
    per_batch = sizes.cifar_per_batch
    for number, file_name in enumerate(TRAIN_BATCHES, start=1):
        label = f"training batch {number} of {len(TRAIN_BATCHES)}"
        batch = _cifar_batch(seed, number, per_batch, label, (number - 1) * per_batch)
        (cifar_train / file_name).write_bytes(encode_batch(batch))
    test = _cifar_batch(
        seed, 0, sizes.cifar_test, "testing batch 1 of 1", len(TRAIN_BATCHES) * per_batch
    )
    (cifar_hidden / TEST_BATCH).write_bytes(encode_batch(test))
    (cifar_train / META_FILE).write_bytes(
        encode_meta(CIFAR_LABEL_NAMES, num_cases_per_batch=per_batch)
    )
    return {"train": per_batch * len(TRAIN_BATCHES), "test": sizes.cifar_test}


def _check_empty_target(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise DataError(
            "exists and is not a folder", path=out, hint="choose a new folder for the data"
        )
    if out.is_dir() and any(out.iterdir()):
        raise DataError(
            "folder is not empty; synthetic data is written only into a new or empty folder",
            path=out,
            hint=f"remove it (rm -r {out}) or choose another folder",
        )


def write_synthetic_data(out: Path, *, seed: int = 0, scale: str = "small") -> Path:
    """Write a complete synthetic DATA_ROOT at `out` (new or empty folder) and return `out`."""
    out = Path(out)
    sizes = synthetic_scale(scale)
    _check_empty_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        train_dir, hidden_dir = staging / TRAIN, staging / HIDDEN
        train_dir.mkdir()
        hidden_dir.mkdir()
        cats_dogs_counts = _write_cats_dogs(train_dir, hidden_dir, seed, sizes)
        cifar_counts = _write_cifar(train_dir, hidden_dir, seed, sizes)
        from grader.data.pretrained import (  # torch: only here
            PretrainingPlan,
            write_pretrained_base,
        )

        write_pretrained_base(
            train_dir / PRETRAINED_DIR,
            seed=seed,
            plan=PretrainingPlan(steps=sizes.pretraining_steps),
        )
        manifest = Manifest(
            name="synthetic",
            created_by="grader data synth",
            seed=seed,
            scale=scale,
            datasets={
                CATS_DOGS: DatasetEntry(counts=cats_dogs_counts),
                CIFAR10: DatasetEntry(counts=cifar_counts),
            },
        )
        write_manifest(staging, manifest)
        publish_permissions(staging)
        _check_empty_target(out)  # someone may have written there meanwhile
        os.replace(staging, out)  # replaces an empty folder, or creates `out`
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
