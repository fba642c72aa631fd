"""The review pages in a real browser (Debian's chromium driven by Playwright): confirm a
group with the keyboard, adjust one answer with the keyboard, reload, see it in the export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from typer.testing import CliRunner

from grader.cli.app import app
from grader.web import ReviewConfig
from tests.web.conftest import RUBRIC, free_port, serving


@pytest.fixture
def base_url(db: Path) -> Iterator[str]:
    with serving(ReviewConfig(db=db, rubric=RUBRIC, reviewer="ta-browser"), free_port()) as url:
        yield url


def exported_q4(db: Path) -> dict[str, str]:
    result = CliRunner().invoke(app, ["export", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return {row["student"]: row["q4"] for row in csv.DictReader(io.StringIO(result.output))}


def test_a_ta_confirms_a_group_and_adjusts_an_answer_from_the_keyboard(
    page: Page, base_url: str, db: Path
):
    page.goto(f"{base_url}/queue?question=q4")
    assert page.locator("#total").inner_text() == "6"
    assert page.locator("#groups td.size").first.inner_text() == "5"
    prompts = []
    page.once("dialog", lambda dialog: (prompts.append(dialog.message), dialog.accept()))
    page.keyboard.press("c")  # confirm the largest group, after a prompt
    page.wait_for_selector("#notice")
    assert page.locator("#notice").inner_text() == "confirmed 5"
    assert prompts == ["Confirm the 5 confident suggestion(s) of the largest group?"]
    assert page.locator("#total").inner_text() == "1"

    page.keyboard.press("j")  # select the one left (the HTML answer) and open it
    page.keyboard.press("Enter")
    page.wait_for_selector("#decide")
    assert "<script>alert('x')</script>" in page.locator("#answer-text").inner_text()
    before = float(page.locator("#points").input_value())
    first_box = page.locator("input.key-point").first
    was_checked = first_box.is_checked()
    page.keyboard.press("1")  # toggle key point 1: the points follow
    assert first_box.is_checked() is not was_checked
    after = float(page.locator("#points").input_value())
    assert after == before + (-1 if was_checked else 1)
    page.keyboard.press("Enter")  # save; nothing left for q4, so back to its queue
    page.wait_for_url(f"{base_url}/queue?question=q4")
    assert page.locator("#total").inner_text() == "0"

    page.goto(f"{base_url}/answer/html/q4")
    page.reload()
    assert page.locator("#decided-points").inner_text() == f"{after:g}"
    assert "decided by ta-browser" in page.locator("#standing").inner_text()
    exported = exported_q4(db)
    assert float(exported["html"]) == after
    assert float(exported["s0"]) > 0  # the group's confirmed suggestion
