"""`grader review list|accept` and `grader serve`: the review queue from a terminal or a browser.

Thin commands over `grader.service.review` (and `grader.web` for serve): parse,
call, print; a `GraderError` becomes one line with exit code 2.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from grader import service
from grader.cli.common import (
    AssignmentOption,
    ExistingDbOption,
    RubricOption,
    fail,
    say_notes,
    stdout,
    who_decides,
)
from grader.cli.gradebook_commands import QueueFormat
from grader.errors import GraderError
from grader.results import Status
from grader.service.review import QueueFilter, ReviewKind
from grader.settings import DB

review_app = typer.Typer(
    help="The review queue: list what waits for a person, confirm suggestions in bulk.",
    no_args_is_help=True,
)


@review_app.command("list")
def list_queue(
    db: ExistingDbOption = DB.default,
    rubric: RubricOption = None,
    assignment: AssignmentOption = None,
    question: Annotated[
        str | None, typer.Option("--question", help="Only this question (e.g. q4).")
    ] = None,
    kind: Annotated[
        ReviewKind | None,
        typer.Option(
            "--kind", help="attention (a person must act) or confirm (a suggestion to confirm)."
        ),
    ] = None,
    student: Annotated[
        str | None, typer.Option("--student", help="Only this student's questions.")
    ] = None,
    status: Annotated[
        Status | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only answers with this status: needs_review, error, missing or graded.",
        ),
    ] = None,
    format: Annotated[
        QueueFormat, typer.Option("--format", help="table or json (for tools).")
    ] = QueueFormat.table,
) -> None:
    """List what waits for a person, per student and question, with the suggested points.

    Questions that need attention (errors, unreadable or ambiguous answers, scans) and
    concept suggestions awaiting confirmation, each with its answer group (equal answers
    of one question). Confirm a group with `grader review accept`, one answer with
    `grader override`, or everything in the browser with `grader serve`.
    """
    try:
        page = service.review_page(
            db,
            rubric=rubric,
            assignment=assignment,
            where=QueueFilter(question=question, kind=kind, student=student, status=status),
            per_page=10**6,
        )
    except GraderError as exc:
        fail(exc.one_line())
    items = page.items
    if format is QueueFormat.json:
        typer.echo(json.dumps([item.as_json() for item in items], indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Review queue: {len(items)} item(s)")
    for column in ("student", "question", "kind", "status", "suggested", "group", "unsure"):
        table.add_column(column, justify="right" if column == "suggested" else "left")
    for item in items:
        shown = item.status.value + (f" ({item.review_reason.value})" if item.review_reason else "")
        table.add_row(
            Text(item.student_id),
            item.question_id,
            item.kind.value,
            shown,
            f"{item.suggested_points:g}/{item.max_points:g}",
            item.group,
            ",".join(str(n) for n in item.unsure),
        )
    stdout.print(table)
    attention = sum(1 for item in items if item.kind is ReviewKind.attention)
    stdout.print(
        f"{attention} need attention, {len(items) - attention} concept answers await "
        "confirmation (`grader review accept --question Q --group G --reason ...`, or "
        "`grader override STUDENT QUESTION POINTS --reason ...`)."
    )


@review_app.command("accept")
def accept(
    question: Annotated[str, typer.Option("--question", help="The question (e.g. q4).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")],
    group: Annotated[
        str | None,
        typer.Option("--group", help="Only this answer group (shown by `grader review list`)."),
    ] = None,
    all_suggested: Annotated[
        bool,
        typer.Option("--all-suggested", help="Every waiting suggestion of the question."),
    ] = False,
    db: ExistingDbOption = DB.default,
    rubric: RubricOption = None,
    assignment: AssignmentOption = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who decided (default: the $USER running this).")
    ] = None,
) -> None:
    """Confirm suggested points in bulk: one answer group of a question, or all its suggestions.

    Each answer becomes an override at its suggested points (and key points), audited
    one by one. Answers that need attention (unreadable, errors) or whose suggestion has
    unsure key points are never confirmed in bulk; they are counted and stay in the queue.
    """
    if (group is None) == (not all_suggested):
        fail("give exactly one of --group G or --all-suggested")
    try:
        done = service.accept_suggestions(
            db,
            rubric=rubric,
            assignment=assignment,
            question=question,
            group=group,
            reason=reason,
            actor=who_decides(actor),
        )
    except GraderError as exc:
        fail(exc.one_line())
    stdout.print(f"{question}: confirmed {len(done.decided)} suggestion(s) by {who_decides(actor)}")
    if done.skipped:
        stdout.print(
            f"{len(done.skipped)} answer(s) need attention or have unsure key points and were "
            "left in the queue for a person: " + ", ".join(done.skipped[:20])
        )


def serve(
    db: ExistingDbOption = DB.default,
    rubric: RubricOption = None,
    assignment: AssignmentOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; not loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Name recorded on every decision (default: $USER)."),
    ] = None,
    reports: Annotated[
        Path | None,
        typer.Option(
            "--reports",
            help="Rewrite the decided students' report files and the class summary here "
            "after each decision (default: write none; `grader reports` does it later).",
        ),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="Course roster CSV: students' names shown beside their ids."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Shared token every request must carry; generated and printed when a "
            "non-loopback --host is given without one.",
        ),
    ] = None,
) -> None:
    """Serve the review pages: the queue, answer groups, one answer with its evidence, decisions.

    Every decision is an override (reviewer, time, reason, in the audit log); a decision
    on an answer someone changed since is refused. Binds to 127.0.0.1 by default; prints
    the URL to open. Stop with Ctrl-C.
    """
    import uvicorn

    from grader.web import ReviewConfig, create_app
    from grader.web.access import is_loopback, new_token

    try:
        scope = service.open_assignment(db, assignment=assignment, rubric=rubric)
    except GraderError as exc:  # a bad --rubric or gradebook fails now, not on the first page
        fail(exc.one_line())
    say_notes(scope.notes)
    if token is None and not is_loopback(host):
        token = new_token()
    if not (reviewer or os.environ.get("USER")):  # decisions must say who made them
        fail("no reviewer name: $USER is not set (fix: pass --reviewer NAME)")
    who = who_decides(reviewer)
    problem = _port_problem(host, port)
    if problem is not None:
        fail(problem)
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{port}"
    try:
        app = create_app(
            ReviewConfig(
                db=db,
                rubric=rubric,
                assignment=scope.assignment,
                reviewer=who,
                token=token,
                reports_dir=reports,
                public_url=base,  # never the token: report files are shared
                roster=roster,
            )
        )
    except GraderError as exc:
        fail(exc.one_line())
    url = f"{base}/queue" + (f"?token={token}" if token else "")
    typer.echo(
        f"review service for {db}, assignment {scope.assignment or '(unnamed)'}, "
        f"reviewer {who}: open {url}"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _port_problem(host: str, port: int) -> str | None:
    """Why the service cannot listen on host:port (in use, not allowed), in one line, or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            return f"cannot listen on {host}:{port}: {reason} (fix: pass another --port)"
    return None
