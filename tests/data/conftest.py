"""Fixtures for the data tests: one small synthetic DATA_ROOT per session, copies for tests that change it."""

import shutil
from pathlib import Path

import pytest

from grader.data import write_synthetic_data
from tests.homeworks import HW4_DATASETS


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory) -> Path:
    """A `small` synthetic DATA_ROOT (seed 0), shared: tests must not modify it."""
    return write_synthetic_data(
        tmp_path_factory.mktemp("synth") / "data", datasets=HW4_DATASETS, seed=0
    )


@pytest.fixture
def root_copy(synthetic_root, tmp_path) -> Path:
    """A private copy of the synthetic root, for tests that break or change it."""
    copy = tmp_path / "data"
    shutil.copytree(synthetic_root, copy)
    return copy
