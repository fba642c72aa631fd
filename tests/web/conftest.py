"""A small graded class for the review service: equal concept answers (a group), an answer
with HTML in it, a blank one; graded once, copied for each test."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from grader.cli.app import app
from grader.web import ReviewConfig, create_app
from tests.fixtures.written_answers import marked_answers

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "hw4.toml"
#: q4 (convolution as template matching): five students write the same answer, every key
#: point found with confidence (a group one decision may confirm); one writes HTML.
SAME_Q4 = (
    "The kernel is a template of the pattern we look for. We slide it over the image and "
    "take the dot product at each position. The output is high where the image matches the "
    "pattern."
)
HTML_Q4 = "<script>alert('x')</script> the filter encodes the pattern we look for"


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("review-class")
    subs = base / "subs"
    for n in range(5):
        (subs / f"s{n}").mkdir(parents=True)
        (subs / f"s{n}" / "written.md").write_text(marked_answers({1: "45 45\n54 54", 4: SAME_Q4}))
    (subs / "html").mkdir()
    (subs / "html" / "written.md").write_text(marked_answers({4: HTML_Q4}))
    db = base / "grades.sqlite"
    result = CliRunner().invoke(
        app,
        [
            "grade",
            str(subs),
            "--rubric",
            "rubrics/hw4.toml",
            "--db",
            str(db),
            "--reports",
            str(base / "rep"),
            "--only",
            "written",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    return db


@pytest.fixture
def db(graded_class: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "grades.sqlite"
    # The backup API, not a file copy: the graded pages may still sit in the WAL file.
    with sqlite3.connect(graded_class) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


@pytest.fixture
def client(db: Path) -> TestClient:
    return TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="ta-anna")))
