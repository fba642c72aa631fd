"""Reports follow decisions: `grader serve --reports` and `grader reports` rewrite the files
from the gradebook, so no report says an answer awaits a person once it is decided."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import uvicorn
from starlette.testclient import TestClient
from typer.testing import CliRunner

from grader.cli.app import app
from grader.storage import Gradebook, open_gradebook
from grader.web import ReviewConfig, create_app
from tests.web.conftest import RUBRIC


def version_on_page(html: str) -> str:
    match = re.search(r'name="version" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def awaiting(report: str) -> int:
    match = re.search(r"(\d+) answers? awaiting review by a person", report)
    return int(match.group(1)) if match else 0


def test_a_decision_in_the_browser_rewrites_that_students_report(db: Path, tmp_path: Path):
    reports = tmp_path / "reports"
    client = TestClient(
        create_app(
            ReviewConfig(
                db=db,
                rubric=RUBRIC,
                reviewer="anna",
                reports_dir=reports,
                public_url="http://127.0.0.1:8000",
            )
        )
    )
    version = version_on_page(client.get("/answer/s0/q4").text)
    client.post(
        "/answer/s0/q4/decide",
        data={
            "points": "2",
            "reason": "two of three",
            "comment": "Say why the response peaks.",
            "version": version,
        },
    )
    report = (reports / "s0.md").read_text()
    q4 = report.split("## q4", 1)[1].split("\n## ", 1)[0]
    assert (
        "A person graded this answer: 2 of 3 points (two of three). "
        "Comment: Say why the response peaks."
    ) in q4
    # the grader's suggestion and its unmet key points no longer speak for the decision
    assert "Suggested" not in q4 and "not found" not in q4 and "A person will confirm" not in q4
    assert awaiting(report) == 0
    assert not (reports / "s1.md").exists()  # only the decided student's files
    assert "s1" in (reports / "summary.md").read_text()  # the summary covers everyone
    index = (reports / "index.html").read_text()
    # q4: six waited, one decided: the class summary links the five left into the queue
    assert '<a class="queue-link" href="http://127.0.0.1:8000/queue?question=q4">5</a>' in index
    assert 'href="http://127.0.0.1:8000/queue?kind=confirm"' in index


def test_grader_reports_rewrites_after_cli_decisions(db: Path, tmp_path: Path):
    reports = tmp_path / "reports"
    runner = CliRunner()
    first = runner.invoke(
        app, ["reports", "--db", str(db), "--rubric", str(RUBRIC), "--reports", str(reports)]
    )
    assert first.exit_code == 0, first.output
    before = (reports / "s1.md").read_text()
    assert awaiting(before) == 1
    assert "**Total: 6 / 63**" in before
    assert "Confirmed: 3 points; suggested and awaiting a person: 3 points." in before
    decided = runner.invoke(
        app, ["override", "s1", "q4", "2", "--db", str(db), "--reason", "two of three"]
    )
    assert decided.exit_code == 0, decided.output
    again = runner.invoke(
        app,
        [
            "reports",
            "--db",
            str(db),
            "--rubric",
            str(RUBRIC),
            "--reports",
            str(reports),
            "--student",
            "s1",
        ],
    )
    assert again.exit_code == 0, again.output
    assert re.search(r"wrote 4 file\(s\) to ", again.output)
    after = (reports / "s1.md").read_text()
    assert awaiting(after) == 0 and "**Total: 5 / 63**" in after
    unknown = runner.invoke(
        app, ["reports", "--db", str(db), "--rubric", str(RUBRIC), "--student", "zed"]
    )
    assert unknown.exit_code == 2 and "no grades for student(s) zed" in unknown.output


def test_serve_on_a_non_loopback_host_prints_a_generated_token(
    db: Path, monkeypatch: pytest.MonkeyPatch
):
    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    result = CliRunner().invoke(
        app,
        [
            "serve",
            "--db",
            str(db),
            "--rubric",
            str(RUBRIC),
            "--host",
            "0.0.0.0",
            "--port",
            "8123",
            "--reviewer",
            "anna",
        ],
    )
    assert result.exit_code == 0, result.output
    match = re.search(
        r"reviewer anna: open http://0\.0\.0\.0:8123/queue\?token=(\S+)", result.output
    )
    assert match, result.output
    assert (started["host"], started["port"]) == ("0.0.0.0", 8123)
    client = TestClient(started["app"])
    assert client.get("/queue").status_code == 401
    assert client.get(f"/queue?token={match.group(1)}").status_code == 200


def test_serve_on_loopback_asks_no_token_and_a_bad_db_is_one_line(
    db: Path, tmp_path: Path, monkeypatch
):
    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    monkeypatch.setenv("USER", "ta")
    ok = CliRunner().invoke(app, ["serve", "--db", str(db), "--rubric", str(RUBRIC)])
    assert ok.exit_code == 0 and "open http://127.0.0.1:8000/queue\n" in ok.output
    assert TestClient(started["app"]).get("/queue").status_code == 200
    missing = CliRunner().invoke(
        app, ["serve", "--db", str(tmp_path / "none.sqlite"), "--rubric", str(RUBRIC)]
    )
    assert missing.exit_code == 2 and "no gradebook here" in missing.output


def test_a_report_folder_that_cannot_be_written_is_said_and_the_decision_kept(
    db: Path, tmp_path: Path
):
    not_a_folder = tmp_path / "reports"
    not_a_folder.write_text("a file where the folder should be")
    client = TestClient(
        create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="anna", reports_dir=not_a_folder))
    )
    version = version_on_page(client.get("/answer/s0/q4").text)
    saved = client.post(
        "/answer/s0/q4/decide", data={"points": "2", "reason": "r", "version": version}
    )
    assert saved.status_code == 200
    assert re.search(
        r'<p class="notice" id="notice">reports: .*cannot write the reports', saved.text
    )
    [grades] = Gradebook(open_gradebook(db, create=False)).latest_grades("s0")
    assert next(q for q in grades.questions if q.question_id == "q4").overridden
    result = CliRunner().invoke(
        app, ["reports", "--db", str(db), "--rubric", str(RUBRIC), "--reports", str(not_a_folder)]
    )
    assert result.exit_code == 2
    assert (
        "cannot write the reports" in result.output
        and "--reports folder you can write" in result.output
    )


def test_serve_on_a_port_in_use_or_without_a_reviewer_is_one_line(
    db: Path, monkeypatch: pytest.MonkeyPatch
):
    import socket

    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    monkeypatch.setenv("USER", "ta")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = CliRunner().invoke(
            app, ["serve", "--db", str(db), "--rubric", str(RUBRIC), "--port", str(port)]
        )
    assert busy.exit_code == 2
    assert busy.output == (
        f"error: cannot listen on 127.0.0.1:{port}: already in use (fix: pass another --port)\n"
    )
    monkeypatch.delenv("USER", raising=False)
    nobody = CliRunner().invoke(app, ["serve", "--db", str(db), "--rubric", str(RUBRIC)])
    assert nobody.exit_code == 2
    assert (
        nobody.output == "error: no reviewer name: $USER is not set (fix: pass --reviewer NAME)\n"
    )
