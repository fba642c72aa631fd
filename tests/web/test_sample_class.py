"""The sample class, written part: every concept suggestion is confirmed through the pages
alone (groups first, then the answers that need a person one by one) until nothing waits."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from starlette.testclient import TestClient
from typer.testing import CliRunner

from grader.cli.app import app
from grader.web import ReviewConfig, create_app
from tests.web.conftest import ROOT, RUBRIC


def total(client: TestClient, query: str = "") -> int:
    match = re.search(r'<span id="total">(\d+)</span>', client.get(f"/queue{query}").text)
    assert match
    return int(match.group(1))


def test_the_sample_class_is_taken_to_zero_from_the_browser(tmp_path: Path):
    db = tmp_path / "grades.sqlite"
    graded = CliRunner().invoke(
        app,
        [
            "grade",
            str(ROOT / "submissions"),
            "--rubric",
            "rubrics/hw4.toml",
            "--db",
            str(db),
            "--reports",
            str(tmp_path / "r"),
            "--only",
            "written",
        ],
    )
    assert graded.exit_code == 1, graded.output  # erin, frank, grace need a person
    awaiting = int(re.search(r"(\d+) concept answers await confirmation", graded.output).group(1))
    client = TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="ta")))
    assert total(client, "?kind=confirm") == awaiting > 0
    queue = client.get("/queue").text
    questions = re.findall(r'<tr data-question="([^"]+)"><td><a', queue)
    for question in questions:
        progressed = True
        while progressed:  # group ids follow their members: read the page again after each
            progressed = False
            page = client.get(f"/queue?question={question}").text
            forms = re.findall(r'class="accept-group">(.*?)</form>', page, re.DOTALL)
            for form in forms:
                group = re.search(r'name="group" value="([^"]+)"', form).group(1)
                members = re.findall(r'name="member" value="([^"]+)"', form)
                done = client.post(
                    "/groups/accept",
                    data={"question": question, "group": group, "member": members, "reason": "ok"},
                )
                assert done.status_code == 200
                if "confirmed+0" not in str(done.url):
                    progressed = True
                    break
    # Groups confirm only confident suggestions: what is left has unsure key points, or
    # needs attention; each waits for a person (issue #20).
    left = total(client)
    assert left > 0  # unreadable answers and scans are never confirmed in bulk
    for _ in range(left):
        first = re.search(
            r'<tr class="item"[^>]*>\s*<td><a href="([^"]+)"', client.get("/queue").text
        )
        assert first
        answer = client.get(unescape(first.group(1))).text
        version = re.search(r'name="version" value="([^"]+)"', answer).group(1)
        points = re.search(r'id="points" value="([^"]+)"', answer).group(1)
        saved = client.post(
            unescape(first.group(1)) + "/decide",
            # An explicit decision on its own page (the Save button), as attention items need.
            data={
                "points": points,
                "reason": "read by a person",
                "version": version,
                "explicit": "1",
            },
            follow_redirects=False,
        )
        assert saved.status_code == 303, unescape(saved.text)
    assert total(client) == 0
