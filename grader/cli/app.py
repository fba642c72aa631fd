"""`grader` commands. Each parses its options, calls one `grader.service` function, prints
the result, and turns a `GraderError` into one clear line on stderr with exit code 2.

Settings are read here and only here (options, `$HW_GRADER_KERNEL_ENV`, `$USER`) and
passed on as arguments. Exit codes: 0 done; 1 done, but some submissions need
attention (unreadable, errors, ambiguous answers; routine concept confirmations do
not count); 2 usage or configuration error.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from grader import service
from grader.cli.common import (
    EXIT_ATTENTION,
    AssignmentOption,
    DbOption,
    KernelEnvOption,
    WorkersOption,
    fail,
    option_help,
    say_notes,
    stderr,
    stdout,
    who_decides,
)
from grader.cli.data_commands import data_app
from grader.cli.gradebook_commands import (
    EXTENSIONS_HELP,
    SUBMISSION_TIMES_HELP,
    export,
    late,
    override,
    report,
    reports,
    rescore,
    runs,
)
from grader.cli.review_commands import review_app, serve
from grader.cli.template_commands import assign, check_template_command
from grader.errors import GraderError
from grader.pipeline import GradeOptions
from grader.pipeline.notebook_batch import NotebookOptions
from grader.scheduling.cluster import read_security_file
from grader.settings import (
    DB,
    NOTEBOOK_TIMEOUT,
    REPORTS,
    WORKERS,
    resolve_kernel_env,
)

app = typer.Typer(
    help="hw-grader: grade deep-learning homework into a SQLite gradebook, with feedback reports and exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OnlyPart(StrEnum):
    all = "all"
    written = "written"
    notebooks = "notebooks"


class KeyFormat(StrEnum):
    json = "json"
    table = "table"


NO_SANDBOX_WARNING = (
    "[bold red]WARNING: --no-sandbox runs student notebooks with your permissions, "
    "network and files. Use it only for code you trust.[/]"
)


@app.command()
def grade(
    submissions: Annotated[Path, typer.Argument(help="Folder holding one sub-folder per student.")],
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric",
            help="Rubric file (TOML). Default, for a regrade: the file of the rubric the "
            "gradebook recorded for its assignment (--assignment when it holds several).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = DB.default,
    assignment: AssignmentOption = None,
    reports: Annotated[
        Path | None, typer.Option("--reports", help=option_help(REPORTS), show_default=False)
    ] = None,
    only: Annotated[OnlyPart, typer.Option("--only", help="Grade only this part.")] = OnlyPart.all,
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
        float | None, typer.Option("--timeout", help=option_help(NOTEBOOK_TIMEOUT))
    ] = NOTEBOOK_TIMEOUT.default,
    workers: WorkersOption = WORKERS.default,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Send notebook tasks to an existing Dask cluster (tls://HOST:PORT, or tcp://).",
        ),
    ] = None,
    scheduler_tls: Annotated[
        Path | None,
        typer.Option(
            "--scheduler-tls",
            help="TLS credentials for --scheduler: a TOML file naming ca_file, cert and key "
            "(PEM). Without it the connection is plain TCP (a warning says so). A local "
            "cluster (--workers) always uses TLS with credentials made for it.",
            show_default=False,
        ),
    ] = None,
    kernel_env: KernelEnvOption = None,
    gpu: Annotated[
        bool,
        typer.Option(
            "--gpu",
            help="Pass this machine's CUDA device (/dev/nvidia*) into the sandboxes, so notebooks "
            "and model evaluation can use it (with a CUDA build of torch in the kernel "
            "environment), and ask the cluster for one GPU resource per task. Without a CUDA "
            "device, a warning says so and everything runs on the CPU.",
        ),
    ] = False,
    resume: Annotated[
        int | None,
        typer.Option(
            "--resume",
            help="Continue an interrupted run: grade only what the gradebook does not yet hold "
            "for run RESUME (`grader runs` lists the runs).",
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
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster",
            help="Roster CSV (column student_id): folders it lacks, and roster students "
            "without a folder, are named in a warning.",
        ),
    ] = None,
    submission_times: Annotated[
        Path | None,
        typer.Option("--times", help=SUBMISSION_TIMES_HELP, show_default=False),
    ] = None,
    extensions: Annotated[
        Path | None, typer.Option("--extensions", help=EXTENSIONS_HELP, show_default=False)
    ] = None,
) -> None:
    """Grade every student in SUBMISSIONS as one new run; store results and write reports.

    The table shows each student's points as the gradebook holds them (overrides
    included). Exits 1 when some submissions need a person's attention (listed).
    """
    if scheduler_tls is not None:
        if scheduler is None:
            fail("--scheduler-tls is for --scheduler (fix: give both, or neither)")
        try:
            read_security_file(scheduler_tls)
        except GraderError as exc:
            fail(exc.one_line())
    elif scheduler is not None and only is not OnlyPart.written:
        typer.echo(
            f"warning: --scheduler {scheduler} without --scheduler-tls: tasks travel "
            "unencrypted and whoever reaches the scheduler can send work to its workers "
            "(fix: give the cluster's TLS credentials with --scheduler-tls FILE)",
            err=True,
        )
    request = service.GradeRequest(
        submissions=submissions,
        rubric=rubric,
        db=db,
        assignment=assignment,
        roster=roster,
        reports=reports,
        write_reports=not no_reports,
        submission_times=submission_times,
        extensions=extensions,
        actor=who_decides(None),
        options=GradeOptions(
            only=only.value,
            student=student,
            variants_dir=variants,
            resume_run=resume,
            notebooks=NotebookOptions(
                data_root=data,
                kernel_env=resolve_kernel_env(kernel_env),
                kernel_env_given=kernel_env is not None,
                workers=workers,
                scheduler=scheduler,
                scheduler_tls=scheduler_tls,
                timeout_seconds=timeout,
                unsandboxed=no_sandbox,
                gpu=gpu,
            ),
        ),
    )
    try:
        with Progress(
            TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=stderr, transient=True, disable=not stderr.is_terminal,
        ) as progress:  # fmt: skip
            task = progress.add_task("grading", total=None)

            def started(total: int) -> None:
                if no_sandbox and only is not OnlyPart.written:
                    stderr.print(NO_SANDBOX_WARNING)
                progress.update(task, total=total)

            outcome = service.grade(
                request, on_start=started, on_student_done=lambda _sid: progress.advance(task)
            )
    except GraderError as exc:
        fail(exc.one_line())
    _print_outcome(outcome)
    if outcome.needs_attention:
        raise typer.Exit(EXIT_ATTENTION)


def _print_outcome(outcome: service.GradeOutcome) -> None:
    table = Table(
        title=f"Run {outcome.run_id}: {len(outcome.students)} students graded"
        + (f" ({outcome.assignment})" if outcome.assignment else "")
    )
    table.add_column("student")
    table.add_column("points", justify="right")
    table.add_column("attention")
    for standing in outcome.students:
        table.add_row(
            Text(standing.student_id),
            f"{standing.points:g}/{standing.max_points:g}",
            Text("; ".join(standing.attention)),
        )
    stdout.print(table)
    stdout.print(
        f"{outcome.awaiting_confirmation} concept answers await confirmation (`grader serve` or `grader review list`)."
    )
    if outcome.reports_index is not None:
        stdout.print(Text(f"Reports: {outcome.reports_index}"))
    for problem in outcome.report_problems:
        typer.echo(f"reports: {problem}", err=True)
    for name, reason in outcome.not_graded:
        typer.echo(f"not graded: {name!r}: {reason}", err=True)
    say_notes(outcome.notes)
    for warning in outcome.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if outcome.needing_attention:
        stdout.print(
            f"{len(outcome.needing_attention)} submission(s) need attention; see the table above."
        )


@app.command()
def key(
    rubric: Annotated[
        Path, typer.Option("--rubric", help="Rubric file (TOML) whose key to print.")
    ],
    format: Annotated[
        KeyFormat, typer.Option("--format", help="json or a readable table.")
    ] = KeyFormat.json,
) -> None:
    """Print the answer key computed from the rubric's question parameters (every accepted convention)."""
    try:
        answer_key = service.answer_key(rubric)
    except GraderError as exc:
        fail(exc.one_line())
    for warning in answer_key.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if format is KeyFormat.json:
        typer.echo(json.dumps(answer_key.as_json(), indent=2))
        return
    table = Table(title=f"Answer key computed from {answer_key.parameters_path.name}")
    table.add_column("question")
    table.add_column("convention")
    table.add_column("value")
    for qid, accepted_answers in answer_key.questions.items():
        for accepted in accepted_answers:
            shown = accepted.text or json.dumps(accepted.value)
            table.add_row(qid, Text(accepted.convention), Text(shown))
    stdout.print(table)
    named = {qid: names for qid, names in answer_key.mistakes.items() if names}
    if named:
        stdout.print("Mistakes the key computes (names for a rubric's partial.mistakes):")
        for qid, names in named.items():
            stdout.print(Text(f"  {qid}: " + "; ".join(names)))


app.command()(export)
app.command()(report)
app.command()(reports)
app.command()(override)
app.add_typer(review_app, name="review")
app.command()(serve)
app.command()(runs)
app.command()(rescore)
app.command()(late)
app.command()(assign)
app.command("check-template")(check_template_command)
app.add_typer(data_app, name="data")


def main() -> None:
    """Console-script entry point."""
    app()
