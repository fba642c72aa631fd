"""The hidden test splits as model inputs: decoded once per source, cached as .npy, reused by every student.

`load_hidden_split` turns a dataset's hidden split into the array its format's model
contract names (`grader.data.formats`: JPEG folders resized to the declared size, CIFAR
batches read by the restricted unpickler, .npz arrays of any shape) and its targets (class
ids or real values). The array goes to
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

import numpy as np

from grader.data.errors import DataError
from grader.data.formats import DatasetDeclaration, dataset_format
from grader.data.layout import DataLayout, fix_hint

CACHE_FORMAT = 2
"""Bump when the decoding changes, so old caches are not reused."""


@dataclass(frozen=True)
class HiddenSplit:
    """A decoded hidden test split: inputs on disk (N×…, float32 or int64), targets in memory
    (class ids, or real values when `class_names` is empty).

    `inputs_path.parent` holds nothing but the inputs file.
    """

    inputs_path: Path
    labels: np.ndarray
    class_names: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.labels)


def cache_key(layout: DataLayout, dataset: str, declared: DatasetDeclaration | None = None) -> str:
    """A hash of the decoding settings (the declaration) and each source file's name, size and mtime."""
    declared = declared or layout.declarations[dataset]
    entries: list[object] = [CACHE_FORMAT, dataset, declared.model_dump(mode="json")]
    for path in dataset_format(declared).hidden_sources(layout.root, dataset, declared):
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
    if inputs.dtype not in (np.float32, np.int64) or inputs.ndim < 2 or len(inputs) != len(labels):
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


def load_hidden_split(
    layout: DataLayout,
    dataset: str,
    cache_dir: Path,
    *,
    declared: DatasetDeclaration | None = None,
) -> HiddenSplit:
    """The hidden test split of one of the layout's datasets, decoded at most once per source,
    as `declared` says (the rubric's declaration: e.g. the image size) or as the layout does."""
    if dataset not in layout.datasets:
        raise DataError(
            f"this data folder has no {dataset} (it holds {', '.join(layout.datasets)})",
            path=layout.root,
            hint=fix_hint(layout.root, layout.name, dataset),
        )
    declared = declared or layout.declarations[dataset]
    cache_dir = private_cache_dir(cache_dir)
    inputs_path, labels_path, classes_path = _cache_paths(
        cache_dir, dataset, cache_key(layout, dataset, declared)
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
        decoded = dataset_format(declared).decode_hidden(
            layout.root, dataset, declared, inputs_dir / inputs_path.name
        )
        labels, class_names = decoded.targets, decoded.class_names
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
