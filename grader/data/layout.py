"""The DATA_ROOT layout: where each dataset's files live, `dataset.toml`, and checking a root before use.

    DATA_ROOT/
      dataset.toml                          name, seed, counts per split, created_by
      train/                                the only part mounted (read-only) as $HW4_DATA
        cats_vs_dogs/{train,validation}/{cats,dogs}/*.jpg
        cifar10/data_batch_1 … data_batch_5, cifar10/batches.meta
        pretrained/vgg_base.pt, pretrained/README.txt      (synthetic data)
      hidden/                               never mounted where student code runs
        cats_vs_dogs/test/{cats,dogs}/*.jpg
        cifar10/test_batch

`load_layout` checks a root and raises one `DataError` line naming the
missing piece and the command that fixes it. This module reads and writes
only `dataset.toml` and file permissions; it does not create or decode data.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from grader.data.cifar_format import META_FILE, TEST_BATCH, TRAIN_BATCHES
from grader.data.errors import DataError

MANIFEST = "dataset.toml"
TRAIN, HIDDEN = "train", "hidden"
CATS_DOGS, CIFAR10 = "cats_vs_dogs", "cifar10"
DATASETS = (CATS_DOGS, CIFAR10)
CAT_DOG_CLASSES = ("cats", "dogs")
"""Folder names, in label order: cats = 0, dogs = 1."""
PRETRAINED_DIR, PRETRAINED_WEIGHTS = "pretrained", "vgg_base.pt"
KINDS = ("synthetic", "real")


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset's line in `dataset.toml`: image counts per split, and where it came from."""

    counts: Mapping[str, int]
    source: str | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Manifest:
    """What `dataset.toml` says about a DATA_ROOT."""

    name: str
    created_by: str
    datasets: Mapping[str, DatasetEntry]
    seed: int | None = None
    scale: str | None = None


@dataclass(frozen=True)
class DataLayout:
    """A checked DATA_ROOT: `train_dir` may be shown to students, `hidden_dir` never."""

    root: Path
    name: str
    train_dir: Path
    hidden_dir: Path
    datasets: tuple[str, ...]
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    seed: int | None = None

    def cats_dogs_split(self, split: str) -> Path:
        """The folder holding `cats/` and `dogs/` for `train`, `validation` or (hidden) `test`."""
        base = self.hidden_dir if split == "test" else self.train_dir
        return base / CATS_DOGS / split

    @property
    def cifar_train_dir(self) -> Path:
        return self.train_dir / CIFAR10

    @property
    def cifar_test_batch(self) -> Path:
        return self.hidden_dir / CIFAR10 / TEST_BATCH

    @property
    def pretrained_weights(self) -> Path:
        return self.train_dir / PRETRAINED_DIR / PRETRAINED_WEIGHTS


def training_data_dir(layout: DataLayout) -> Path:
    """The folder to mount read-only as `$HW4_DATA` for student notebooks (never the hidden splits)."""
    return layout.train_dir


def fix_hint(root: Path, name: str | None, dataset: str | None = None) -> str:
    """The command that (re)creates `dataset` (or the whole root) for a root of kind `name`."""
    if name == "real" and dataset == CIFAR10:
        return f"run `grader data import-cifar10 cifar-10-python.tar.gz --out {root}`"
    if name == "real" and dataset == CATS_DOGS:
        return f"run `grader data import-cats-dogs train.zip --out {root}`"
    if name == "real":
        return f"import the datasets again into {root} (`grader data import-cifar10` / `import-cats-dogs`)"
    return f"run `grader data synth {root}` (into an empty folder)"


# ---------------------------------------------------------------- dataset.toml


def _toml_value(value: str | int) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value) if isinstance(value, str) else str(int(value))


def render_manifest(manifest: Manifest) -> str:
    """`dataset.toml` text for `manifest`: stable key order, no timestamps (so synth is byte-identical)."""
    lines = [
        "# Describes this DATA_ROOT; written by hw-grader (grader/data/layout.py).",
        f"name = {_toml_value(manifest.name)}",
        f"created_by = {_toml_value(manifest.created_by)}",
    ]
    if manifest.seed is not None:
        lines.append(f"seed = {manifest.seed}")
    if manifest.scale is not None:
        lines.append(f"scale = {_toml_value(manifest.scale)}")
    for dataset in sorted(manifest.datasets):
        entry = manifest.datasets[dataset]
        lines += ["", f"[{dataset}]"]
        if entry.source is not None:
            lines.append(f"source = {_toml_value(entry.source)}")
        if entry.seed is not None:
            lines.append(f"seed = {entry.seed}")
        lines += [f"{split} = {count}" for split, count in entry.counts.items()]
    return "\n".join(lines) + "\n"


def write_manifest(root: Path, manifest: Manifest) -> Path:
    """Write `root/dataset.toml` atomically."""
    path = root / MANIFEST
    partial = root / f".{MANIFEST}.partial"
    partial.write_text(render_manifest(manifest), encoding="utf-8")
    partial.chmod(0o644)
    os.replace(partial, path)
    return path


def _optional_int(table: Mapping[str, object], key: str, path: Path) -> int | None:
    value = table.get(key)
    if value is not None and type(value) is not int:
        raise DataError(f"`{key}` must be an integer", path=path)
    return value


def read_manifest(root: Path) -> Manifest:
    """Parse and check `root/dataset.toml`."""
    path = root / MANIFEST
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise DataError(
            f"{MANIFEST} is missing: this is not a DATA_ROOT", path=root, hint=fix_hint(root, None)
        ) from error
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DataError(
            f"cannot read {MANIFEST}: {error}", path=path, hint=fix_hint(root, None)
        ) from error
    name = table.get("name")
    if name not in KINDS:
        raise DataError(f"`name` must be one of {', '.join(KINDS)}, not {name!r}", path=path)
    datasets: dict[str, DatasetEntry] = {}
    for dataset in DATASETS:
        entry = table.get(dataset)
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise DataError(f"[{dataset}] must be a table", path=path)
        counts = {k: v for k, v in entry.items() if k not in ("source", "seed")}
        if not all(type(v) is int and v >= 0 for v in counts.values()):
            raise DataError(f"[{dataset}] counts must be non-negative integers", path=path)
        source = entry.get("source")
        datasets[dataset] = DatasetEntry(
            counts=MappingProxyType(counts),
            source=source if isinstance(source, str) else None,
            seed=_optional_int(entry, "seed", path),
        )
    if not datasets:
        raise DataError(
            f"{MANIFEST} lists no dataset ({' or '.join(DATASETS)})",
            path=path,
            hint=fix_hint(root, name),
        )
    scale = table.get("scale")
    return Manifest(
        name=name,
        created_by=str(table.get("created_by", "")),
        datasets=MappingProxyType(datasets),
        seed=_optional_int(table, "seed", path),
        scale=scale if isinstance(scale, str) else None,
    )


# ---------------------------------------------------------------- checking a root


def _required_pieces(dataset: str, train_dir: Path, hidden_dir: Path) -> list[tuple[Path, str]]:
    """(path, kind) pairs a dataset needs: kind is "file" or "images" (a folder with files in it)."""
    if dataset == CIFAR10:
        cifar = train_dir / CIFAR10
        return [
            *((cifar / name, "file") for name in (*TRAIN_BATCHES, META_FILE)),
            (hidden_dir / CIFAR10 / TEST_BATCH, "file"),
        ]
    pieces: list[tuple[Path, str]] = []
    for base, split in ((train_dir, "train"), (train_dir, "validation"), (hidden_dir, "test")):
        pieces += [(base / CATS_DOGS / split / label, "images") for label in CAT_DOG_CLASSES]
    return pieces


def _leaked_pieces(train_dir: Path) -> list[Path]:
    """Hidden-split files that must never sit under train/ (it is mounted for students)."""
    candidates = [train_dir / CATS_DOGS / "test", train_dir / CIFAR10 / TEST_BATCH]
    return [path for path in candidates if os.path.lexists(path)]


def _check_piece(path: Path, kind: str) -> bool:
    if path.is_symlink():
        return False
    if kind == "file":
        return path.is_file()
    return path.is_dir() and any(entry.is_file() for entry in path.iterdir())


def load_layout(data_root: Path) -> DataLayout:
    """Check `data_root` (manifest, train/hidden split, every dataset's files) and describe it."""
    root = Path(data_root)
    if not root.is_dir():
        raise DataError("data folder does not exist", path=root, hint=fix_hint(root, None))
    manifest = read_manifest(root)
    train_dir, hidden_dir = root / TRAIN, root / HIDDEN
    for folder in (train_dir, hidden_dir):
        if folder.is_symlink() or not folder.is_dir():
            raise DataError(
                f"missing {folder.name}/ folder", path=folder, hint=fix_hint(root, manifest.name)
            )
    if hidden_dir.resolve().is_relative_to(train_dir.resolve()):
        raise DataError("hidden/ lies inside train/, which students see", path=hidden_dir)
    leaked = _leaked_pieces(train_dir)
    if leaked:
        raise DataError(
            "a hidden test split sits under train/, which is mounted for students",
            path=leaked[0],
            hint="move it under hidden/ or recreate the data folder",
        )
    for dataset in manifest.datasets:
        for path, kind in _required_pieces(dataset, train_dir, hidden_dir):
            if not _check_piece(path, kind):
                what = "image folder is missing or empty" if kind == "images" else "file is missing"
                raise DataError(
                    f"{dataset}: {what} ({path.relative_to(root)})",
                    path=path,
                    hint=fix_hint(root, manifest.name, dataset),
                )
    if manifest.name == "synthetic" and not _check_piece(
        train_dir / PRETRAINED_DIR / PRETRAINED_WEIGHTS, "file"
    ):
        raise DataError(
            "synthetic data lacks the pretrained base (train/pretrained/vgg_base.pt)",
            path=train_dir / PRETRAINED_DIR,
            hint=fix_hint(root, manifest.name),
        )
    return DataLayout(
        root=root,
        name=manifest.name,
        train_dir=train_dir,
        hidden_dir=hidden_dir,
        datasets=tuple(d for d in DATASETS if d in manifest.datasets),
        counts=MappingProxyType({d: e.counts for d, e in manifest.datasets.items()}),
        seed=manifest.seed,
    )


def publish_permissions(root: Path) -> None:
    """train/ readable by everyone (the sandbox runs as another uid); hidden/ by the owner only."""
    for folder in (root, root / TRAIN):
        folder.chmod(0o755)
    for dirpath, dirnames, filenames in os.walk(root / TRAIN):
        for name, mode in [*((d, 0o755) for d in dirnames), *((f, 0o644) for f in filenames)]:
            path = Path(dirpath) / name
            if not path.is_symlink():  # chmod would follow it out of the tree
                path.chmod(mode)
    (root / HIDDEN).chmod(0o700)
