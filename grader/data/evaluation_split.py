"""The hidden test inputs as one grading run shows them to the models (issue #19): in a secret
order drawn for the run, with a label-preserving perturbed copy of every example mixed in.

A model cannot count its way to the labels (the cached split is in label order, the public
CIFAR-10 test batch in its public order): the order here is drawn from the operating system's
randomness for each run and never leaves the grader, and batches carry no position. The copy
(`grader.data.perturbations`) is what the memorisation check compares against; a model cannot
tell which rows are copies. The file is written in chunks (never two copies of the split in
memory), alone in its folder, world-readable for the sandbox; the targets, in the file's
order, stay here. Must not run models.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.data.hidden import HiddenSplit
from grader.data.perturbations import PERTURBATIONS

CHUNK_ROWS = 256


@dataclass(frozen=True)
class EvaluationSplit:
    """Inputs on disk in the run's order; per row its target and whether it is a copy."""

    inputs_path: Path
    targets: np.ndarray
    perturbed: np.ndarray  # bool per row: a row of the perturbed copy
    perturbation: str  # "none": no copy
    margin: float


def evaluation_split(
    split: HiddenSplit,
    folder: Path,
    rng: np.random.Generator,
    *,
    perturbation: str = "none",
    margin: float = 0.15,
) -> EvaluationSplit:
    """Write `split`'s inputs (and their perturbed copy) in an order drawn from `rng` into
    `folder/inputs.npy` (a new folder)."""
    perturb = PERTURBATIONS[perturbation]
    inputs = np.load(split.inputs_path, mmap_mode="r", allow_pickle=False)
    n = len(inputs)
    total = 2 * n if perturb is not None else n
    order = rng.permutation(total)
    folder.mkdir(parents=True)
    path = folder / "inputs.npy"
    written = np.lib.format.open_memmap(
        path, mode="w+", dtype=inputs.dtype, shape=(total, *inputs.shape[1:])
    )
    for start in range(0, total, CHUNK_ROWS):
        rows = order[start : start + CHUNK_ROWS]
        chunk = np.empty((len(rows), *inputs.shape[1:]), dtype=inputs.dtype)
        originals = rows < n
        if originals.any():
            chunk[originals] = inputs[np.sort(rows[originals])][
                np.argsort(np.argsort(rows[originals]))
            ]
        if perturb is not None and not originals.all():
            copies = rows[~originals] - n
            sources = np.asarray(inputs[np.sort(copies)])[np.argsort(np.argsort(copies))]
            chunk[~originals] = perturb(sources, rng)
        written[start : start + len(rows)] = chunk
    written.flush()
    del written
    path.chmod(0o644)
    folder.chmod(0o755)
    labels = np.asarray(split.labels)
    targets = (np.concatenate([labels, labels]) if perturb is not None else labels)[order]
    return EvaluationSplit(path, targets, order >= n, perturbation, margin)
