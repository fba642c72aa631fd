"""The hidden test splits as model inputs: decoded once per source, cached as .npy, reused by every student.

`load_hidden_split` turns `hidden/cats_vs_dogs/test` (JPEGs, resized to
150×150 with PIL bilinear from RGB) or `hidden/cifar10/test_batch` (read by
the restricted unpickler) into a float32 N×3×H×W array in [0, 1], the
input contract of every saved model. The array goes to
`cache_dir/hidden-<dataset>-<key>/inputs.npy`, alone in its folder so that
folder can be mounted for evaluation (labels and class names sit beside it,
readable by the owner only). The key hashes the source files' names, sizes
and mtimes: a later call with unchanged sources loads the labels only, and
any change to the sources gives a new key (old entries are left for the
caller to prune: several data roots may share one cache).

Only the inputs file is meant to be shown to the evaluation sandbox; the
labels stay with the grader. The cache folder is private (`private_cache_dir`:
created 0700, refused when it is a symlink, someone else's, or writable by
others), so no other local user can plant or swap an entry or read the labels.
This module never runs models.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
from PIL import Image, UnidentifiedImageError

from grader.data.cifar_format import META_FILE, read_batch, read_label_names
from grader.data.errors import DataError
from grader.data.layout import CAT_DOG_CLASSES, CATS_DOGS, CIFAR10, DataLayout, fix_hint

IMAGE_SIZES = MappingProxyType({CATS_DOGS: 150, CIFAR10: 32})
"""Height = width of the model inputs per dataset (the assignment's contract)."""
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
CACHE_FORMAT = 1
"""Bump when the decoding changes, so old caches are not reused."""


@dataclass(frozen=True)
class HiddenSplit:
    """A decoded hidden test split: inputs on disk (float32 N×3×H×W in [0, 1]), labels in memory.

    `inputs_path.parent` holds nothing but the inputs file.
    """

    inputs_path: Path
    labels: np.ndarray
    class_names: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.labels)


def _cats_dogs_sources(layout: DataLayout) -> list[tuple[Path, int]]:
    """Every test image with its label (cats = 0, dogs = 1), in a fixed order."""
    folder = layout.cats_dogs_split("test")
    sources: list[tuple[Path, int]] = []
    for label, class_dir in enumerate(CAT_DOG_CLASSES):
        directory = folder / class_dir
        if not directory.is_dir():
            raise DataError(
                "hidden cats_vs_dogs test folder is missing",
                path=directory,
                hint=fix_hint(layout.root, layout.name, CATS_DOGS),
            )
        images = sorted(
            p
            for p in directory.iterdir()
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file() and not p.is_symlink()
        )
        sources += [(path, label) for path in images]
    if not sources:
        raise DataError("hidden cats_vs_dogs test split holds no images", path=folder)
    return sources


def _source_files(layout: DataLayout, dataset: str) -> list[Path]:
    if dataset == CATS_DOGS:
        return [path for path, _ in _cats_dogs_sources(layout)]
    return [layout.cifar_test_batch, layout.cifar_train_dir / META_FILE]


def cache_key(layout: DataLayout, dataset: str) -> str:
    """A hash of the decoding settings and each source file's name, size and mtime."""
    entries: list[object] = [CACHE_FORMAT, dataset, IMAGE_SIZES[dataset]]
    for path in _source_files(layout, dataset):
        try:
            stat = path.stat()
        except OSError as error:
            raise DataError(
                f"hidden split file is unreadable: {error.strerror}",
                path=path,
                hint=fix_hint(layout.root, layout.name, dataset),
            ) from error
        entries.append([path.relative_to(layout.root).as_posix(), stat.st_size, stat.st_mtime_ns])
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:20]


def _decode_image(path: Path, size: int) -> np.ndarray:
    """One image as float32 3×size×size in [0, 1]: RGB, PIL bilinear resize."""
    try:
        with Image.open(path, formats=("JPEG", "PNG")) as image:
            resized = image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise DataError(f"cannot decode hidden test image: {error}", path=path) from error
    return np.asarray(resized, dtype=np.float32).transpose(2, 0, 1) / 255.0


def _decode_cats_dogs(layout: DataLayout, inputs_path: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """Decode the JPEGs straight into a memory-mapped .npy (a real split is ~270 MB)."""
    sources = _cats_dogs_sources(layout)
    size = IMAGE_SIZES[CATS_DOGS]
    inputs = np.lib.format.open_memmap(
        inputs_path, mode="w+", dtype=np.float32, shape=(len(sources), 3, size, size)
    )
    for index, (path, _) in enumerate(sources):
        inputs[index] = _decode_image(path, size)
    inputs.flush()
    del inputs
    return np.array([label for _, label in sources], dtype=np.int64), CAT_DOG_CLASSES


def _decode_cifar(layout: DataLayout, inputs_path: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    batch = read_batch(layout.cifar_test_batch)
    class_names = read_label_names(layout.cifar_train_dir / META_FILE)
    inputs = batch.images.reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    np.save(inputs_path, inputs, allow_pickle=False)
    return batch.labels.astype(np.int64), class_names


def _cache_paths(cache_dir: Path, dataset: str, key: str) -> tuple[Path, Path, Path]:
    """(inputs, labels, class names). The inputs sit alone in their own folder, so the
    evaluation sandbox can mount that folder without ever seeing the labels."""
    stem = f"hidden-{dataset}-{key}"
    return (
        cache_dir / stem / "inputs.npy",
        cache_dir / f"{stem}.labels.npy",
        cache_dir / f"{stem}.classes.json",
    )


def _load_cached(inputs_path: Path, labels_path: Path, classes_path: Path) -> HiddenSplit | None:
    """The cached split, or None when any piece is missing or inconsistent (then it is rebuilt)."""
    try:
        labels = np.load(labels_path, allow_pickle=False)
        class_names = tuple(json.loads(classes_path.read_text(encoding="utf-8")))
        inputs = np.load(inputs_path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if inputs.dtype != np.float32 or inputs.ndim != 4 or len(inputs) != len(labels):
        return None
    return HiddenSplit(inputs_path=inputs_path, labels=labels, class_names=class_names)


def default_cache_dir() -> Path:
    """The hidden-split cache when none is given: one per user in the system temp dir."""
    return Path(tempfile.gettempdir()) / f"hw-grader-cache-{os.geteuid()}"


def private_cache_dir(cache_dir: Path) -> Path:
    """`cache_dir`, created mode 0700 when missing; DataError if anyone else could touch it.

    Refused: a symlink (it could point anywhere), a folder owned by another user (they
    could plant a forged inputs file or read the labels), one writable by group or others.
    """
    cache_dir = Path(cache_dir)
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(cache_dir, 0o700)
    hint = f"remove it, or give a folder of your own with mode 0700 (mkdir -m 700 {cache_dir})"
    try:
        info = os.lstat(cache_dir)
    except OSError as error:
        raise DataError(
            f"the hidden-split cache cannot be used ({error.strerror})", path=cache_dir, hint=hint
        ) from error
    if stat.S_ISLNK(info.st_mode):
        problem = "is a symlink"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "is not a folder"
    elif info.st_uid != os.geteuid():
        problem = f"is owned by uid {info.st_uid}, not by this grader (uid {os.geteuid()})"
    elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        problem = f"is mode {stat.S_IMODE(info.st_mode):04o}: others could write to it"
    else:
        return cache_dir
    raise DataError(f"the hidden-split cache {problem}", path=cache_dir, hint=hint)


def _publish(temporary: Path, final: Path, mode: int) -> None:
    os.chmod(temporary, mode)
    os.replace(temporary, final)


def load_hidden_split(layout: DataLayout, dataset: str, cache_dir: Path) -> HiddenSplit:
    """The hidden test split of `dataset` ("cats_vs_dogs" or "cifar10"), decoded at most once per source."""
    if dataset not in IMAGE_SIZES:
        raise DataError(f"unknown dataset {dataset!r}", hint=f"use one of {', '.join(IMAGE_SIZES)}")
    if dataset not in layout.datasets:
        raise DataError(
            f"this data folder has no {dataset}",
            path=layout.root,
            hint=fix_hint(layout.root, layout.name, dataset),
        )
    cache_dir = private_cache_dir(cache_dir)
    inputs_path, labels_path, classes_path = _cache_paths(
        cache_dir, dataset, cache_key(layout, dataset)
    )
    cached = _load_cached(inputs_path, labels_path, classes_path)
    if cached is not None:
        return cached

    # Build under temporary names and rename: parallel graders may race, and the
    # inputs folder appears last, so a present inputs file means a complete entry.
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".building-") as building:
        partial = Path(building)
        inputs_dir = partial / "inputs"
        inputs_dir.mkdir()
        decode = _decode_cats_dogs if dataset == CATS_DOGS else _decode_cifar
        labels, class_names = decode(layout, inputs_dir / inputs_path.name)
        np.save(partial / "labels.npy", labels, allow_pickle=False)
        (partial / "classes.json").write_text(json.dumps(list(class_names)), encoding="utf-8")
        _publish(partial / "labels.npy", labels_path, 0o600)
        _publish(partial / "classes.json", classes_path, 0o600)
        os.chmod(inputs_dir / inputs_path.name, 0o644)
        os.chmod(inputs_dir, 0o755)
        if os.path.lexists(
            inputs_path.parent
        ):  # a broken entry: move it aside, it is removed with `partial`
            os.replace(inputs_path.parent, partial / "stale")
        try:
            os.replace(inputs_dir, inputs_path.parent)
        except OSError:
            if not inputs_path.is_file():  # not a racing grader that published the same entry first
                raise
    return HiddenSplit(inputs_path=inputs_path, labels=labels, class_names=class_names)
