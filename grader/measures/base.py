"""What every measure is: its name, what it measures (class predictions or real values), which
way is better, and how it is computed from a model's outputs and the hidden targets.

Runs on the host with the targets, never in the sandbox. Must not read files or models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

Target = Literal["class", "real"]


@dataclass(frozen=True)
class MeasureOptions:
    """What a computation needs beyond outputs and targets."""

    binary: bool = False  # a two-class classifier: N×1 logits read as class 1 when > 0
    k: int = 5  # top-k accuracy


@dataclass(frozen=True)
class Measure:
    """One row of the measures table."""

    name: str
    words: str  # in a sentence: "accuracy", "macro-F1", "mean squared error"
    target: Target
    higher_is_better: bool
    compute: Callable[[np.ndarray, np.ndarray, MeasureOptions], float]
