"""The sample homeworks' rubrics and declared datasets, for tests that write or import data."""

from __future__ import annotations

from pathlib import Path

from grader.rubric import load_rubric

REPO = Path(__file__).resolve().parent.parent
HW4_RUBRIC = REPO / "rubrics" / "hw4.toml"
HW5_RUBRIC = REPO / "rubrics" / "hw5.toml"

HW4_DATASETS = load_rubric(HW4_RUBRIC).datasets
CATS_DOGS = HW4_DATASETS["cats_vs_dogs"]
CIFAR10 = HW4_DATASETS["cifar10"]
