"""Execute one student notebook, in this process, and write what happened. Runs INSIDE the sandbox.

    python .grader/runner-TOKEN/inside_execute.py NOTEBOOK --out .grader/executed.ipynb \
        --status .grader/status.json --cell-timeout S --output-cap BYTES

(The host copies this file and ``inside_capture.py`` into /work for each run: the kernel
environment holds no grader package for a notebook to import.)

Job: run every code cell in order in an in-process IPython ``InteractiveShell``
with notebook semantics (rich display data, inline matplotlib figures,
magics, ``!`` shell lines, ``_``/``Out`` history, error outputs with ename,
evalue and traceback), stop at the first failing cell (nbclient's default;
cells tagged ``raises-exception`` may fail, ``skip-execution`` are skipped),
time every cell out, and write the executed notebook (outputs capped) and a
small ``status.json``. Both files are rewritten atomically after every cell,
so a hard kill still leaves the state as of the last finished cell.

Why in-process and not nbclient + ipykernel: chosen by measurement. Median
wall time per notebook on the 2-core grading machine, in the sandbox: a
trivial numpy notebook 0.21 s in-process against 0.89 s with a kernel that is
killed rather than shut down (1.12 s with nbclient's graceful shutdown; bare
``python -c "import numpy"`` 0.15 s); an ``import torch`` notebook 1.11 s
against 1.89 s (2.73 s graceful; bare ``import torch`` 1.34 s, slower than
us because we skip interpreter teardown). The kernel's start, ZeroMQ
handshake and messaging are the difference; the sandbox is disposable, so
nothing needs a kernel's isolation from its client. Semantics kept: the
shell is IPython's own, only its display hook, display publisher and
traceback display are redirected into the recorder.

What it must not do: import anything of the grader but its sibling
``inside_capture`` (this runs in the kernel environment next to the student's
code: only the standard library and the IPython/matplotlib stack; no
nbformat, whose import is slow and whose validator is not needed here), load IPython profiles, startup
files or config from the submission or the home directory, or trust the
student's own saved outputs (every code cell's outputs are cleared first).

Trust: student code runs in this very interpreter and can tamper with all
of this (patch the recorder, forge ``status.json``, rewrite the executed
notebook). That is accepted: the host treats every file written here as
untrusted input, parses it defensively, and measures accuracy itself in a
separate sandboxed process. The sandbox, not this script, is the boundary.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

if __package__:  # imported on the host (tests)
    from grader.notebooks.inside_capture import OutputRecorder
else:  # run as a script inside the sandbox, its sibling copied in beside it
    from inside_capture import OutputRecorder  # type: ignore[import-not-found,no-redef]

# matplotlib's inline backend: what ipykernel sets so figures become image/png outputs.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Past the per-cell timeout, SIGALRM raises in the cell; if the cell swallows that (bare
# except) or is stuck in C code, a watchdog thread writes the state and exits this much later.
WATCHDOG_GRACE_SECONDS = 3.0
EXIT_OK, EXIT_CELL_FAILED, EXIT_TIMEOUT, EXIT_UNREADABLE = 0, 1, 2, 3


class CellTimeout(BaseException):
    """Raised in the running cell when its time is up (BaseException: `except Exception` can't eat it)."""


def read_notebook(path: Path) -> dict[str, Any]:
    """Read an nbformat-4 notebook as plain JSON (nbformat's validator is not needed here)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
        raise ValueError("not an nbformat 4 notebook (save it with Jupyter 4 or later)")
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise ValueError("the notebook has no list of cells")
    return notebook


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def cell_tags(cell: dict[str, Any]) -> set[str]:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return {tag for tag in tags if isinstance(tag, str)} if isinstance(tags, list) else set()


def write_json_atomically(path: Path, document: object) -> None:
    """Write then rename, so a kill mid-write leaves the previous complete file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=repr), "utf-8")
    os.replace(partial, path)


class RecorderStream(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` replacement that feeds the recorder."""

    def __init__(self, recorder: OutputRecorder, name: str) -> None:
        super().__init__()
        self._recorder = recorder
        self._name = name

    # A plain class attribute: typeshed declares TextIOBase.encoding a writable str.
    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._recorder.stream(self._name, text)
        return len(text)

    def fileno(self) -> int:
        # Like ipykernel: code that needs a real descriptor (subprocess, faulthandler) gets the
        # process's own; what goes there lands in the sandbox's captured output, not the notebook.
        original = sys.__stdout__ if self._name == "stdout" else sys.__stderr__
        if original is None:
            raise io.UnsupportedOperation("fileno")
        return original.fileno()


class NotebookRun:
    """One notebook's execution state: which cells ran, which failed or timed out, and the files."""

    def __init__(
        self, notebook: dict[str, Any], *, out: Path, status: Path, recorder: OutputRecorder
    ) -> None:
        self.notebook = notebook
        self.out = out
        self.status_path = status
        self.recorder = recorder
        self.code_cells = [
            index for index, cell in enumerate(notebook["cells"]) if cell.get("cell_type") == "code"
        ]
        self.cells_run = 0
        self.running_cell: int | None = None
        self.failed_cell: int | None = None
        self.timed_out_cell: int | None = None
        self.error: dict[str, Any] | None = None
        self.started = time.monotonic()
        self.write_lock = threading.Lock()

    def status(self, *, finished: bool) -> dict[str, Any]:
        error = self.error or {}
        return {
            "cells_total": len(self.code_cells),
            "cells_run": self.cells_run,
            "running_cell": self.running_cell,
            "failed_cell": self.failed_cell,
            "ename": error.get("ename"),
            "evalue": error.get("evalue"),
            "traceback": error.get("traceback", []),
            "timed_out_cell": self.timed_out_cell,
            "seconds": round(time.monotonic() - self.started, 3),
            "output_dropped_bytes": self.recorder.dropped_bytes,
            "finished": finished,
        }

    def save(self, *, finished: bool, notebook_too: bool = True) -> None:
        with self.write_lock:
            write_json_atomically(self.status_path, self.status(finished=finished))
            if notebook_too:
                write_json_atomically(self.out, self.recorder.snapshot(self.notebook))


class Watchdog(threading.Thread):
    """Backstop for a cell that outlives its timeout: save what is known, then exit the process."""

    def __init__(self, on_expire: Callable[[], None]) -> None:
        super().__init__(name="cell-watchdog", daemon=True)
        self._on_expire = on_expire
        self._condition = threading.Condition()
        self._deadline: float | None = None

    def arm(self, seconds: float) -> None:
        with self._condition:
            self._deadline = time.monotonic() + seconds
            self._condition.notify()

    def disarm(self) -> None:
        with self._condition:
            self._deadline = None
            self._condition.notify()

    def run(self) -> None:
        with self._condition:
            while True:
                if self._deadline is None:
                    self._condition.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
        self._on_expire()


class Progress:
    """Tells the sandbox's driver when each cell starts ("start N"), so that it can keep the
    cell timeout from outside this process, where the cell's code cannot defeat it."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd

    @classmethod
    def from_environment(cls) -> Progress:
        value = os.environ.pop("HW_GRADER_PROGRESS_FD", "")  # the cells need not see it
        if not value.isdigit():
            return cls(None)
        fd = int(value)
        try:  # programs the cells start do not inherit it
            os.set_inheritable(fd, False)
        except OSError:
            return cls(None)
        # The cells run in this process and can still write to it: the driver trusts no
        # announcement beyond moving time between this notebook's own cells.
        return cls(fd)

    def start(self, index: int) -> None:
        if self.fd is None:
            return
        try:
            os.write(self.fd, f"start {index}\n".encode())
        except OSError:
            self.fd = None  # the driver keeps the last deadline it was given


def make_shell(recorder: OutputRecorder, ipython_dir: str) -> Any:
    """An InteractiveShell whose display hook, display publisher and tracebacks feed `recorder`."""
    # Imported here so that `--help` and unreadable notebooks cost no IPython import.
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class RecordingDisplayPublisher(DisplayPublisher):
        def publish(
            self,
            data: dict[str, Any],
            metadata: dict[str, Any] | None = None,
            *args: Any,
            transient: dict[str, Any] | None = None,
            update: bool = False,
            **kwargs: Any,
        ) -> None:
            recorder.display(data, metadata, transient=transient, update=update)

        def clear_output(self, wait: bool = False) -> None:
            recorder.clear_output(wait=wait)

    class RecordingDisplayHook(DisplayHook):
        def write_output_prompt(self) -> None:
            pass

        def write_format_data(
            self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None
        ) -> None:
            recorder.execute_result(format_dict, md_dict, self.prompt_count)

        def finish_displayhook(self) -> None:
            self._is_active = False

    class NotebookShell(InteractiveShell):
        def _showtraceback(self, etype: type, evalue: BaseException, stb: list[str]) -> None:
            recorder.error(getattr(etype, "__name__", str(etype)), str(evalue), stb)

        def enable_gui(self, gui: str | None = None) -> None:
            pass  # no event loop integration in a batch run

    config = Config()
    config.HistoryManager.enabled = False  # no sqlite history file anywhere
    return NotebookShell.instance(
        config=config,
        ipython_dir=ipython_dir,
        colors="nocolor",
        display_pub_class=RecordingDisplayPublisher,
        displayhook_class=RecordingDisplayHook,
    )


def execute(run: NotebookRun, cell_timeout: float, ipython_dir: str) -> int:
    """Run the code cells in order; return the process exit code."""
    recorder = run.recorder
    # Figures become image/png outputs, as in Jupyter, whatever backend the environment names
    # (the sandbox defaults to Agg for non-notebook commands).
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    # A private matplotlib cache: no "not a writable directory" warning in the student's output
    # when $HOME is read-only, and nothing written to the home directory when run unsandboxed.
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(ipython_dir, "matplotlib"))
    sys.stdout = RecorderStream(recorder, "stdout")
    sys.stderr = RecorderStream(recorder, "stderr")
    sys.stdin = io.StringIO("")  # input() raises EOFError: there is nobody to answer
    shell = make_shell(recorder, ipython_dir)

    timed_out = threading.Event()

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        timed_out.set()
        raise CellTimeout(f"the cell ran past its {cell_timeout:g} s timeout")

    def on_watchdog_expired() -> None:
        run.timed_out_cell = run.running_cell
        evalue = f"the cell did not stop within {WATCHDOG_GRACE_SECONDS:g} s after its timeout"
        run.error = {"ename": "CellTimeout", "evalue": evalue, "traceback": []}
        try:
            notebook_too = recorder.lock.acquire(timeout=1.0)  # the cell may hold it forever
            if notebook_too:
                recorder.error("CellTimeout", evalue, [f"CellTimeout: {evalue}"])
                recorder.finish_cell(keep_error=True)
            run.save(finished=True, notebook_too=notebook_too)
        finally:
            if sys.__stderr__ is not None:
                sys.__stderr__.flush()
            os._exit(EXIT_TIMEOUT)

    progress = Progress.from_environment()
    signal.signal(signal.SIGALRM, on_alarm)
    watchdog = Watchdog(on_watchdog_expired)
    watchdog.start()
    run.save(finished=False)
    exit_code = EXIT_OK
    for index in run.code_cells:
        cell = run.notebook["cells"][index]
        source = cell_source(cell)
        tags = cell_tags(cell)
        if not source.strip() or "skip-execution" in tags:
            continue
        run.running_cell = index
        run.save(finished=False, notebook_too=False)
        progress.start(index)
        recorder.start_cell(index)
        timed_out.clear()
        watchdog.arm(cell_timeout + WATCHDOG_GRACE_SECONDS)
        signal.setitimer(signal.ITIMER_REAL, cell_timeout)
        try:
            result = shell.run_cell(source, store_history=True)
            failed = not result.success
        except CellTimeout:  # raised outside the student's code, inside IPython's own
            failed = True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            watchdog.disarm()
        cell["execution_count"] = shell.execution_count - 1
        run.cells_run += 1
        run.running_cell = None
        if timed_out.is_set():
            run.timed_out_cell = index
            run.error = recorder.last_error or {
                "ename": "CellTimeout",
                "evalue": "",
                "traceback": [],
            }
            exit_code = EXIT_TIMEOUT
        elif failed and "raises-exception" not in tags:
            run.failed_cell = index
            run.error = recorder.last_error or {"ename": "Error", "evalue": "", "traceback": []}
            exit_code = EXIT_CELL_FAILED
        recorder.finish_cell(keep_error=exit_code != EXIT_OK)
        if exit_code != EXIT_OK:
            break
        run.save(finished=False)
    run.save(finished=True)
    return exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="executed notebook to write")
    parser.add_argument("--status", type=Path, required=True, help="status JSON to write")
    parser.add_argument("--cell-timeout", type=float, default=600.0, help="seconds per cell")
    parser.add_argument("--output-cap", type=int, default=2_000_000, help="bytes of outputs kept")
    args = parser.parse_args(argv)
    out, status = args.out.absolute(), args.status.absolute()  # the cells may chdir
    out.parent.mkdir(parents=True, exist_ok=True)
    status.parent.mkdir(parents=True, exist_ok=True)
    try:
        notebook = read_notebook(args.notebook)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = f"cannot read the notebook: {error}"
        write_json_atomically(status, {"finished": True, "unreadable": reason[:1000]})
        print(reason, file=sys.stderr)
        return EXIT_UNREADABLE
    recorder = OutputRecorder(args.output_cap)
    recorder.clear_outputs(notebook)
    run = NotebookRun(notebook, out=out, status=status, recorder=recorder)
    with tempfile.TemporaryDirectory(prefix="ipython-") as ipython_dir:
        exit_code = execute(run, args.cell_timeout, ipython_dir)
    return exit_code


if __name__ == "__main__":
    code = main()
    for stream in (sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    # Skip interpreter teardown: threads the student started (non-daemon DataLoader workers,
    # a forgotten server) would otherwise keep this process alive until the sandbox kills it.
    os._exit(code)
