"""`write_synthetic_data`: small, learnable copies of the datasets a rubric declares, in their
real on-disk formats: the training data byte-identical per seed, the hidden test splits drawn
from a secret seed (not recorded) unless one is given.

Writes a whole DATA_ROOT (see `grader.data.layout`): each declared dataset drawn by its
format (`grader.data.formats`), the pretrained base when a declaration asks for one, and
`dataset.toml`. Everything is built in a hidden sibling folder and renamed into place at
the end, so a crash never leaves a half-written root. Every example has its own random
stream (seed, format, split, index) and the manifest has no timestamps.

This module never reads or overwrites a folder that already holds files,
and never touches the network.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.data.errors import DataError
from grader.data.formats import DatasetDeclaration, dataset_format
from grader.data.layout import (
    HIDDEN,
    PRETRAINED_DIR,
    TRAIN,
    DatasetEntry,
    Manifest,
    publish_permissions,
    write_manifest,
)

SCALES = ("tiny", "small", "medium")
PRETRAINING_STEPS = {"tiny": 20, "small": 150, "medium": 300}


@dataclass(frozen=True)
class SyntheticScale:
    """A scale: its name (the formats size their splits by it) and how long the base pretrains."""

    name: str
    pretraining_steps: int


def synthetic_scale(scale: str) -> SyntheticScale:
    """`tiny` for plumbing tests, `small` (default), `medium` (the course's sizes; ~30 s)."""
    if scale not in SCALES:
        raise DataError(f"unknown scale {scale!r}", hint=f"use one of {', '.join(SCALES)}")
    return SyntheticScale(scale, PRETRAINING_STEPS[scale])


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


def write_synthetic_data(
    out: Path,
    *,
    datasets: Mapping[str, DatasetDeclaration],
    seed: int = 0,
    scale: str = "small",
    hidden_seed: int | None = None,
) -> Path:
    """Write a complete synthetic DATA_ROOT of `datasets` (as a rubric declares them) at `out`
    (a new or empty folder) and return `out`.

    The hidden test splits are drawn from `hidden_seed`, by default a secret one that is not
    recorded: the visible data (and its seed) do not reveal them. Give one only where the
    hidden split must be reproduced (tests)."""
    out = Path(out)
    sizes = synthetic_scale(scale)
    if not datasets:
        raise DataError(
            "no dataset to write: the rubric declares none",
            hint="declare the notebook part's datasets in the rubric ([datasets.<name>])",
        )
    _check_empty_target(out)
    if hidden_seed is None:
        hidden_seed = secrets.randbits(62)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        train_dir, hidden_dir = staging / TRAIN, staging / HIDDEN
        train_dir.mkdir()
        hidden_dir.mkdir()
        entries: dict[str, DatasetEntry] = {}
        seen: Counter[str] = Counter()
        for name, declared in datasets.items():
            format = dataset_format(declared)
            # The first dataset of a format keeps the format's own stream (so a homework's
            # data does not change when another dataset is declared beside it).
            stream = (
                (format.stream,) if not seen[format.name] else (format.stream, seen[format.name])
            )
            seen[format.name] += 1
            counts = format.synthesize(
                name, declared, train_dir, hidden_dir,
                seed=seed, hidden_seed=hidden_seed, sizes=format.sizes[sizes.name], stream=stream,
            )  # fmt: skip
            entries[name] = DatasetEntry(counts=dict(counts), declaration=declared)
        if any(getattr(declared, "pretrained_base", False) for declared in datasets.values()):
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
            datasets=entries,
        )
        write_manifest(staging, manifest)
        publish_permissions(staging)
        _check_empty_target(out)  # someone may have written there meanwhile
        os.replace(staging, out)  # replaces an empty folder, or creates `out`
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
