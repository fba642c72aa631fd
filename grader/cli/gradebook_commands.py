"""`grader export`, `report`, `reports`, `override`, `runs` and `rescore`: commands over an existing gradebook.

Thin commands over `grader.service`: each parses its options, calls one function,
prints what it returns, and turns a `GraderError` into one line with exit code 2.
None of them creates a gradebook (`--db` must exist; `grader grade` makes it).
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from grader import service
from grader.cli.common import (
    EXIT_ATTENTION,
    AssignmentOption,
    ExistingDbOption,
    RubricOption,
    fail,
    option_help,
    say_notes,
    stderr,
    stdout,
    who_decides,
)
from grader.errors import GraderError
from grader.exports import EXPORT_FORMATS, MoodleIdentifier
from grader.feedback import report_file_stems
from grader.feedback.files import ReportError
from grader.results import Part
from grader.service import ReportFormat, rescoring
from grader.service import deadlines as deadline_service
from grader.settings import DB, REPORTS
from grader.storage import gradebook_label


class QueueFormat(StrEnum):
    table = "table"
    json = "json"


_FORMAT_HELP = "; ".join(f"{name}: {spec.help}" for name, spec in EXPORT_FORMATS.items())


def _known_format(value: str) -> str:
    """--format takes the rows of the export formats table."""
    if value not in EXPORT_FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(EXPORT_FORMATS)}")
    return value


def export(
    db: ExistingDbOption = DB.default,
    rubric: RubricOption = None,
    assignment: AssignmentOption = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="<format>",
            callback=_known_format,
            help=f"One of: {_FORMAT_HELP}.",
        ),
    ] = "csv",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write to this file instead of stdout (gradescope: the folder for "
            "<student>/results.json).",
        ),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster",
            help="Roster CSV (student_id, name, lms_id, sis_user_id, login, email, section): "
            "names students as the platform does; roster students without a submission are "
            "exported with a blank score (no submission, not a 0).",
        ),
    ] = None,
    assignment_id: Annotated[
        str | None,
        typer.Option("--assignment-id", help='Canvas assignment id, as in "Title (123)".'),
    ] = None,
    per_question: Annotated[
        bool, typer.Option("--per-question", help="Canvas: a column per question as well.")
    ] = False,
    identifier: Annotated[
        MoodleIdentifier,
        typer.Option("--identifier", help="Moodle: match students by email or idnumber."),
    ] = MoodleIdentifier.email,
) -> None:
    """Export one assignment's current grades (latest run per student, overrides applied) for a
    learning platform, with the rubric that scored them (never two rubrics mixed)."""
    options = service.ExportOptions(
        roster=roster, assignment_id=assignment_id, per_question=per_question, identifier=identifier
    )
    spec = EXPORT_FORMATS[format]
    if spec.one_file_per_student and out is None:
        fail(f"--format {format} writes one file per student (fix: pass --out FOLDER)")
    try:
        exported = service.export_grades(
            db, rubric=rubric, assignment=assignment, format=format, options=options
        )
    except GraderError as exc:
        fail(exc.one_line())
    for warning in exported.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if spec.one_file_per_student and out is not None:
        written = write_gradescope_results(exported.files, out)
        stderr.print(Text(f"wrote {written} results.json file(s) under {out}"))
        return
    if out is None:
        typer.echo(exported.text, nl=not exported.text.endswith("\n"))
    else:
        out.write_text(exported.text, encoding="utf-8")
        stderr.print(Text(f"wrote {out} ({exported.students} students)"))


def write_gradescope_results(files: dict[str, str], out: Path) -> int:
    """Write <out>/<student folder>/results.json for each student; names made safe."""
    stems = report_file_stems(files)
    out.mkdir(parents=True, exist_ok=True)
    for student_id, text in files.items():
        folder = out / stems[student_id]
        folder.mkdir(exist_ok=True)
        (folder / "results.json").write_text(text, encoding="utf-8")
    return len(files)


def report(
    student: Annotated[str, typer.Argument(help="Student id, as in the submissions folder.")],
    db: ExistingDbOption = DB.default,
    rubric: RubricOption = None,
    assignment: AssignmentOption = None,
    format: Annotated[ReportFormat, typer.Option("--format", help="md or html.")] = ReportFormat.md,
) -> None:
    """Print one student's feedback report from the gradebook."""
    try:
        shown = service.student_report(
            db, student, rubric=rubric, assignment=assignment, format=format
        )
    except GraderError as exc:
        fail(exc.one_line())
    say_notes(shown.notes)
    typer.echo(shown.text)


def reports(
    db: ExistingDbOption = DB.default,
    rubric: RubricOption = None,
    assignment: AssignmentOption = None,
    out: Annotated[
        Path | None, typer.Option("--reports", help=option_help(REPORTS), show_default=False)
    ] = None,
    student: Annotated[
        list[str] | None,
        typer.Option(
            "--student", help="Only this student's files (repeatable); the summary always."
        ),
    ] = None,
) -> None:
    """Rewrite the report files and the class summary from the gradebook as it is now.

    Run it after decisions made with `grader override` or `grader review accept`, so no
    report still says an answer awaits a person. (`grader serve --reports DIR` rewrites
    a student's files after each decision by itself.) Exits 1 when some report could only
    be written in short form.
    """
    try:
        if out is None:
            out = REPORTS.default / service.open_assignment(db, assignment=assignment).assignment
        written = service.rebuild_reports(
            db, rubric=rubric, assignment=assignment, reports_dir=out, students=student
        )
    except ReportError as exc:
        stdout.print(Text(exc.one_line()))
        raise typer.Exit(EXIT_ATTENTION) from exc
    except GraderError as exc:
        fail(exc.one_line())
    say_notes(written.notes)
    stdout.print(Text(f"wrote {len(written.paths)} file(s) to {out} (index: {out / 'index.html'})"))


def override(
    student: Annotated[str, typer.Argument(help="Student id.")],
    question: Annotated[str, typer.Argument(help="Question id, e.g. q4.")],
    points: Annotated[float, typer.Argument(help="Points to give (0 … the question's maximum).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why; stored in the audit log and shown in the report.")
    ],
    db: ExistingDbOption = DB.default,
    assignment: AssignmentOption = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who decided (default: the $USER running this).")
    ] = None,
    key_points: Annotated[
        str | None,
        typer.Option(
            "--key-points",
            help="Concept questions: the key points found, by number (e.g. 1,3; '' for none). "
            "Kept with the decision: the question's other suggestions learn from it.",
            show_default=False,
        ),
    ] = None,
    comment: Annotated[
        str, typer.Option("--comment", help="A comment for the student, shown in the report.")
    ] = "",
) -> None:
    """Set a question's points by hand; kept across regrades and recorded in the audit log."""
    who = who_decides(actor)
    ticked = None
    if key_points is not None:
        parts = [p.strip() for p in key_points.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            fail(f"--key-points {key_points!r}: give numbers separated by commas (fix: e.g. 1,3)")
        ticked = [int(p) for p in parts]
    try:
        done = service.set_override(
            db,
            student,
            question,
            points,
            reason=reason,
            actor=who,
            assignment=assignment,
            ticked=ticked,
            comment=comment,
        )
    except GraderError as exc:
        fail(exc.one_line())
    stdout.print(
        Text(
            f"{done.student_id} {done.question_id}: set to {done.points:g} by {done.actor} ({done.reason})"
        )
    )


def runs(db: ExistingDbOption = DB.default, assignment: AssignmentOption = None) -> None:
    """List the grading runs, and how to finish one that was interrupted.

    For each run: its assignment, when it started and finished ("unfinished" if it was
    interrupted), students graded per part, how many need attention, and the rubric. For
    an unfinished run, the exact `grader grade ... --resume ID` command that finishes it.
    """
    try:
        infos = service.list_runs(db, assignment=assignment)
    except GraderError as exc:
        fail(exc.one_line())
    if not infos:
        typer.echo(
            f"{gradebook_label(db)}: no grading runs yet (start one with `grader grade SUBMISSIONS`)"
        )
        return
    # Plain lines, not a table: a resume command must be copyable whatever the terminal width.
    for info in infos:
        finished = (
            f"finished {info.finished_at:%Y-%m-%d %H:%M:%S}" if info.finished_at else "unfinished"
        )
        graded = ", ".join(f"{part.value} {info.parts.get(part.value, 0)}" for part in Part)
        typer.echo(
            f"run {info.run_id} ({info.assignment or 'no assignment recorded'}): "
            f"started {info.started_at:%Y-%m-%d %H:%M:%S} UTC, {finished}; "
            f"students graded: {graded}; {info.needs_attention} need attention; "
            f"rubric {info.rubric_path}"
        )
        if info.resume_command is not None:
            typer.echo(f"  run {info.run_id} is unfinished; finish it with: {info.resume_command}")


def rescore(
    db: ExistingDbOption = DB.default,
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric",
            help="Rubric file to apply. Default: the file of the assignment's rubric of record "
            "as it is now (the rubric was edited).",
            show_default=False,
        ),
    ] = None,
    assignment: AssignmentOption = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Only show who changes and by how much; write nothing."),
    ] = False,
    format: Annotated[
        QueueFormat, typer.Option("--format", help="table or json (the changes).")
    ] = QueueFormat.table,
    out: Annotated[
        Path | None,
        typer.Option(
            "--reports",
            help="Also rewrite the reports in this folder from the new run. Default: write "
            "none and print the `grader reports` command that brings them up to date.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Re-apply the rubric to what the gradebook holds, as a new run: no file is read again.

    Written answers are re-scored from their stored text, models from their measured
    accuracy. Overrides carry over; one whose question's maximum changed is flagged for
    a person. Reports written before are out of date afterwards: pass --reports DIR to
    rewrite them, or run the command printed. Exits 1 when something needs a person (a new
    question, a flagged override).
    """
    try:
        outcome = rescoring.rescore(db, rubric=rubric, assignment=assignment, dry_run=dry_run)
        written = None
        if out is not None and not dry_run:
            written = service.rebuild_reports(
                db, rubric=None, assignment=outcome.assignment or assignment, reports_dir=out
            )
    except GraderError as exc:
        fail(exc.one_line())
    say_notes(outcome.notes)
    if written is not None:
        say_notes(written.notes)
        typer.echo(f"wrote {len(written.paths)} report file(s) to {out}", err=True)
    elif not dry_run:
        command = ["grader", "reports", "--db", str(db)]
        if outcome.assignment:
            command += ["--assignment", outcome.assignment]
        command += ["--reports", str(REPORTS.default / (outcome.assignment or "reports"))]
        typer.echo(
            "reports written before this run are out of date; rewrite them with: "
            + shlex.join(command)
            + " (or pass --reports DIR to rescore)",
            err=True,
        )
    if format is QueueFormat.json:
        typer.echo(json.dumps(dataclasses.asdict(outcome), indent=2, ensure_ascii=False))
    else:
        table = Table(
            title=f"{'Dry run: ' if dry_run else f'Run {outcome.run_id}: '}"
            f"{len(outcome.changes)} of {outcome.students} students change"
        )
        for column in ("student", "before", "after", "questions"):
            table.add_column(column)
        for change in outcome.changes:
            table.add_row(
                Text(change.student_id),
                f"{change.before:g}",
                f"{change.after:g}",
                Text(
                    ", ".join(
                        f"{q.question_id} {q.before:g}/{q.before_max:g} → {q.after:g}/{q.after_max:g}"
                        for q in change.questions
                    )
                ),
            )
        stdout.print(table)
        for item in outcome.not_rescored:
            typer.echo(
                f"not re-scored: {item.question_id} ({item.students} students): {item.reason} "
                f"(fix: {item.fix})",
                err=True,
            )
        for student, question in outcome.stale_overrides:
            typer.echo(
                f"override flagged for a person: {student} {question} (its maximum changed)",
                err=True,
            )
    if outcome.not_rescored or outcome.stale_overrides:
        raise typer.Exit(EXIT_ATTENTION)


SUBMISSION_TIMES_HELP = (
    "CSV of when each student submitted: a student_id column and a submitted_at column "
    "(an LMS export or the roster; ISO 8601 times, or Moodle's worksheet form). A time "
    "without offset is read in the due date's timezone."
)
EXTENSIONS_HELP = (
    "CSV of extensions: student_id and either due (the student's due date) or days / hours "
    "(added to the assignment's due date)."
)


def late(
    db: ExistingDbOption = DB.default,
    assignment: AssignmentOption = None,
    submission_times: Annotated[
        Path | None,
        typer.Option("--times", help=SUBMISSION_TIMES_HELP, show_default=False),
    ] = None,
    extensions: Annotated[
        Path | None, typer.Option("--extensions", help=EXTENSIONS_HELP, show_default=False)
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who records them (default: $USER).")
    ] = None,
) -> None:
    """Record submission times and extensions; list who is late and the penalty.

    The rubric's \\[assignment] table sets the due date and its `late` the policy. The
    penalty is its own line in reports and exports, never taken from a question; nothing
    is re-graded. Run `grader reports` afterwards to rewrite the report files.
    """
    try:
        record = deadline_service.record_deadlines(
            db,
            assignment=assignment,
            submission_times=submission_times,
            extensions=extensions,
            actor=who_decides(actor),
        )
    except GraderError as exc:
        fail(exc.one_line())
    say_notes(record.notes)
    typer.echo(
        f"recorded {record.times} submission time(s) and {record.extensions} extension(s) "
        f"for {record.assignment}"
    )
    for standing in record.late:
        typer.echo(f"late: {standing.student_id}: {standing.words}")
    if not record.late:
        typer.echo("nobody is late")
    if record.unknown:
        typer.echo(
            f"warning: {len(record.unknown)} id(s) in the files have no grades in this "
            f"assignment: {', '.join(record.unknown[:20])} (fix: check the ids match the "
            "submission folder names)",
            err=True,
        )
