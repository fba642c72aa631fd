"""Every setting a user can change, defined once with its default and help text.

Job: name each setting of the command line and the pipeline (`Setting(name, default,
help)`, like datasette's settings) and resolve the one that also has an environment
variable, the sandbox's kernel environment, by one rule for the CLI, the tests and the
Makefile. Settings defined where they are used stay there, with their help, and are
not restated here:

- sandbox limits and output caps: `grader.sandbox.SandboxLimits` (help in field metadata);
- the rubric's `[notebooks]` table (timeouts per notebook, cell and model evaluation,
  memory, processes, threads, output cap): `grader.rubric.model.NotebookSettings`, whose
  fields shared with `SandboxLimits` take their default and help from it.

The CLI reads settings once, at its boundary (options, `$HW_GRADER_KERNEL_ENV`), and
passes the values to library code as arguments.

The gradebook (`DB`) has one too, $HW_GRADER_DB, which the CLI's `--db` option reads
(typer's `envvar`): an option given wins, then the variable, then the default.

Must not: import other grader modules (everything may import this one), read the
environment except in `resolve_kernel_env`, or hold mutable state.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

MiB = 2**20


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One user-changeable setting: its name, default and the help text every interface shows."""

    name: str
    default: T
    help: str
    env_var: str | None = None  # an environment variable that sets it when no option does


#: The environment variable naming the kernel environment (the Makefile exports it).
KERNEL_ENV_VAR = "HW_GRADER_KERNEL_ENV"
#: Precedence: an explicit path (`--kernel-env`), else $HW_GRADER_KERNEL_ENV, else the default.
KERNEL_ENV = Setting(
    "kernel_env",
    Path("/opt/hw-grader/kernel-env"),
    "Python environment used inside the sandbox for every rubric, as `make kernel-env` builds "
    "it (default: $HW_GRADER_KERNEL_ENV, else /opt/hw-grader/kernel-env; a rubric that declares "
    "its own [notebooks] kernel list uses the environment built beside it for that list).",
    env_var=KERNEL_ENV_VAR,
)
RUBRIC: Setting[Path | None] = Setting(
    "rubric",
    None,
    "Rubric file (TOML). Default: the rubric the gradebook recorded for the assignment "
    "(its latest run's; `grader runs` shows it).",
)
ASSIGNMENT: Setting[str | None] = Setting(
    "assignment",
    None,
    "Which assignment of the gradebook (its rubric's [assignment] id). Needed only when the "
    "gradebook holds several.",
)
#: The environment variable naming the gradebook when no --db is given.
DB_VAR = "HW_GRADER_DB"
#: A string, not a Path: a URL's `//` must survive (Path collapses it).
DB = Setting(
    "db",
    "grades.sqlite",
    "SQLite gradebook file (created when missing). Or a postgresql+psycopg:// URL.",
    env_var=DB_VAR,
)
EXISTING_DB = Setting(
    "db",
    "grades.sqlite",
    "SQLite gradebook file; must exist (made by `grader grade`). Or a postgresql+psycopg:// URL.",
    env_var=DB_VAR,
)
REPORTS = Setting(
    "reports",
    Path("reports"),
    "Folder for per-student feedback and the class summary (default: reports/<assignment id>).",
)
WORKERS = Setting("workers", 1, "Local Dask workers running notebooks in parallel.")
NOTEBOOK_TIMEOUT: Setting[float | None] = Setting(
    "timeout",
    None,
    "Seconds per notebook (default: timeout_seconds in the rubric's [notebooks] table).",
)
MAX_WRITTEN_FILE_BYTES = Setting(
    "max_written_file_bytes",
    10 * MiB,
    "Largest written answer file read; a larger one is that student's error, with the size.",
)
#: Where check-template keeps synthetic data: outside any clone, since the sandbox uid must be
#: able to read it (a CI clone is 0700); one folder per distinct set of declared datasets.
SYNTHETIC_DATA = Setting(
    "synthetic_data",
    Path("/var/tmp/hw-grader"),
    "Data root to run the notebooks on (default: synthetic copies of the rubric's datasets, "
    "written under /var/tmp/hw-grader when missing).",
)


def resolve_kernel_env(
    explicit: Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The kernel environment to use: `explicit`, else $HW_GRADER_KERNEL_ENV, else the default.

    The one rule for `grader grade`, `grader check-template`, the tests and the Makefile
    (which exports HW_GRADER_KERNEL_ENV := $(KERNEL_ENV)). An empty variable counts as unset.
    """
    if explicit is not None:
        return Path(explicit)
    env = os.environ if environ is None else environ
    return Path(env.get(KERNEL_ENV_VAR) or KERNEL_ENV.default)


__all__ = [
    "ASSIGNMENT",
    "DB",
    "DB_VAR",
    "EXISTING_DB",
    "KERNEL_ENV",
    "KERNEL_ENV_VAR",
    "MAX_WRITTEN_FILE_BYTES",
    "NOTEBOOK_TIMEOUT",
    "REPORTS",
    "RUBRIC",
    "SYNTHETIC_DATA",
    "WORKERS",
    "Setting",
    "resolve_kernel_env",
]
