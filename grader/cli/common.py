"""What every `grader` command shares: exit codes, the one-line error, consoles, common options.

Option help and defaults come from `grader.settings` (escaped for rich markup, so
"[notebooks]" is shown as written). Must not hold grading logic: commands call
`grader.service`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from grader.settings import ASSIGNMENT, DB, EXISTING_DB, KERNEL_ENV, RUBRIC, WORKERS, Setting

EXIT_DONE, EXIT_ATTENTION, EXIT_USAGE = 0, 1, 2

stderr = Console(stderr=True, highlight=False)
stdout = Console(highlight=False)


def who_decides(given: str | None) -> str:
    """The name recorded on a person's decision: --actor/--reviewer, else $USER."""
    return given or os.environ.get("USER") or "unknown"


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print `error: message` as one line to stderr and exit (2: usage or configuration)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def say_notes(notes: Iterable[str]) -> None:
    """Print what a command wants the user to know but is not an error: one `note:` line each."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)


def option_help(setting: Setting[Any]) -> str:
    """A setting's help text as typer shows it (rich markup escaped)."""
    return escape(setting.help)


#: For commands over a gradebook: default None, the rubric of record.
RubricOption = Annotated[
    Path | None, typer.Option("--rubric", help=option_help(RUBRIC), show_default=False)
]
AssignmentOption = Annotated[
    str | None,
    typer.Option("--assignment", help=option_help(ASSIGNMENT), show_default=False),
]
# `--db` is a str (a path or a URL; a Path would turn `postgresql://h/db` into `postgresql:/h/db`),
# read from $HW_GRADER_DB when not given. Messages name it by `gradebook_label` (no password).
#: For `grader grade`, which creates the gradebook.
DbOption = Annotated[str, typer.Option("--db", envvar=DB.env_var, help=option_help(DB))]
#: For commands that read or change an existing gradebook and never create one.
ExistingDbOption = Annotated[
    str, typer.Option("--db", envvar=EXISTING_DB.env_var, help=option_help(EXISTING_DB))
]
KernelEnvOption = Annotated[
    Path | None, typer.Option("--kernel-env", help=option_help(KERNEL_ENV), show_default=False)
]
WorkersOption = Annotated[int, typer.Option("--workers", min=1, help=option_help(WORKERS))]
