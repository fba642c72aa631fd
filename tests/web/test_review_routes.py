"""The review service's routes: what a TA sees and what is stored after each click."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from starlette.testclient import TestClient
from typer.testing import CliRunner

from grader.cli.app import app
from grader.service.review import review_page
from grader.storage import Gradebook, open_gradebook
from grader.web import ReviewConfig, create_app
from tests.web.conftest import RUBRIC


def stored(db: Path, student: str, question: str):
    [grades] = Gradebook(open_gradebook(db, create=False)).latest_grades(student)
    return next(q for q in grades.questions if q.question_id == question)


def version_on_page(html: str) -> str:
    match = re.search(r'name="version" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def q4_group(db: Path) -> str:
    [group] = [
        g for g in review_page(db, rubric=RUBRIC).groups if g.question_id == "q4" and g.size == 5
    ]
    return group.group


def test_queue_counts_per_question_and_shows_the_items(client: TestClient):
    response = client.get("/queue?question=q4")
    assert response.status_code == 200
    html = response.text
    assert re.search(r'<span id="total">6</span> waiting for q4', html)
    row = re.search(r'<tr data-question="q4">.*?<td class="waiting">(\d+)</td>', html, re.S)
    assert row and row.group(1) == "6"
    assert html.count('class="item"') == 6
    assert re.search(r'<td class="size">5</td>', html)  # the five equal answers are one group


def test_the_answer_page_escapes_the_students_text_and_shows_the_evidence(client: TestClient):
    html = client.get("/answer/html/q4").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    same = client.get("/answer/s0/q4").text
    assert same.count('class="key-point"') == 3
    assert "<mark>" in same and "dot product" in same
    assert "In a group of 5 answer(s)" in same


def test_a_decision_is_stored_audited_and_moves_to_the_next_answer(client: TestClient, db: Path):
    page = client.get("/answer/s0/q4").text
    response = client.post(
        "/answer/s0/q4/decide",
        data={
            "points": "2",
            "reason": "two key points",
            "comment": "",
            "version": version_on_page(page),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/answer/")
    assert "/answer/s0/q4" not in response.headers["location"]
    q4 = stored(db, "s0", "q4")
    assert (q4.points, q4.overridden, q4.override.actor, q4.override_reason) == (
        2.0,
        True,
        "ta-anna",
        "two key points",
    )
    assert "decided by ta-anna" in client.get("/answer/s0/q4").text
    queue = client.get("/queue?question=q4").text
    assert re.search(r'<span id="total">5</span>', queue)
    assert re.search(r'<tr data-question="q4">.*?<td class="decided">1</td>', queue, re.S)


def test_a_stale_version_is_refused_and_nothing_is_written(db: Path):
    first = TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="anna")))
    second = TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="ben")))
    seen_by_first = version_on_page(first.get("/answer/s1/q4").text)
    seen_by_second = version_on_page(second.get("/answer/s1/q4").text)
    assert seen_by_first == seen_by_second
    ok = first.post(
        "/answer/s1/q4/decide",
        data={"points": "3", "reason": "all three", "version": seen_by_first},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    late = second.post(
        "/answer/s1/q4/decide",
        data={"points": "1", "reason": "only one", "version": seen_by_second},
        follow_redirects=False,
    )
    assert late.status_code == 409
    assert "changed since you opened it (anna set 3 points); nothing was saved" in unescape(
        late.text
    )
    q4 = stored(db, "s1", "q4")
    assert (q4.points, q4.override.actor) == (3.0, "anna")


def test_bad_input_gets_a_clear_message_and_writes_nothing(client: TestClient, db: Path):
    version = version_on_page(client.get("/answer/s2/q4").text)
    too_many = client.post(
        "/answer/s2/q4/decide", data={"points": "7", "reason": "x", "version": version}
    )
    assert too_many.status_code == 400
    assert "7.0 points is outside the allowed range 0 to 3" in too_many.text
    not_a_number = client.post(
        "/answer/s2/q4/decide", data={"points": "two", "reason": "x", "version": version}
    )
    assert not_a_number.status_code == 400 and "points must be a number" in not_a_number.text
    no_reason = client.post(
        "/answer/s2/q4/decide", data={"points": "1", "reason": " ", "version": version}
    )
    assert no_reason.status_code == 400 and "a decision needs a reason" in no_reason.text
    assert stored(db, "s2", "q4").overridden is False
    unknown_student = client.get("/answer/nobody/q4")
    assert unknown_student.status_code == 404 and "no grades for student 'nobody'" in unescape(
        unknown_student.text
    )
    unknown_question = client.get("/answer/s2/q99")
    assert unknown_question.status_code == 404 and "unknown question 'q99'" in unescape(
        unknown_question.text
    )
    assert client.get("/queue?question=q99").status_code == 400


def test_one_decision_confirms_a_group_and_a_split_member_stays(client: TestClient, db: Path):
    group = q4_group(db)
    suggested = stored(db, "s3", "q4").result.points
    response = client.post(
        "/groups/accept",
        data={"question": "q4", "group": group, "reason": "same answer", "split": "s4"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and "confirmed+4" in response.headers["location"]
    for student in ("s0", "s1", "s2", "s3"):
        q4 = stored(db, student, "q4")
        assert (q4.overridden, q4.points, q4.override_reason) == (True, suggested, "same answer")
    assert stored(db, "s4", "q4").overridden is False
    waiting = {i.student_id for i in review_page(db, rubric=RUBRIC).items if i.question_id == "q4"}
    assert waiting == {"s4", "html"}


def test_undo_brings_the_suggestion_back_into_the_queue(client: TestClient, db: Path):
    version = version_on_page(client.get("/answer/s0/q4").text)
    client.post("/answer/s0/q4/decide", data={"points": "3", "reason": "r", "version": version})
    page = client.get("/answer/s0/q4").text
    undo_version = re.search(
        r'id="undo">\s*<input type="hidden" name="version" value="([^"]+)"', page
    )
    assert undo_version
    response = client.post(
        "/answer/s0/q4/undo", data={"version": undo_version.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert stored(db, "s0", "q4").overridden is False
    assert any(i.student_id == "s0" for i in review_page(db, rubric=RUBRIC).items)
    [undo] = [
        e
        for e in Gradebook(open_gradebook(db)).audit_entries("s0")
        if e["action"] == "undo override"
    ]
    assert undo["actor"] == "ta-anna" and undo["before"]["points"] == 3.0


def test_a_token_is_required_on_every_request_when_set(db: Path):
    guarded = TestClient(
        create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="t", token="s3cret"))
    )
    refused = guarded.get("/queue")
    assert refused.status_code == 401 and "missing or wrong review token" in refused.text
    post = guarded.post("/answer/s0/q4/decide", data={"points": "3", "reason": "r", "version": "x"})
    assert post.status_code == 401
    assert stored(db, "s0", "q4").overridden is False
    assert guarded.get("/queue?token=wrong").status_code == 401
    assert guarded.get("/queue?token=s3cret").status_code == 200
    assert guarded.get("/queue").status_code == 200  # the cookie set by the good token
    assert guarded.get("/queue", headers={"X-Review-Token": "s3cret"}).status_code == 200


def test_the_override_made_in_the_browser_is_in_the_export(client: TestClient, db: Path):
    version = version_on_page(client.get("/answer/s1/q4").text)
    client.post("/answer/s1/q4/decide", data={"points": "2.5", "reason": "r", "version": version})
    result = CliRunner().invoke(app, ["export", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.strip().splitlines()
    column = header.split(",").index("q4")
    [s1] = [row.split(",") for row in rows if row.startswith("s1,")]
    assert float(s1[column]) == 2.5


def test_review_accept_from_the_cli_confirms_the_group(db: Path):
    group = q4_group(db)
    result = CliRunner().invoke(
        app,
        [
            "review",
            "accept",
            "--db",
            str(db),
            "--question",
            "q4",
            "--group",
            group,
            "--reason",
            "bulk",
            "--actor",
            "prof",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "q4: confirmed 5 suggestion(s) by prof" in result.output
    assert stored(db, "s4", "q4").override.actor == "prof"
    neither = CliRunner().invoke(
        app, ["review", "accept", "--db", str(db), "--question", "q4", "--reason", "x"]
    )
    assert (
        neither.exit_code == 2 and "exactly one of --group G or --all-suggested" in neither.output
    )


def test_the_queue_follows_a_decision_made_elsewhere(client: TestClient, db: Path):
    assert re.search(r'<span id="total">6</span>', client.get("/queue?question=q4").text)
    other_writer = Gradebook(open_gradebook(db, create=False))
    other_writer.add_override("s3", "q4", 1.0, reason="decided from the CLI", actor="prof")
    html = client.get("/queue?question=q4").text  # the app's copy must not hide it
    assert re.search(r'<span id="total">5</span>', html)
    assert 'data-student="s3"' not in html


def test_two_reviewers_saving_at_once_one_wins_and_the_other_is_told(db: Path):
    import threading

    clients = [
        TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer=name)))
        for name in ("anna", "ben")
    ]
    versions = [version_on_page(c.get("/answer/s2/q4").text) for c in clients]
    start = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def save(client: TestClient, version: str, name: str, points: str) -> None:
        start.wait()
        response = client.post(
            "/answer/s2/q4/decide",
            data={"points": points, "reason": name, "version": version},
            follow_redirects=False,
        )
        statuses[name] = response.status_code

    threads = [
        threading.Thread(target=save, args=(clients[0], versions[0], "anna", "3")),
        threading.Thread(target=save, args=(clients[1], versions[1], "ben", "1")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [303, 409]
    winner = next(name for name, status in statuses.items() if status == 303)
    q4 = stored(db, "s2", "q4")
    assert q4.override.actor == winner and q4.points == (3.0 if winner == "anna" else 1.0)
    overrides = [
        e for e in Gradebook(open_gradebook(db)).audit_entries("s2") if e["action"] == "override"
    ]
    assert len(overrides) == 1


def test_with_a_roster_the_pages_name_the_students(db: Path, tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_text('student_id,name\ns0,"Doe, Jane"\nhtml,José <Núñez>\n', encoding="utf-8")
    client = TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="t", roster=roster)))
    queue = client.get("/queue?question=q4").text
    assert '<span class="name">Doe, Jane</span>' in queue
    assert "José &lt;Núñez&gt;" in queue
    assert "<h1>s0 (Doe, Jane) · q4" in client.get("/answer/s0/q4").text


def test_the_group_page_lets_a_member_be_left_out(client: TestClient, db: Path):
    group = q4_group(db)
    page = client.get(f"/queue?question=q4&group={group}").text
    assert page.count('name="split"') == 5
    assert 'name="split" value="s2"' in page
    assert page.count('class="member-text"') == 5  # each member's text, side by side
    assert "<mark>The kernel is a template of the pattern we look for.</mark>" in page
    done = client.post(
        "/groups/accept",
        data={"question": "q4", "group": group, "reason": "same", "split": ["s2", "s3"]},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "confirmed+3" in done.headers["location"]
    assert [stored(db, s, "q4").overridden for s in ("s0", "s1", "s2", "s3", "s4")] == [
        True,
        True,
        False,
        False,
        True,
    ]


def test_the_queue_filters_by_status_on_the_page_and_in_the_cli(client: TestClient, db: Path):
    assert re.search(
        r'<span id="total">6</span>', client.get("/queue?status=needs_review&question=q4").text
    )
    assert re.search(
        r'<span id="total">0</span>', client.get("/queue?status=error&question=q4").text
    )
    bad = client.get("/queue?status=fine")
    assert bad.status_code == 400 and "unknown status" in unescape(bad.text)
    listed = CliRunner().invoke(
        app,
        [
            "review",
            "list",
            "--db",
            str(db),
            "--question",
            "q4",
            "--status",
            "needs_review",
            "--format",
            "json",
        ],
    )
    assert listed.exit_code == 0, listed.output
    assert {i["student"] for i in json.loads(listed.output)} == {
        "s0",
        "s1",
        "s2",
        "s3",
        "s4",
        "html",
    }


def test_a_saved_comment_is_offered_on_the_questions_other_answers(client):
    """Issue #21: a reviewer's comment, saved once, is one key away on every other answer."""
    first = client.get("/answer/s0/q4").text
    version = re.search(r'name="version" value="([^"]+)"', first).group(1)
    saved = client.post(
        "/answer/s0/q4/decide",
        data={
            "points": "2",
            "reason": "two of three",
            "comment": "Say where the response peaks.",
            "save_comment": "1",
            "version": version,
        },
    )
    assert saved.status_code == 200
    other = client.get("/answer/s1/q4").text
    assert (
        '<button type="button" class="use-comment" data-key="a" '
        'data-text="Say where the response peaks."><kbd>a</kbd> Say where the response peaks.'
    ) in other
    assert "save it for every q4 answer" in other
    assert "saved-comments" not in client.get("/answer/s1/q5").text  # only q4's answers
    comment_id = re.search(r'name="comment_id" value="(\d+)"', other).group(1)
    removed = client.post("/answer/s1/q4/comments/remove", data={"comment_id": comment_id})
    assert removed.status_code == 200 and "saved comment removed" in removed.text
    assert "saved-comments" not in client.get("/answer/s1/q4").text
