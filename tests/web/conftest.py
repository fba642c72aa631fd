"""A small graded class for the review service: equal concept answers (a group), an answer
with HTML in it, a blank one; graded once, copied for each test."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, sync_playwright
from starlette.testclient import TestClient
from typer.testing import CliRunner

from grader.cli.app import app
from grader.web import ReviewConfig, create_app
from tests.fixtures.written_answers import marked_answers

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "hw4.toml"
CHROMIUM = Path("/usr/bin/chromium")
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(config: ReviewConfig, port: int) -> Iterator[str]:
    """The review service on 127.0.0.1:`port` in a thread, for a real browser; its URL."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the review server did not start in 10 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def page() -> Iterator[Page]:
    """A page of Debian's chromium (never a downloaded browser)."""
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: run `make browser-tools` (apt-get install -y chromium)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()
