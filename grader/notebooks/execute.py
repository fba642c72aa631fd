"""Execute one student notebook in the sandbox and say, on the host, what happened.

Job: build the sandbox request (a copy of the whole submission folder, the
training data mounted read-only at ``$GRADER_DATA``, ``inside_execute`` as the
command), run it, and turn the files that come back into a ``NotebookRun``:
a status (``ok``, ``error``, ``timeout``, ``killed``, ``sandbox_error``, ``unreadable``
for a file that is not a notebook the host can read; a full
``/work``, ``/tmp`` or ``/dev/shm`` is ``killed``: "disk quota of the sandbox exceeded"),
the failing cell with its error, the sanitised executed notebook and the
saved model artifacts. A crash or timeout keeps the artifacts saved before
it; the run is always described, never raised.

What it must not do: run notebook code outside the sandbox, trust a byte that
comes back (``untrusted`` reads status and notebook as capped, type-checked
JSON; an artifact must be a regular file named ``artifacts/<id>.pt``), load a
model, or score anything (evaluation and scoring do).
"""

from __future__ import annotations

import json
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.notebooks.untrusted import (
    MAX_NOTEBOOK_CELLS,
    STATUS_MAX_BYTES,
    InsideStatus,
    TooCostlyError,
    UntrustedFileError,
    parse_status,
    read_json_no_follow,
    sanitize_notebook,
)
from grader.results import NotebookRunStatus
from grader.sandbox import (
    ReadOnlyMount,
    Sandbox,
    SandboxLimits,
    SandboxRequest,
    SandboxResult,
    SandboxUnavailable,
    StepTimeout,
)

DATA_MOUNT_POINT = "/data"
#: The environment variable naming the data folder inside the sandbox (a rubric may add aliases).
DATA_VARIABLE = "GRADER_DATA"
#: The driver's cell deadline comes this long after the runner's own SIGALRM (and its
#: watchdog thread, 3 s after that): it only acts when the cell's code defeated both.
OUTSIDE_TIMEOUT_SLACK_SECONDS = 5.0
DEFAULT_OUTPUT_CAP = 2 * 2**20  # bytes of cell outputs kept in the executed notebook
# The executed notebook is the student's notebook (markdown, pasted images) plus capped outputs.
EXECUTED_NOTEBOOK_SLACK = 4 * 2**20
INPUT_NOTEBOOK_MAX_BYTES = 64 * 2**20
OUTPUT_TAIL_CHARS = 4_000
TOO_COSTLY_FIX = (
    "clear its outputs (Kernel > Restart & Clear Output), remove unneeded cells, save it again"
)
#: The runner's files, copied into /work for each run (the kernel env holds no grader package).
INSIDE_MODULES = ("inside_execute.py", "inside_capture.py")
MODEL_ID = re.compile(r"^artifacts/([A-Za-z0-9][A-Za-z0-9_.-]{0,99})\.pt$")


@dataclass(frozen=True)
class NotebookRun:
    """What one sandboxed notebook execution produced, validated on the host."""

    status: NotebookRunStatus
    message: str  # one line for the report
    failed_cell: int | None = None  # index into the notebook's cells (failed or timed out)
    error_name: str | None = None
    error_value: str | None = None
    traceback: str = ""
    artifacts: dict[str, Path] = field(default_factory=dict)  # model id -> host path
    executed_notebook: dict[str, Any] | None = None
    executed_notebook_path: Path | None = None
    output_tail: str = ""
    wall_seconds: float = 0.0


def precheck_notebook(notebook: Path) -> tuple[int, str | None, int]:
    """(size, problem, code cells to run): a notebook the host cannot even read as nbformat-4
    JSON is not run."""
    try:
        document = read_json_no_follow(notebook, INPUT_NOTEBOOK_MAX_BYTES)
    except TooCostlyError as error:
        return 0, f"the notebook is too large to check: {error} (fix: {TOO_COSTLY_FIX})", 0
    except UntrustedFileError as error:
        return 0, f"the notebook cannot be read: {error} (fix: save it again from Jupyter)", 0
    if not isinstance(document, dict) or document.get("nbformat") != 4:
        return (
            0,
            "the notebook is not in nbformat 4 (fix: save it again from Jupyter 4 or later)",
            0,
        )
    cells = document.get("cells")
    count = len(cells) if isinstance(cells, list) else 0
    if count > MAX_NOTEBOOK_CELLS:
        problem = f"{count:,} cells, over the {MAX_NOTEBOOK_CELLS:,} cap"
        return 0, f"the notebook is too large to check: {problem} (fix: {TOO_COSTLY_FIX})", 0
    return (
        notebook.stat().st_size,
        None,
        _code_cells_to_run(cells if isinstance(cells, list) else []),
    )


def _code_cells_to_run(cells: list[Any]) -> int:
    """The cells the runner executes (code, not empty, not tagged skip-execution): the steps of
    the outside clock. Markdown cells are not steps (issue #19)."""
    count = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = (
            "".join(p for p in source if isinstance(p, str)) if isinstance(source, list) else source
        )
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        skipped = isinstance(tags, list) and "skip-execution" in tags
        if isinstance(text, str) and text.strip() and not skipped:
            count += 1
    return count


def build_request(
    notebook_in_work: str,
    *,
    submission_dir: Path,
    extra_files: dict[str, Path],
    data_mount: Path | None,
    limits: SandboxLimits,
    cell_timeout: float,
    output_cap: int,
    token: str,
    cells: int = 1,
    devices: tuple[str, ...] = (),
    data_aliases: tuple[str, ...] = (),
) -> SandboxRequest:
    """The sandbox command: ``inside_execute`` on the copied notebook, results under ``.grader/``;
    the data folder named by ``$GRADER_DATA`` and each of `data_aliases`."""
    runner = f".grader/runner-{token}"
    argv = (
        "python",
        f"{runner}/inside_execute.py",
        notebook_in_work,
        "--out",
        f".grader/executed-{token}.ipynb",
        "--status",
        f".grader/status-{token}.json",
        "--cell-timeout",
        f"{cell_timeout:g}",
        "--output-cap",
        str(output_cap),
    )
    mounts = (ReadOnlyMount(data_mount, DATA_MOUNT_POINT),) if data_mount is not None else ()
    names = (DATA_VARIABLE, *data_aliases)
    env = {name: DATA_MOUNT_POINT for name in names} if data_mount is not None else {}
    here = Path(__file__).parent
    return SandboxRequest(
        argv=argv,
        work_files=submission_dir,
        extra_files={
            **extra_files,
            **{f"{runner}/{name}": here / name for name in INSIDE_MODULES},
        },
        mounts=mounts,
        env=env,
        # Only the two result files of this run: anything else a notebook leaves in
        # .grader/ stays in the sandbox instead of costing host disk.
        collect=(
            "artifacts/*.pt",
            f".grader/executed-{token}.ipynb",
            f".grader/status-{token}.json",
        ),
        limits=limits,
        # The cell timeout again, kept by the sandbox's driver where the cell's code cannot
        # reach it; later than the runner's own (SIGALRM, then its watchdog thread), which
        # records the cell's outputs and error when it still works.
        steps=StepTimeout(cell_timeout + OUTSIDE_TIMEOUT_SLACK_SECONDS, max(cells, 1)),
        devices=devices,
    )


def collected_artifacts(collected: dict[str, Path]) -> dict[str, Path]:
    """Model id -> host path for each collected ``artifacts/<id>.pt`` that is a regular file."""
    artifacts: dict[str, Path] = {}
    for relative, host_path in sorted(collected.items()):
        match = MODEL_ID.match(relative)
        if match is None:
            continue
        try:
            mode = host_path.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode):  # never a symlink, even if one slipped through
            artifacts[match.group(1)] = host_path
    return artifacts


def _artifact_problems(problems: tuple[str, ...], shown: int = 2) -> str:
    """'; artifacts/x.pt is a symlink: not collected' for the report (other files are not news)."""
    about_artifacts = [problem for problem in problems if problem.startswith("artifacts/")]
    if not about_artifacts:
        return ""
    more = len(about_artifacts) - shown
    return "; " + "; ".join(about_artifacts[:shown]) + (f"; and {more} more" if more > 0 else "")


def _cell_label(index: int | None, notebook: dict[str, Any] | None) -> str:
    """'cell 8 (In [5])': 1-based position among all cells, plus the execution count shown."""
    if index is None:
        return "an unknown cell"
    label = f"cell {index + 1}"
    cells = notebook.get("cells", []) if notebook else []
    if index < len(cells) and isinstance(cells[index].get("execution_count"), int):
        label += f" (In [{cells[index]['execution_count']}])"
    return label


def _first_line(text: str | None, limit: int = 200) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0][:limit] if lines else ""


def classify(
    result: SandboxResult,
    status: InsideStatus | None,
    status_problem: str | None,
    notebook: dict[str, Any] | None,
    cell_timeout: float,
    quota: str | None = None,
) -> tuple[NotebookRunStatus, str, int | None]:
    """(status, one-line message, failed cell) from the sandbox's result and the runner's status.

    `quota` (the sandbox's memory limit or "disk quota of the sandbox exceeded: /work
    (128 MiB) is full") blames a run that did not end well on the limit the student hit:
    the cell's ENOSPC, a runner the kernel killed for memory, or one that could no longer
    save its status, is then no "notebook ended early".
    """
    if status is not None and status.unreadable is not None:
        return (
            NotebookRunStatus.ERROR,
            f"the notebook could not be read: {status.unreadable}",
            None,
        )
    running = status.running_cell if status is not None else None
    if result.timed_out:
        where = f" in {_cell_label(running, notebook)}" if running is not None else ""
        return (
            NotebookRunStatus.TIMEOUT,
            f"the notebook ran past its time limit{where}",
            running,
        )
    if status is not None and status.timed_out_cell is not None:
        cell = status.timed_out_cell
        message = f"{_cell_label(cell, notebook)} ran past its {cell_timeout:g} s timeout"
        return NotebookRunStatus.TIMEOUT, message, cell
    if result.step_timed_out is not None:  # stopped by the driver: the cell beat the runner
        cell = result.step_timed_out
        cells = notebook.get("cells", []) if notebook else []
        is_code_cell = (
            0 <= cell < len(cells)
            and isinstance(cells[cell], dict)
            and cells[cell].get("cell_type") == "code"
        )
        if cells and not is_code_cell:  # announced by the cell's own code: a forgery
            where = f" in {_cell_label(running, notebook)}" if running is not None else ""
            message = (
                f"the notebook's cells ran past their time{where}: a cell announced a cell "
                f"{cell + 1} the notebook does not have (stopped from outside the notebook's "
                "process)"
            )
            return NotebookRunStatus.TIMEOUT, message, running
        message = (
            f"{_cell_label(cell, notebook)} ran past its {cell_timeout:g} s timeout "
            "(stopped from outside the notebook's process)"
        )
        return NotebookRunStatus.TIMEOUT, message, cell
    ended_well = (
        status is not None
        and status.finished
        and status.failed_cell is None
        and result.returncode == 0
        and not result.killed_reason
    )
    if quota is not None and not ended_well:
        failed = status.failed_cell if status is not None else None
        blamed = failed if failed is not None else running
        where = f" in {_cell_label(blamed, notebook)}" if blamed is not None else ""
        return NotebookRunStatus.KILLED, f"{quota}{where}", blamed
    if result.killed_reason:
        where = f" in {_cell_label(running, notebook)}" if running is not None else ""
        return (
            NotebookRunStatus.KILLED,
            f"the notebook was stopped{where}: {_first_line(result.killed_reason)}",
            running,
        )
    if status is None:
        why = status_problem or "no status file"
        output_lines = result.output.strip().splitlines()
        suffix = f"; last output: {output_lines[-1][:200]}" if output_lines else ""
        return (
            NotebookRunStatus.SANDBOX_ERROR,
            f"the notebook runner left no usable status ({why}, exit code {result.returncode}){suffix}",
            None,
        )
    if status.failed_cell is not None:
        error = ": ".join(
            part for part in (status.error_name, _first_line(status.error_value)) if part
        )
        return (
            NotebookRunStatus.ERROR,
            f"{_cell_label(status.failed_cell, notebook)} failed: {error or 'an unnamed error'}",
            status.failed_cell,
        )
    if not status.finished or result.returncode != 0:
        where = _cell_label(running, notebook) if running is not None else "between cells"
        return (
            NotebookRunStatus.KILLED,
            f"the notebook process ended early in {where} (exit code {result.returncode})",
            running,
        )
    return (
        NotebookRunStatus.OK,
        f"ran {status.cells_run} of {status.cells_total} code cells in {status.seconds:.1f} s",
        None,
    )


def _read_executed_notebook(
    path: Path | None, max_bytes: int, out_dir: Path
) -> tuple[dict[str, Any] | None, Path | None, str | None]:
    """(sanitised notebook, host path of the clean copy, problem)."""
    if path is None:
        return None, None, "no executed notebook came back"
    try:
        notebook = sanitize_notebook(read_json_no_follow(path, max_bytes))
    except UntrustedFileError as error:
        return None, None, f"executed notebook unusable: {error}"
    clean_path = out_dir / "executed.ipynb"
    with clean_path.open("w", encoding="utf-8") as handle:  # streamed, compact: no second copy
        json.dump(notebook, handle, ensure_ascii=False, separators=(",", ":"))
    return notebook, clean_path, None


def execute_notebook(
    notebook: Path,
    *,
    submission_dir: Path,
    sandbox: Sandbox,
    data_mount: Path | None,
    limits: SandboxLimits,
    cell_timeout: float,
    out_dir: Path,
    output_cap: int = DEFAULT_OUTPUT_CAP,
    devices: tuple[str, ...] = (),
    data_aliases: tuple[str, ...] = (),
) -> NotebookRun:
    """Run `notebook` (normally inside `submission_dir`) in `sandbox`; describe the run, never raise for it."""
    if cell_timeout <= 0 or output_cap <= 0:
        raise ValueError("cell_timeout and output_cap must be positive")
    out_dir.mkdir(parents=True, exist_ok=True)
    notebook_size, problem, cell_count = precheck_notebook(notebook)
    if problem is not None:  # the file itself, not a cell: like a broken written file
        return NotebookRun(status=NotebookRunStatus.UNREADABLE, message=problem)
    # Result names are new per run, so files the student submitted under .grader/ are never read.
    token = secrets.token_hex(8)
    try:
        in_work = notebook.resolve().relative_to(submission_dir.resolve()).as_posix()
        extra_files: dict[str, Path] = {}
    except ValueError:  # a notebook from elsewhere still runs with the submission as its cwd
        in_work = f".notebook-{token}.ipynb"
        extra_files = {in_work: notebook}
    request = build_request(
        in_work,
        submission_dir=submission_dir,
        extra_files=extra_files,
        data_mount=data_mount,
        limits=limits,
        cell_timeout=cell_timeout,
        output_cap=output_cap,
        token=token,
        cells=cell_count,
        devices=devices,
        data_aliases=data_aliases,
    )
    try:
        result = sandbox.run(request, out_dir / "sandbox")
    except SandboxUnavailable as error:
        return NotebookRun(
            status=NotebookRunStatus.SANDBOX_ERROR, message=f"not run: {error.one_line()}"
        )
    status: InsideStatus | None = None
    status_problem: str | None = None
    status_path = result.collected.get(f".grader/status-{token}.json")
    if status_path is None:
        status_problem = "no status file came back"
    else:
        try:
            status = parse_status(read_json_no_follow(status_path, STATUS_MAX_BYTES))
        except UntrustedFileError as error:
            status_problem = f"status file unusable: {error}"
    executed, executed_path, notebook_problem = _read_executed_notebook(
        result.collected.get(f".grader/executed-{token}.ipynb"),
        notebook_size + 2 * output_cap + EXECUTED_NOTEBOOK_SLACK,
        out_dir,
    )
    run_status, message, failed_cell = classify(
        result,
        status,
        status_problem,
        executed,
        cell_timeout,
        quota=result.limit_message(limits),
    )
    if notebook_problem is not None and run_status is not NotebookRunStatus.SANDBOX_ERROR:
        message += f" ({notebook_problem})"
    message += _artifact_problems(result.collect_problems)
    has_error = status is not None and run_status in (
        NotebookRunStatus.ERROR,
        NotebookRunStatus.TIMEOUT,
        NotebookRunStatus.KILLED,
    )
    return NotebookRun(
        status=run_status,
        message=message,
        failed_cell=failed_cell,
        error_name=status.error_name if has_error and status else None,
        error_value=status.error_value if has_error and status else None,
        traceback=status.traceback if has_error and status else "",
        artifacts=collected_artifacts(result.collected),
        executed_notebook=executed,
        executed_notebook_path=executed_path,
        output_tail=result.output[-OUTPUT_TAIL_CHARS:],
        wall_seconds=result.wall_seconds,
    )
