"""The DATA_ROOT layout: where each dataset's files live, `dataset.toml`, and checking a root before use.

    DATA_ROOT/
      dataset.toml              name (synthetic or real), seed; per dataset its declaration
                                (format and shapes, as the rubric declared it) and counts
      train/                    the only part mounted (read-only) as $GRADER_DATA
        <dataset>/…             as its format lays it out (grader/data/formats)
        pretrained/vgg_base.pt  (synthetic data whose declaration asks for a pretrained base)
      hidden/                   never mounted where student code runs
        <dataset>/…             the hidden test split

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

from grader.data.errors import DataError
from grader.data.formats import (
    DATASET_FORMATS,
    DatasetDeclaration,
    DeclarationError,
    dataset_format,
    parse_declaration,
)

MANIFEST = "dataset.toml"
TRAIN, HIDDEN = "train", "hidden"
PRETRAINED_DIR, PRETRAINED_WEIGHTS = "pretrained", "vgg_base.pt"
KINDS = ("synthetic", "real")
DECLARATION = "declaration"


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset's table in `dataset.toml`: its declaration, counts per split, where it came from."""

    counts: Mapping[str, int]
    declaration: DatasetDeclaration
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
    declarations: Mapping[str, DatasetDeclaration] = field(default_factory=dict)
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    seed: int | None = None

    def split_dir(self, dataset: str, split: str) -> Path:
        """Where `split` of `dataset` lies: under hidden/ for the test split, else train/."""
        base = self.hidden_dir if split == "test" else self.train_dir
        return base / dataset / split

    @property
    def pretrained_weights(self) -> Path:
        return self.train_dir / PRETRAINED_DIR / PRETRAINED_WEIGHTS


def training_data_dir(layout: DataLayout) -> Path:
    """The folder to mount read-only as `$GRADER_DATA` for student notebooks (never the hidden splits)."""
    return layout.train_dir


def fix_hint(
    root: Path, name: str | None, dataset: str | None = None, importer: str | None = None
) -> str:
    """The command that (re)creates `dataset` (or the whole root) for a root of kind `name`;
    `importer` is the dataset format's `grader data` command for real data."""
    if name == "real" and dataset is not None:
        command = f"grader data {importer or 'import-…'} … --rubric RUBRIC.toml --out {root}"
        return f"import {dataset} again (`{command} --dataset {dataset}`)"
    if name == "real":
        return f"import the datasets again into {root} (`grader data --help` lists the importers)"
    return f"run `grader data synth {root} --rubric RUBRIC.toml` (into an empty folder)"


# ---------------------------------------------------------------- dataset.toml


def _toml_value(value: str | int) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value) if isinstance(value, str) else str(int(value))


#: How a rubric has the dataset measured, not what the files are: never written to dataset.toml.
EVALUATION_FIELDS = frozenset({"perturbation", "perturbation_margin"})


def _declaration_lines(declared: DatasetDeclaration) -> list[str]:
    """The declaration's fields as TOML lines (JSON arrays and strings are TOML too)."""
    dumped = declared.model_dump(
        mode="json", exclude_defaults=False, exclude=set(EVALUATION_FIELDS)
    )
    return [
        f"{key} = {json.dumps(value, ensure_ascii=False)}"
        for key, value in dumped.items()
        if value is not None
    ]


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
        lines += ["", f"[{dataset}.{DECLARATION}]", *_declaration_lines(entry.declaration)]
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
    for dataset, entry in table.items():
        if not isinstance(entry, dict):
            continue
        declared = entry.get(DECLARATION)
        if declared is None:
            raise DataError(
                f"[{dataset}] records no format: the folder was made by an older hw-grader",
                path=path,
                hint=fix_hint(root, name if isinstance(name, str) else None),
            )
        try:
            declaration = parse_declaration(dataset, declared)
        except DeclarationError as exc:
            raise DataError(str(exc), path=path) from None
        counts = {k: v for k, v in entry.items() if k not in ("source", "seed", DECLARATION)}
        if not all(type(v) is int and v >= 0 for v in counts.values()):
            raise DataError(f"[{dataset}] counts must be non-negative integers", path=path)
        source = entry.get("source")
        datasets[dataset] = DatasetEntry(
            counts=MappingProxyType(counts),
            declaration=declaration,
            source=source if isinstance(source, str) else None,
            seed=_optional_int(entry, "seed", path),
        )
    if not datasets:
        raise DataError(f"{MANIFEST} lists no dataset", path=path, hint=fix_hint(root, name))
    scale = table.get("scale")
    return Manifest(
        name=name,
        created_by=str(table.get("created_by", "")),
        datasets=MappingProxyType(datasets),
        seed=_optional_int(table, "seed", path),
        scale=scale if isinstance(scale, str) else None,
    )


# ---------------------------------------------------------------- checking a root


def _check_piece(path: Path, kind: str) -> bool:
    """A regular file, or ("files") a folder holding at least one; never through a symlink."""
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
    for dataset, entry in manifest.datasets.items():
        format = dataset_format(entry.declaration)
        leaked = [
            p
            for p in format.hidden_under_train(dataset, entry.declaration, train_dir)
            if os.path.lexists(p)
        ]
        if leaked:
            raise DataError(
                "a hidden test split sits under train/, which is mounted for students",
                path=leaked[0],
                hint="move it under hidden/ or recreate the data folder",
            )
        for path, kind in format.required_pieces(dataset, entry.declaration, train_dir, hidden_dir):
            if not _check_piece(path, kind):
                what = "folder is missing or empty" if kind == "files" else "file is missing"
                raise DataError(
                    f"{dataset}: {what} ({path.relative_to(root)})",
                    path=path,
                    hint=fix_hint(root, manifest.name, dataset, format.importer),
                )
    wants_base = any(
        getattr(entry.declaration, "pretrained_base", False) for entry in manifest.datasets.values()
    )
    if (
        manifest.name == "synthetic"
        and wants_base
        and not _check_piece(train_dir / PRETRAINED_DIR / PRETRAINED_WEIGHTS, "file")
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
        datasets=tuple(manifest.datasets),
        declarations=MappingProxyType({d: e.declaration for d, e in manifest.datasets.items()}),
        counts=MappingProxyType({d: e.counts for d, e in manifest.datasets.items()}),
        seed=manifest.seed,
    )


def declaration_mismatch(
    layout: DataLayout, dataset: str, declared: DatasetDeclaration
) -> str | None:
    """Why the data root's copy of `dataset` does not fit the rubric's declaration, or None."""
    if dataset not in layout.declarations:
        held = ", ".join(layout.datasets) or "none"
        return f"the data folder has no dataset {dataset!r} (it holds {held})"
    found = layout.declarations[dataset]
    free = set(DATASET_FORMATS[declared.format].free_fields)
    ours = declared.model_dump(mode="json", exclude=free)
    theirs = found.model_dump(mode="json", exclude=free)
    if ours == theirs:
        return None
    differ = [key for key in ours if ours.get(key) != theirs.get(key)]
    shown = "; ".join(
        f"{key} {theirs.get(key)!r} there, {ours.get(key)!r} in the rubric" for key in differ
    )
    return f"{dataset} in the data folder was made for another declaration ({shown})"


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
