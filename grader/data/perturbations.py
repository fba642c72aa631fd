"""Label-preserving perturbations of hidden test inputs, for the check that catches answers
memorised or looked up rather than computed (issue #19).

Every model is measured on the hidden inputs and, mixed in with them in a secret order, on a
perturbed copy; a model whose measure falls by more than the dataset's margin on the copy goes
to a person. A model that learned the task barely notices a one-pixel shift; one that answers
from the exact pixels (a table of the public test set, a hash of each image) fails on it.
What it does not catch: a model trained on the test set itself (it generalises to the copy),
or a lookup that tolerates the perturbation (nearest neighbours on features). One table; a
perturbation is a function from a chunk of inputs (and a random generator) to the same shape.
Must not read files or run models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np

Perturbation = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _images(inputs: np.ndarray, name: str) -> None:
    if inputs.ndim != 4 or inputs.dtype.kind != "f":
        raise ValueError(f"{name} perturbs float images N×C×H×W, not {inputs.dtype} {inputs.shape}")


def shift_one_pixel(inputs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each image moved one pixel right and one down, its first row and column repeated."""
    _images(inputs, "shift")
    shifted = np.empty_like(inputs)
    shifted[:, :, 1:, 1:] = inputs[:, :, :-1, :-1]
    shifted[:, :, :1, 1:] = inputs[:, :, :1, :-1]
    shifted[:, :, :, :1] = shifted[:, :, :, 1:2]
    return shifted


def flip_horizontally(inputs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each image mirrored left to right."""
    _images(inputs, "hflip")
    return np.ascontiguousarray(inputs[:, :, :, ::-1])


def small_noise(inputs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of 1 % of the chunk's standard deviation added to float inputs."""
    if inputs.dtype.kind != "f":
        raise ValueError(f"noise perturbs float inputs, not {inputs.dtype}")
    scale = 0.01 * float(np.std(inputs)) or 1e-6
    return (inputs + rng.normal(scale=scale, size=inputs.shape)).astype(inputs.dtype)


PERTURBATIONS: Mapping[str, Perturbation | None] = MappingProxyType(
    {"none": None, "shift": shift_one_pixel, "hflip": flip_horizontally, "noise": small_noise}
)
#: How a perturbation is said in feedback: "On a copy of the test inputs <words>, …".
WORDS = MappingProxyType(
    {
        "shift": "shifted by one pixel",
        "hflip": "mirrored left to right",
        "noise": "with 1 % noise added",
    }
)

__all__ = ["PERTURBATIONS", "WORDS", "Perturbation"]
