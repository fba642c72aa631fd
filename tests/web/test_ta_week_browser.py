"""A TA's week in a real browser (issue #21): the key on every review page, attention items
saved only on purpose, a decision the report then says, a saved comment one key away, and
a late submission's penalty in the report and the Canvas export."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from typer.testing import CliRunner

from grader.cli.app import app
from grader.web import ReviewConfig
from tests.web.conftest import ROOT, free_port, serving

runner = CliRunner()


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample class graded (written part) with a due date; alice submitted a day late."""
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    (tmp_path / "rubrics").mkdir()
    rubric = (ROOT / "rubrics" / "hw4.toml").read_text()
    rubric = rubric.replace(
        "total_points = 100",
        "total_points = 100\ndue = 2026-11-20T23:59:00+01:00\n"
        "late = { percent_per_day = 10, max_percent = 30 }",
        1,
    )
    (tmp_path / "rubrics" / "hw4.toml").write_text(rubric)
    (tmp_path / "times.csv").write_text(
        "student_id,submitted_at\nalice,2026-11-21T12:00:00+01:00\nbob,2026-11-20T20:00:00+01:00\n"
    )
    (tmp_path / "roster.csv").write_text(
        "student_id,lms_id\n" + "".join(f"{s},{n}\n" for n, s in enumerate(("alice", "bob"), 1))
    )
    monkeypatch.chdir(tmp_path)
    graded = runner.invoke(
        app,
        ["grade", str(ROOT / "submissions"), "--rubric", "rubrics/hw4.toml", "--db", "g.sqlite",
         "--reports", "reports", "--only", "written", "--times", "times.csv"],
    )  # fmt: skip
    assert graded.exit_code == 1, graded.output  # erin, frank, grace need a person
    return tmp_path


@pytest.fixture
def base_url(course: Path) -> Iterator[str]:
    port = free_port()
    config = ReviewConfig(
        db=course / "g.sqlite",
        rubric=None,
        reviewer="ta-week",
        reports_dir=course / "reports",
        public_url=f"http://127.0.0.1:{port}",
    )
    with serving(config, port) as url:
        yield url


def test_a_ta_week_in_the_browser(course: Path, base_url: str, page: Page):
    # An exact answer that waits for a person shows what it was graded against.
    page.goto(f"{base_url}/answer/erin/q2")
    expect(page.locator("h2", has_text="Key")).to_be_visible()
    expect(page.locator("#expected table.grid").first).to_be_visible()
    assert page.locator("#expected td").count() >= 4
    expect(page.locator("#partial")).to_contain_text("shape")

    # A scan's concept answer shows the key points beside the page images.
    page.goto(f"{base_url}/answer/frank/q4")
    boxes = page.locator("#key-points input.key-point")
    assert boxes.count() == 3
    expect(page.locator("#key-points")).to_contain_text("unsure: a person decides")
    expect(page.locator("img.page").first).to_be_visible()
    # Enter does not save an answer that needs attention: the hint lights up, nothing is saved.
    page.locator("body").press("Enter")
    expect(page.locator("#explicit-hint")).to_have_class(re.compile(r"\bnotice\b"))
    assert page.url == f"{base_url}/answer/frank/q4"
    still = runner.invoke(app, ["review", "list", "--db", "g.sqlite", "--question", "q4"])
    assert re.search(r"\bfrank\b", still.stdout), still.stdout

    # A concept answer decided in the browser: its report says the decision.
    page.goto(f"{base_url}/answer/carol/q12")
    for index in range(page.locator("input.key-point").count()):
        page.locator("input.key-point").nth(index).check()
    page.fill("#comment", "All three ideas are there.")
    page.check("#save-comment")
    page.locator("#confirm").click()
    page.wait_for_url(re.compile(r"/answer/|/queue"))
    report = (course / "reports" / "carol.md").read_text()
    q12 = report.split("## q12", 1)[1].split("\n## ", 1)[0]
    assert "A person graded this answer: 3 of 3 points" in q12
    assert "Comment: All three ideas are there." in q12
    assert "Suggested" not in q12 and "not found" not in q12

    # The saved comment is one key away on the next q12 answer.
    page.goto(f"{base_url}/answer/dave/q12")
    expect(page.locator("#saved-comments")).to_contain_text("All three ideas are there.")
    page.locator("body").press("a")
    expect(page.locator("#comment")).to_have_value("All three ideas are there.")

    # The late submission: its penalty is a line of its own in the report and in Canvas.
    page.goto((course / "reports" / "alice.html").as_uri())
    expect(page.locator("#late-penalty")).to_have_text(
        "Questions: 63 points; late penalty: −10 points."
    )
    expect(page.locator("#late-words")).to_contain_text(
        "Submitted 12 hours 1 minute after the deadline"
    )
    expect(page.locator("p.total")).to_have_text("Total: 53 / 63")
    bob = (course / "reports" / "bob.html").read_text()
    assert "late-penalty" not in bob
    canvas = runner.invoke(
        app, ["export", "--db", "g.sqlite", "--format", "canvas", "--roster", "roster.csv"]
    )
    assert canvas.exit_code == 0, canvas.output
    rows = list(csv.reader(io.StringIO(canvas.stdout)))
    assert rows[0][-1].endswith(": late penalty")
    alice = next(row for row in rows if row[1] == "1")
    assert alice[-2:] == ["53", "-10"]
