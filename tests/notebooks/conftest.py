"""Notebooks run for real: the project's sandbox with the kernel environment `make kernel-env` builds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.notebooks.execute import NotebookRun, execute_notebook
from grader.sandbox import Sandbox, SandboxLimits
from tests.fixtures.sandbox_env import kernel_env_path

KERNEL_ENV = kernel_env_path()  # the CLI's rule: $HW_GRADER_KERNEL_ENV, else the default


@pytest.fixture(scope="session")
def sandbox() -> Sandbox:
    if not (KERNEL_ENV / "bin" / "python").exists():
        pytest.fail(f"no kernel environment at {KERNEL_ENV}: run `make kernel-env` (as root)")
    if list(KERNEL_ENV.glob("lib/python3*/site-packages/grader")):
        pytest.fail(f"{KERNEL_ENV} still holds the grader package: run `make kernel-env`")
    sandbox = Sandbox(kernel_env=KERNEL_ENV, slot=0)
    check = sandbox.check()
    if not check.ok:
        pytest.fail(f"the sandbox cannot run here: {check.message} (fix: {check.hint})")
    return sandbox


def write_notebook(folder: Path, name: str, *sources: str, markdown: str | None = None) -> Path:
    """A notebook made in the test: optional markdown title, then one code cell per source."""
    folder.mkdir(parents=True, exist_ok=True)
    cells = [new_markdown_cell(markdown)] if markdown else []
    cells += [new_code_cell(source) for source in sources]
    path = folder / name
    nbformat.write(new_notebook(cells=cells), path)
    return path


RunNotebook = Callable[..., NotebookRun]


@pytest.fixture
def run_notebook(sandbox: Sandbox, tmp_path: Path) -> RunNotebook:
    """Write a notebook into a fresh submission folder and execute it in the sandbox."""

    def run(
        *sources: str,
        cell_timeout: float = 20.0,
        limits: SandboxLimits | None = None,
        output_cap: int = 1_000_000,
        markdown: str | None = None,
        files: dict[str, bytes] | None = None,
    ) -> NotebookRun:
        submission = tmp_path / "submission"
        for name, content in (files or {}).items():
            (submission / name).parent.mkdir(parents=True, exist_ok=True)
            (submission / name).write_bytes(content)
        path = write_notebook(submission, "p1_cats_dogs.ipynb", *sources, markdown=markdown)
        return execute_notebook(
            path,
            submission_dir=submission,
            sandbox=sandbox,
            data_mount=None,
            limits=limits or SandboxLimits(wall_seconds=60, grace_seconds=10),
            cell_timeout=cell_timeout,
            out_dir=tmp_path / "out",
            output_cap=output_cap,
        )

    return run
