"""Evaluate all of one student's saved models in one sandbox run. Runs INSIDE the sandbox.

Usage: python /runner/inside_evaluate.py --jobs jobs.json --out out/

`jobs.json` lists `{"id", "model", "inputs", "seconds"}` objects. This process imports torch
once (the cost of a sandbox run is mostly that import), then forks one child per model; the
child runs `inside_predict.main` on it, so a model that crashes, hangs or floods its output
costs only its own entry: past `seconds` the child is killed ("timeout"), past
MODEL_OUTPUT_CAP bytes of printing too ("output flood").

The boundary between models (issue #19): this script and `inside_predict.py` are in a
read-only mount (/runner), and so are the models (/models) and the inputs; each child starts
in a fresh, empty folder and writes only its own fresh output folder, which this process
reads into memory as soon as the child is dead, then deletes. After every model it writes
EVERY result so far from memory (`out/<id>/predictions.npy`, `out/<id>/summary.json` and
`out/evaluation.json` as `{id: {"status", "seconds", "detail"}}`), so whatever a model might
have written elsewhere is overwritten, a fact about one model never comes from a place another
model could write, and a run stopped from outside still reports the models it finished.
inside_predict refuses models whose code reads or writes files in the first place.

The parent never runs torch code itself (its thread pools and CUDA stay uninitialised, so a
fork is safe); the device is chosen in each child. Standalone: stdlib, numpy and torch, plus
its sibling `inside_predict.py`; never `grader`. Labels never come here. The host treats
everything this writes as untrusted (a model's code runs in the children).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

MODEL_OUTPUT_CAP = 64 * 1024
#: Bytes of a model's output kept for the report.
OUTPUT_KEPT = 2000
STATUS_FILE = "evaluation.json"
RESULT_FILES = ("predictions.npy", "summary.json")
#: Largest result file kept from a child (predictions of N×K floats, a summary).
MAX_RESULT_BYTES = 256 * 1024 * 1024


def read_jobs(path: Path) -> list[dict[str, Any]]:
    jobs = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(jobs, list):
        raise ValueError("the jobs file must hold a list")
    return jobs


def run_child(job: dict[str, Any], workdir: Path, result: Path, write_fd: int) -> int:
    """In the forked child: output to the pipe, a fresh working folder, then inside_predict on
    this one model, writing into `result` only."""
    os.dup2(write_fd, 1)
    os.dup2(write_fd, 2)
    os.close(write_fd)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    os.chdir(workdir)
    import inside_predict  # type: ignore[import-not-found]

    return int(
        inside_predict.main(
            ["--model", job["model"], "--inputs", job["inputs"], "--out", str(result)]
        )
    )


def fresh_folder(path: Path) -> Path:
    """`path`, emptied: whatever was there (left by an earlier model) is gone."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def take_results(result: Path) -> dict[str, bytes]:
    """The child's result files, read into memory (regular files only, capped)."""
    taken: dict[str, bytes] = {}
    for name in RESULT_FILES:
        path = result / name
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RESULT_BYTES:
                continue
            taken[name] = path.read_bytes()
        except OSError:
            continue
    return taken


def write_all(out: Path, outcomes: dict[str, Any], results: dict[str, dict[str, bytes]]) -> None:
    """Every result so far, from memory, over whatever is on disk."""
    for model_id, files in results.items():
        folder = fresh_folder(out / model_id)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    partial = out / (STATUS_FILE + ".partial")
    fresh_folder(partial).rmdir()  # nothing (a file, a folder, a link) left in its place
    partial.write_text(json.dumps(outcomes, sort_keys=True), encoding="utf-8")
    os.replace(partial, out / STATUS_FILE)


def watch_child(pid: int, read_fd: int, seconds: float) -> tuple[str, str, int | None]:
    """(status, kept output, wait status) of one child: ok/failed/timeout/output flood/crashed."""
    deadline = time.monotonic() + seconds
    output = bytearray()
    received = 0
    status = ""
    open_pipe = True
    while open_pipe:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            status = "timeout"
            break
        ready, _, _ = select.select([read_fd], [], [], min(remaining, 0.5))
        if not ready:
            continue
        data = os.read(read_fd, 65536)
        if not data:
            open_pipe = False
            break
        received += len(data)
        output += data[: max(0, OUTPUT_KEPT - len(output))]
        if received > MODEL_OUTPUT_CAP:
            status = "output flood"
            break
    if status:
        os.kill(pid, signal.SIGKILL)
    remaining = max(0.0, deadline - time.monotonic())
    wait_status = _wait(pid, remaining if not status else 5.0)
    if wait_status is None:  # closed its output but still running: treat as a hang
        os.kill(pid, signal.SIGKILL)
        wait_status = _wait(pid, 5.0)
        status = status or "timeout"
    if not status and wait_status is not None:
        if os.WIFSIGNALED(wait_status):
            status = "crashed"
        else:
            status = "ok" if os.waitstatus_to_exitcode(wait_status) == 0 else "failed"
    return status or "crashed", output.decode("utf-8", errors="replace"), wait_status


def _wait(pid: int, seconds: float) -> int | None:
    deadline = time.monotonic() + seconds
    while True:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if done:
            return wait_status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def evaluate(job: dict[str, Any], scratch: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Run one model in a child; (what the child did, its result files)."""
    workdir = fresh_folder(scratch / "cwd")
    result = fresh_folder(scratch / "result")
    read_fd, write_fd = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            os.close(read_fd)
            code = run_child(job, workdir, result, write_fd)
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        status, output, wait_status = watch_child(pid, read_fd, float(job["seconds"]))
    finally:
        os.close(read_fd)
    detail = ""
    if status == "crashed" and wait_status is not None and os.WIFSIGNALED(wait_status):
        detail = signal.Signals(os.WTERMSIG(wait_status)).name
    files = take_results(result)  # the child is dead: nothing changes them any more
    shutil.rmtree(scratch, ignore_errors=True)
    outcome = {
        "status": status,
        "seconds": round(time.perf_counter() - started, 4),
        "detail": detail,
        "output": output,
    }
    return outcome, files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    args.out.mkdir(parents=True, exist_ok=True)
    import torch  # noqa: F401  (once, before the forks: the children share it)

    jobs = read_jobs(args.jobs)  # read before any model runs
    scratch = Path.cwd() / "scratch"
    outcomes: dict[str, Any] = {}
    results: dict[str, dict[str, bytes]] = {}
    for job in jobs:
        model_id = str(job["id"])
        outcomes[model_id], results[model_id] = evaluate(job, scratch)
        write_all(args.out, outcomes, results)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)
