"""`grader` commands. Each parses its options, calls one library function, and turns
`GraderError`s into one clear line on stderr with exit code 2.

Exit codes: 0 done; 1 done, but some submissions need attention (unreadable,
errors, ambiguous answers; routine concept confirmations do not count);
2 usage or configuration error.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from grader.cli.data_commands import data_app
from grader.cli.template_commands import assign, check_template_command
from grader.errors import GraderError
from grader.feedback import export_csv, export_json, render_student_html, render_student_markdown
from grader.pipeline import GradeOptions, find_students, grade_submissions
from grader.pipeline.notebook_batch import DEFAULT_KERNEL_ENV, NotebookOptions
from grader.pipeline.run import question_infos
from grader.reference import compute_key, load_parameters
from grader.reference.answer_key import to_jsonable
from grader.rubric import load_rubric
from grader.storage import Gradebook, open_gradebook

app = typer.Typer(
    help="hw-grader: grade deep-learning homework into a SQLite gradebook, with feedback reports and exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True, highlight=False)
stdout = Console(highlight=False)

EXIT_DONE, EXIT_ATTENTION, EXIT_USAGE = 0, 1, 2

RubricOption = Annotated[
    Path, typer.Option("--rubric", help="Rubric file (TOML) with points, keys and partial credit.")
]
DbOption = Annotated[
    Path, typer.Option("--db", help="SQLite gradebook file (created when missing).")
]


class Part(StrEnum):
    all = "all"
    written = "written"
    notebooks = "notebooks"


class KeyFormat(StrEnum):
    json = "json"
    table = "table"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line to stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _gradebook(db: Path) -> Gradebook:
    return Gradebook(open_gradebook(db))


@app.command()
def grade(
    submissions: Annotated[Path, typer.Argument(help="Folder holding one sub-folder per student.")],
    rubric: RubricOption = Path("rubrics/hw4.toml"),
    db: DbOption = Path("grades.sqlite"),
    reports: Annotated[
        Path,
        typer.Option("--reports", help="Folder for per-student feedback and the class summary."),
    ] = Path("reports"),
    only: Annotated[Part, typer.Option("--only", help="Grade only this part.")] = Part.all,
    student: Annotated[
        str | None, typer.Option("--student", help="Grade only this student id.")
    ] = None,
    no_reports: Annotated[bool, typer.Option("--no-reports", help="Skip writing reports.")] = False,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Data root for the notebook part (as `grader data synth` writes it). "
            "Without it notebooks are not run and their questions get status error.",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", help="Seconds per notebook (default: the rubric's [notebooks] timeout)."
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Local Dask workers running notebooks in parallel."),
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Send notebook tasks to an existing Dask cluster (tcp://HOST:PORT)."
        ),
    ] = None,
    kernel_env: Annotated[
        Path,
        typer.Option(
            "--kernel-env", help="Python environment used inside the sandbox (`make kernel-env`)."
        ),
    ] = DEFAULT_KERNEL_ENV,
    gpu: Annotated[
        bool, typer.Option("--gpu", help="Ask the cluster for one GPU resource per task.")
    ] = False,
    resume: Annotated[
        int | None,
        typer.Option(
            "--resume",
            help="Continue an interrupted run: grade only what the gradebook does not yet hold for run RESUME.",
        ),
    ] = None,
    no_sandbox: Annotated[
        bool,
        typer.Option(
            "--no-sandbox",
            help="DANGEROUS: run student notebooks without the sandbox. Only for code you trust.",
        ),
    ] = False,
    variants: Annotated[
        Path | None,
        typer.Option(
            "--variants",
            help="folder of per-student parameters written by `grader assign --variants`",
        ),
    ] = None,
) -> None:
    """Grade every student in SUBMISSIONS as one new run; store results and write reports.

    Exits 1 when some submissions need a person's attention (listed at the end).
    """
    if not submissions.is_dir():
        fail(
            f"{submissions}: no such folder (fix: pass the folder holding one sub-folder per student)"
        )
    if variants is not None and not variants.is_dir():
        fail(
            f"{variants}: no such folder (fix: pass the grader/variants folder written by `grader assign --variants`)"
        )
    if no_sandbox and only is not Part.written:
        stderr.print(
            "[bold red]WARNING: --no-sandbox runs student notebooks with your permissions, "
            "network and files. Use it only for code you trust.[/]"
        )
    notebook_options = NotebookOptions(
        data_root=data,
        kernel_env=kernel_env,
        workers=workers,
        scheduler=scheduler,
        timeout_seconds=timeout,
        unsandboxed=no_sandbox,
        gpu=gpu,
    )
    try:
        loaded = load_rubric(rubric)
        gradebook = _gradebook(db)
        students = find_students(submissions)
        if student is not None and student not in {sid for sid, _ in students}:
            fail(
                f"{submissions}/{student}: no such student folder (fix: check the id with `ls {submissions}`)"
            )
        parts = 2 if only is Part.all and loaded.models else 1
        total = (1 if student else len(students)) * parts
        with Progress(
            TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=stderr, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("grading", total=total)
            summary = grade_submissions(
                submissions,
                rubric=loaded,
                gradebook=gradebook,
                reports_dir=None if no_reports else reports,
                options=GradeOptions(
                    only=only.value,
                    student=student,
                    notebooks=notebook_options,
                    variants_dir=variants,
                    resume_run=resume,
                ),
                on_student_done=lambda _sid: progress.advance(task),
            )
    except GraderError as exc:
        fail(exc.one_line())

    table = Table(title=f"Run {summary.run_id}: {summary.students} students graded")
    table.add_column("student")
    table.add_column("points", justify="right")
    table.add_column("attention")
    for sid, points in summary.points.items():
        table.add_row(
            sid,
            f"{points:g}/{summary.max_points:g}",
            "; ".join(summary.needs_attention.get(sid, [])),
        )
    stdout.print(table)
    stdout.print(
        f"{summary.concept_reviews} concept answers await confirmation (`grader override`)."
    )
    if summary.report_paths:
        stdout.print(f"Reports: {reports}/index.html")
    if summary.needs_attention:
        stdout.print(
            f"{len(summary.needs_attention)} submission(s) need attention; see the table above."
        )
        raise typer.Exit(EXIT_ATTENTION)


@app.command()
def key(
    rubric: RubricOption = Path("rubrics/hw4.toml"),
    format: Annotated[
        KeyFormat, typer.Option("--format", help="json or a readable table.")
    ] = KeyFormat.json,
) -> None:
    """Print the answer key computed from the rubric's question parameters (every accepted convention)."""
    try:
        loaded = load_rubric(rubric)
        keys = compute_key(load_parameters(loaded.parameters_path))
    except GraderError as exc:
        fail(exc.one_line())
    by_question = {}
    for qid, question in loaded.questions.items():
        if question.kind == "concept":
            continue
        question_key = keys[question.key]  # type: ignore[union-attr]
        by_question[qid] = {
            "accepted": [
                {"convention": a.convention, "value": to_jsonable(a.value)}
                for a in question_key.accepted
            ]
        }
    if format is KeyFormat.json:
        typer.echo(json.dumps(by_question, indent=2))
        return
    table = Table(title=f"Answer key computed from {loaded.parameters_path.name}")
    table.add_column("question")
    table.add_column("convention")
    table.add_column("value")
    for qid, entry in by_question.items():
        for accepted in entry["accepted"]:
            table.add_row(qid, accepted["convention"], json.dumps(accepted["value"]))
    stdout.print(table)


@app.command()
def export(
    db: DbOption = Path("grades.sqlite"),
    format: Annotated[
        ExportFormat, typer.Option("--format", help="csv (one row per student) or json.")
    ] = ExportFormat.csv,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export current grades (latest run per student, overrides applied) for a learning platform."""
    if not db.exists():
        fail(f"{db}: no gradebook here (fix: run `grader grade` first or pass --db)")
    try:
        grades = _gradebook(db).latest_grades()
    except GraderError as exc:
        fail(exc.one_line())
    if format is ExportFormat.json:
        text = export_json(grades)
    else:
        question_ids = list(dict.fromkeys(q.question_id for g in grades for q in g.questions))
        text = export_csv(grades, question_ids)
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        out.write_text(text, encoding="utf-8")
        stderr.print(f"wrote {out} ({len(grades)} students)")


@app.command()
def report(
    student: Annotated[str, typer.Argument(help="Student id, as in the submissions folder.")],
    db: DbOption = Path("grades.sqlite"),
    rubric: RubricOption = Path("rubrics/hw4.toml"),
    format: Annotated[ReportFormat, typer.Option("--format", help="md or html.")] = ReportFormat.md,
) -> None:
    """Print one student's feedback report from the gradebook."""
    if not db.exists():
        fail(f"{db}: no gradebook here (fix: run `grader grade` first or pass --db)")
    try:
        loaded = load_rubric(rubric)
        grades = _gradebook(db).latest_grades(student)
    except GraderError as exc:
        fail(exc.one_line())
    if not grades:
        fail(
            f"{db}: no grades for student '{student}' (fix: check the id with `grader export --format csv`)"
        )
    render = render_student_html if format is ReportFormat.html else render_student_markdown
    typer.echo(render(grades[0], question_infos(loaded)))


@app.command()
def override(
    student: Annotated[str, typer.Argument(help="Student id.")],
    question: Annotated[str, typer.Argument(help="Question id, e.g. q4.")],
    points: Annotated[float, typer.Argument(help="Points to give (0 … the question's maximum).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why; stored in the audit log and shown in the report.")
    ],
    db: DbOption = Path("grades.sqlite"),
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who decided (default: the $USER running this).")
    ] = None,
) -> None:
    """Set a question's points by hand; kept across regrades and recorded in the audit log."""
    if not reason.strip():
        fail(
            "--reason must not be empty (fix: say why, e.g. --reason 'confirmed key points 1 and 3')"
        )
    if not db.exists():
        fail(f"{db}: no gradebook here (fix: run `grader grade` first or pass --db)")
    who = actor or os.environ.get("USER") or "unknown"
    try:
        _gradebook(db).add_override(student, question, points, reason=reason, actor=who)
    except GraderError as exc:
        fail(exc.one_line())
    stdout.print(f"{student} {question}: set to {points:g} by {who} ({reason})")


app.command()(assign)
app.command("check-template")(check_template_command)
app.add_typer(data_app, name="data")


def main() -> None:
    """Console-script entry point."""
    app()
