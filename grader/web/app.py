"""The review service's routes: the queue, one answer, a decision, a group decision, an undo.

Job: parse each request, call `grader.service` (which reads and writes the
gradebook), and render a Jinja2 page or redirect. A user's mistake (unknown
student or question, points out of range, a stale version) is answered with a
page that says what happened and how to fix it, status 400/404/409, and nothing
written. Must not grade, score or open the database itself.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from grader import service
from grader.errors import GraderError, StaleDecisionError
from grader.feedback.templating import maths_or_empty
from grader.results import Status
from grader.roster import load_roster
from grader.service.assignments import AssignmentScope, open_assignment
from grader.service.review import QueueFilter, ReviewKind
from grader.storage import Gradebook, GradebookTarget
from grader.web.access import TokenCheck

STATIC = Path(__file__).with_name("static")
PER_PAGE = 50


@dataclass(frozen=True)
class ReviewConfig:
    """What one review service serves, and who decides."""

    db: GradebookTarget
    rubric: Path | None = None  # None: the rubric of record of the assignment
    reviewer: str = "unknown"
    token: str | None = None  # None: loopback only, no token asked
    reports_dir: Path | None = None  # rewrite report files here after decisions; None: don't
    public_url: str | None = None  # where staff open the service; the class summary links here
    roster: Path | None = None  # the course roster: names shown beside the folder ids
    assignment: str | None = None  # None: the gradebook's only assignment


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("grader.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        auto_reload=False,
    )
    env.filters["points"] = lambda value: f"{value:g}"
    env.filters["highlight"] = highlight
    env.filters["maths"] = maths_or_empty
    return env


def highlight(text: str, sentences: Sequence[str]) -> Markup:
    """The text, escaped, with each evidence sentence in <mark>."""
    from markupsafe import escape

    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        start = text.find(sentence)
        if sentence and start >= 0:
            spans.append((start, start + len(sentence)))
    parts: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        parts += [str(escape(text[position:start])), f"<mark>{escape(text[start:end])}</mark>"]
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


def _answer_url(student: str, question: str, **query: str) -> str:
    from urllib.parse import quote

    url = f"/answer/{quote(student, safe='')}/{quote(question, safe='')}"
    return url + ("?" + urlencode(query) if query else "")


class _Queue:
    """The app's copy of the queue: re-read only when the gradebook's write stamp moved,
    and then only the students this app just decided for, when nobody else wrote."""

    def __init__(self, scope: AssignmentScope) -> None:
        self._gradebook = scope.gradebook
        self._rubric = scope.rubric
        self._snapshot: service.QueueSnapshot | None = None
        self._lock = threading.Lock()

    @property
    def gradebook(self) -> Gradebook:
        return self._gradebook

    def current(self, wrote_for: Sequence[str] = (), writes: int = 0) -> service.QueueSnapshot:
        with self._lock:
            self._snapshot = service.current_snapshot(
                self._gradebook,
                rubric=self._rubric,
                previous=self._snapshot,
                wrote_for=wrote_for,
                writes=writes,
            )
            return self._snapshot


def _with_notice(url: str, notice: str) -> str:
    """`url` with a notice for the page it opens (none when `notice` is empty)."""
    if not notice:
        return url
    return url + ("&" if "?" in url else "?") + urlencode({"notice": notice})


def create_app(config: ReviewConfig) -> Starlette:
    """The Starlette app for `config`; `grader serve` runs it with uvicorn.

    Raises GraderError when the gradebook cannot be opened (before serving anything).
    """
    env = _templates()
    env.globals["answer_url"] = _answer_url
    scope = open_assignment(config.db, assignment=config.assignment, rubric=config.rubric)
    rubric = scope.rubric  # loaded once: every page and decision uses this one
    queue_state = _Queue(scope)
    queue_state.current()  # read the queue now, so the first page is as quick as the rest
    gradebook = queue_state.gradebook
    roster = load_roster(config.roster) if config.roster is not None else None

    def name_of(student: str) -> str:
        entry = roster.get(student) if roster is not None else None
        return entry.name if entry is not None else ""

    env.globals["name_of"] = name_of

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("reviewer", config.reviewer)
        context.setdefault("reports_dir", config.reports_dir)
        # Never from the browser's cache: "back" shows the answer as it is now, and a
        # decision is made on the current version (issue #21).
        return HTMLResponse(
            env.get_template(name).render(**context),
            status_code=status,
            headers={"Cache-Control": "no-store"},
        )

    def problem(
        error: GraderError, status: int, back: str, title: str | None = None
    ) -> HTMLResponse:
        title = title or ("Not found" if status == 404 else "Not saved")
        return page("problem.html.j2", status, message=error.one_line(), back=back, title=title)

    def refused(error: GraderError, back: str) -> HTMLResponse:
        """A decision not saved: 409 when someone changed the answer since, else 400."""
        return problem(error, 409 if isinstance(error, StaleDecisionError) else 400, back)

    def after_writes(students: Sequence[str], writes: int) -> tuple[service.QueueSnapshot, str]:
        """The queue and the report files brought up to this app's own writes.

        Returns the fresh queue and a notice for the reviewer ("" when all went well)."""
        snapshot = queue_state.current(wrote_for=students, writes=writes)
        report_problem = reports_follow(students)
        return snapshot, f"reports: {report_problem}" if report_problem else ""

    def shown_answer(request: Request) -> service.ReviewAnswer:
        return service.review_answer(
            gradebook,
            rubric=rubric,
            student=request.path_params["student"],
            question=request.path_params["question"],
            snapshot=queue_state.current(),
        )

    def queue_filter(request: Request) -> QueueFilter:
        params = request.query_params
        kind = params.get("kind") or None
        if kind is not None and kind not in ReviewKind.__members__:
            raise GraderError(f"unknown kind {kind!r}", hint="use kind=attention or kind=confirm")
        status = params.get("status") or None
        known = {s.value for s in Status}
        if status is not None and status not in known:
            raise GraderError(
                f"unknown status {status!r}", hint=f"use one of: {', '.join(sorted(known))}"
            )
        question = params.get("question") or None
        if question is not None and question not in rubric.catalogue:
            # `Q4` for `q4`: the same question, whatever the case typed
            matches = [q.id for q in rubric.catalogue if q.id.casefold() == question.casefold()]
            question = matches[0] if len(matches) == 1 else question
        return QueueFilter(
            status=Status(status) if status else None,
            question=question,
            kind=ReviewKind(kind) if kind else None,
            student=params.get("student") or None,
            group=params.get("group") or None,
        )

    async def home(request: Request) -> Response:
        return RedirectResponse("/queue", status_code=303)

    async def queue(request: Request) -> Response:
        try:
            where = queue_filter(request)
            number = int(request.query_params.get("page", "1") or 1)
            shown = service.page_of(
                queue_state.current(), where=where, page=number, per_page=PER_PAGE
            )
        except ValueError:
            return problem(
                GraderError("page must be a whole number", hint="use page=1"),
                400,
                "/queue",
                "Not shown",
            )
        except GraderError as error:
            return problem(error, 400, "/queue", "Not shown")
        filters = {
            k: v
            for k, v in (
                ("question", where.question),
                ("kind", where.kind.value if where.kind else None),
                ("student", where.student),
                ("group", where.group),
                ("status", where.status.value if where.status else None),
            )
            if v
        }
        return page(
            "queue.html.j2",
            queue=shown,
            where=where,
            filters=filters,
            urlencode=urlencode,
            notice=request.query_params.get("notice"),
        )

    async def answer(request: Request) -> Response:
        try:
            shown = shown_answer(request)
        except GraderError as error:
            return problem(error, 404, "/queue")
        notice = request.query_params.get("notice")
        return page("answer.html.j2", answer=shown, notice=notice)

    async def page_image(request: Request) -> Response:
        """A scanned page of this answer; only files the gradebook lists for it are served."""
        try:
            shown = shown_answer(request)
        except GraderError as error:
            return problem(error, 404, "/queue")
        student, question = shown.student_id, shown.question.question_id
        number = request.path_params["number"]
        if not 1 <= number <= len(shown.page_images) or not shown.page_images[number - 1].is_file():
            return problem(
                GraderError(
                    f"{student} {question}: no page {number} image",
                    hint="regrade with --reports DIR so the scanned pages are rendered",
                ),
                404,
                _answer_url(student, question),
            )
        return FileResponse(shown.page_images[number - 1], media_type="image/png")

    async def decide(request: Request) -> Response:
        student = request.path_params["student"]
        question = request.path_params["question"]
        form = await request.form()
        back = _answer_url(student, question)
        try:
            points = float(str(form.get("points", "")).strip())
            if not math.isfinite(points):
                raise ValueError
        except ValueError:
            return problem(
                GraderError(
                    f"points must be a number, got {form.get('points', '')!r}",
                    hint="type the points in the points field",
                ),
                400,
                back,
            )
        reason = str(form.get("reason", "")).strip()
        comment = str(form.get("comment", "")).strip()
        current = next(
            (
                i
                for i in queue_state.current().items
                if i.student_id == student and i.question_id == question
            ),
            None,
        )
        if (
            current is not None
            and current.kind is ReviewKind.attention
            and not form.get("explicit")
        ):
            return refused(
                GraderError(
                    "this answer needs attention: it is saved only by its Save button, after "
                    "reading it (Enter does not save it)",
                    hint="open the page images or the text, then press Save decision",
                ),
                back,
            )
        ticked = None
        if form.get("key_points_shown"):  # a concept answer's checkboxes were on the page
            ticked = [int(str(n)) for n in form.getlist("kp") if str(n).isdigit()]
        try:
            service.decide(
                gradebook,
                student=student,
                question=question,
                points=points,
                reason=reason or ("commented in review" if comment else ""),
                actor=config.reviewer,
                version=str(form.get("version", "")),
                ticked=ticked,
                comment=comment,
                save_comment=bool(form.get("save_comment")),
            )
        except GraderError as error:
            return refused(error, back)
        snapshot, notice = after_writes([student], 1)
        return _to_next(snapshot, question, after=None, notice=notice)

    async def undo(request: Request) -> Response:
        student = request.path_params["student"]
        question = request.path_params["question"]
        form = await request.form()
        back = _answer_url(student, question)
        try:
            service.undo_decision(
                gradebook,
                student=student,
                question=question,
                reason=str(form.get("reason", "")).strip() or "undone in review",
                actor=config.reviewer,
                version=str(form.get("version", "")),
            )
        except GraderError as error:
            return refused(error, back)
        _, notice = after_writes([student], 1)
        return RedirectResponse(
            _with_notice(back, f"undone; {notice}" if notice else "undone"), status_code=303
        )

    async def remove_comment(request: Request) -> Response:
        student = request.path_params["student"]
        question = request.path_params["question"]
        back = _answer_url(student, question)
        form = await request.form()
        try:
            removed = service.remove_saved_comment(gradebook, int(str(form.get("comment_id", ""))))
        except ValueError:
            removed = False
        except GraderError as error:
            return refused(error, back)
        notice = "saved comment removed" if removed else "no such saved comment"
        return RedirectResponse(_with_notice(back, notice), status_code=303)

    def reports_follow(students: Sequence[str]) -> str | None:
        """Rewrite the decided students' report files and the class summary; a problem, or None."""
        if config.reports_dir is None or not students:
            return None
        try:
            service.rebuild_reports(
                gradebook,
                rubric=rubric,
                reports_dir=config.reports_dir,
                students=students,
                review_url=config.public_url,
            )
        except GraderError as error:
            return error.one_line()
        return None

    async def rebuild(request: Request) -> Response:
        if config.reports_dir is None:
            return problem(
                GraderError(
                    "this service writes no report files",
                    hint="start it with `grader serve --reports DIR`, or run `grader reports`",
                ),
                400,
                "/queue",
            )
        try:
            written = service.rebuild_reports(
                gradebook,
                rubric=rubric,
                reports_dir=config.reports_dir,
                review_url=config.public_url,
            )
        except GraderError as error:
            return problem(error, 400, "/queue")
        notice = f"wrote {len(written.paths)} report file(s) to {config.reports_dir}"
        return RedirectResponse("/queue?" + urlencode({"notice": notice}), status_code=303)

    def _to_next(
        snapshot: service.QueueSnapshot,
        question: str | None,
        after: str | None,
        notice: str = "",
    ) -> Response:
        following = service.next_waiting(snapshot, question=question, after=after)
        if following is None:
            target = "/queue" + ("?" + urlencode({"question": question}) if question else "")
        else:
            target = _answer_url(following.student_id, following.question_id)
        return RedirectResponse(_with_notice(target, notice), status_code=303)

    async def next_answer(request: Request) -> Response:
        params = request.query_params
        try:
            return _to_next(
                queue_state.current(),
                params.get("question") or None,
                after=params.get("after") or None,
            )
        except GraderError as error:
            return problem(error, 400, "/queue")

    async def accept_group(request: Request) -> Response:
        form = await request.form()
        question = str(form.get("question", ""))
        group = str(form.get("group", "")) or None
        excluded = set(form.getlist("split"))
        listed = [str(m) for m in form.getlist("member")]
        back = "/queue?" + urlencode({"question": question})
        try:
            snapshot = queue_state.current()
            members = None
            if listed:  # the members the page showed: a group's id may change as it shrinks
                members = [m for m in listed if m not in excluded]
                group = None
            elif excluded:
                members = [
                    i.student_id
                    for i in snapshot.items
                    if i.question_id == question
                    and i.group == group
                    and i.student_id not in excluded
                ]
            done = service.accept_suggestions(
                gradebook,
                rubric=rubric,
                question=question,
                group=group,
                reason=str(form.get("reason", "")).strip() or "suggestion confirmed in review",
                actor=config.reviewer,
                students=members,
                snapshot=snapshot,
            )
        except GraderError as error:
            return refused(error, back)
        _, report_notice = after_writes(done.decided, len(done.decided))
        notice = f"confirmed {len(done.decided)}"
        if done.skipped:
            notice += (
                f"; {len(done.skipped)} need attention or have unsure key points and were left "
                "for one-by-one review"
            )
        if report_notice:
            notice += f"; {report_notice}"
        return RedirectResponse(_with_notice(back, notice), status_code=303)

    routes = [
        Route("/", home),
        Route("/queue", queue),
        Route("/next", next_answer),
        Route("/groups/accept", accept_group, methods=["POST"]),
        Route("/reports/rebuild", rebuild, methods=["POST"]),
        Route("/answer/{student}/{question}", answer),
        Route("/answer/{student}/{question}/decide", decide, methods=["POST"]),
        Route("/answer/{student}/{question}/pages/{number:int}", page_image),
        Route("/answer/{student}/{question}/undo", undo, methods=["POST"]),
        Route("/answer/{student}/{question}/comments/remove", remove_comment, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(TokenCheck, token=config.token)] if config.token else []
    return Starlette(routes=routes, middleware=middleware)
