"""`grader assign`: build an assignment's student release and grader bundle from its template.

A thin command over `grader.templates`: it loads the template, calls
`build_release`, prints what was written, and turns a `GraderError` into one
line on stderr with exit code 2. Exit code 1 means the build holds solution or
hidden text (listed) and must not be published. `grader check-template` resolves
the kernel environment like `grader grade` (`grader.settings.resolve_kernel_env`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import KernelEnvOption, WorkersOption, fail, option_help
from grader.data import write_synthetic_data
from grader.data.formats import DatasetDeclaration
from grader.errors import GraderError
from grader.pipeline.notebook_batch import NotebookOptions
from grader.rubric import load_rubric
from grader.settings import SYNTHETIC_DATA, WORKERS, resolve_kernel_env
from grader.templates.check_results import all_passed, render_json, render_junit, render_text
from grader.templates.manifest import load_template
from grader.templates.release import build_release
from grader.templates.template_checks import CHECK_NAMES, CheckOptions, check_template


def default_synthetic_root(datasets: Mapping[str, DatasetDeclaration], seed: int = 0) -> Path:
    """The synthetic data root for these declarations (a hash of them names it)."""
    dumped = json.dumps(
        {name: declared.model_dump(mode="json") for name, declared in datasets.items()},
        sort_keys=True,
    )
    digest = hashlib.sha256(dumped.encode()).hexdigest()[:12]
    return SYNTHETIC_DATA.default / f"synthetic-{digest}-seed{seed}"


def assign(
    template_dir: Annotated[
        Path, typer.Argument(help="Template folder holding template.toml, e.g. reference/hw5.")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to build into (replaced if it holds a previous build), e.g. dist/hw5.",
        ),
    ],
    variants: Annotated[
        Path | None,
        typer.Option(
            "--variants",
            help="Roster CSV (column student_id): give each student their own image I and filter F.",
        ),
    ] = None,
) -> None:
    """Build the student release (solutions stubbed, hidden checks removed, outputs and metadata
    cleared) and the grader bundle (rubric, parameters, solutions, sha256 of every file).

    Building twice gives byte-identical files. Exits 1 if solution or hidden text reached the release.
    """
    try:
        template = load_template(template_dir)
        build = build_release(template, out, variants_roster=variants)
    except GraderError as exc:
        fail(exc.one_line())
    shown_grader = False
    typer.echo(
        f"student release {out / 'student'} ({build.solutions_stubbed} solution regions "
        f"stubbed, {build.hidden_removed} hidden regions removed):"
    )
    for name in build.student_files + build.grader_files:
        if name.startswith("grader/") and not shown_grader:
            typer.echo(f"grader bundle {out / 'grader'}:")
            shown_grader = True
        if "/variants/" not in name:  # one line per student would drown the rest
            typer.echo(f"  {out / name}")
    if build.variant_students:
        typer.echo(
            f"variants for {len(build.variant_students)} students: "
            f"{out / 'student' / 'variants'}/<student_id>/questions.{{md,html}}, "
            f"{out / 'grader' / 'variants'}/<student_id>.toml"
        )
    if build.leaks:
        for leak in build.leaks:
            typer.echo(f"leak: {out / 'student'}/{leak.one_line()}", err=True)
        typer.echo(
            f"error: {len(build.leaks)} leak(s) of solution or hidden text in the release; "
            "do not publish it (fix the markers and build again)",
            err=True,
        )
        raise typer.Exit(1)


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def check_template_command(
    template_dir: Annotated[
        Path, typer.Argument(help="Template folder holding template.toml, e.g. reference/hw5.")
    ],
    data: Annotated[
        Path | None,
        typer.Option("--data", help=option_help(SYNTHETIC_DATA)),
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write a JUnit XML report here.")
    ] = None,
    format: Annotated[
        CheckFormat, typer.Option("--format", help="text (one line per failure) or json.")
    ] = CheckFormat.text,
    checks: Annotated[
        str, typer.Option("--checks", help=f"Comma-separated subset of: {', '.join(CHECK_NAMES)}.")
    ] = ",".join(CHECK_NAMES),
    workers: WorkersOption = WORKERS.default,
    kernel_env: KernelEnvOption = None,
) -> None:
    """Prove a template sound for CI: rubric, key and written solution, solution notebooks at full
    marks in the sandbox, a release that runs to its stubs, scores zero and leaks nothing, and variants.

    Exits 0 only if every selected check passes; otherwise prints one line per failure.
    """
    selected = tuple(name.strip() for name in checks.split(",") if name.strip())
    unknown = [name for name in selected if name not in CHECK_NAMES]
    if unknown:
        fail(f"--checks: unknown check {unknown[0]!r} (fix: use {', '.join(CHECK_NAMES)})")
    needs_data = {"solution-notebooks", "student-release"} & set(selected)
    data_root = data
    if needs_data and data_root is None:
        try:
            datasets = load_rubric(load_template(template_dir).rubric_path).datasets
            if datasets:
                data_root = default_synthetic_root(datasets)
                if not (data_root / "dataset.toml").exists():
                    write_synthetic_data(data_root, datasets=datasets, seed=0)
        except GraderError:
            data_root = None  # check_template names the broken template or rubric itself
    notebook_options = NotebookOptions(
        data_root=data_root,
        kernel_env=resolve_kernel_env(kernel_env),
        kernel_env_given=kernel_env is not None,
        workers=workers,
    )
    results = check_template(
        template_dir, CheckOptions(checks=selected, notebooks=notebook_options)
    )
    if junit is not None:
        junit.write_text(
            render_junit(results, suite_name=f"check-template {template_dir}"), encoding="utf-8"
        )
    typer.echo(
        render_json(results) if format is CheckFormat.json else render_text(results), nl=False
    )
    if not all_passed(results):
        raise typer.Exit(1)
