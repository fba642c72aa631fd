"""Fixtures for pipeline tests: the shipped rubric and an in-memory gradebook."""

from pathlib import Path

import pytest

from grader.rubric import load_rubric
from grader.storage import Gradebook, open_gradebook


@pytest.fixture(scope="session")
def rubric():
    return load_rubric(Path("rubrics/hw4.toml"))


@pytest.fixture
def gradebook():
    return Gradebook(open_gradebook("sqlite:///:memory:"))
