"""Benchmark: what one submitted notebook can cost the grader's own process (issue #19).

A notebook is read on the host twice: before it runs (`precheck_notebook`, the submission) and
after (`_read_executed_notebook`, what came back from the sandbox, sanitised and written out
compact). Each case runs in a fresh Python process and prints that process's peak memory
(tracemalloc: every allocation of the Python heap, where a JSON parse lands), for: an honest homework notebook, and
notebooks just under the 64 MiB input cap made of numbers (the attack of #19), of strings, of
empty objects, and of one long string. "without the value count" repeats the numbers case with
the count of JSON values switched off, which is what the host paid before.

    .venv/bin/python benchmarks/bench_notebook_memory.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 61 * 2**20  # the attack's size, under INPUT_NOTEBOOK_MAX_BYTES (64 MiB)

PROBE = """
import json, sys, tracemalloc
from pathlib import Path
import grader.notebooks.untrusted as untrusted
from grader.notebooks.execute import _read_executed_notebook, precheck_notebook
if sys.argv[2] == "off":
    untrusted.MAX_JSON_VALUES = 10**12
path = Path(sys.argv[1])
tracemalloc.start()
_, problem, _ = precheck_notebook(path)
_, _, back = _read_executed_notebook(path, 64 * 2**20, Path(sys.argv[3]))
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({"peak_mib": peak / 2**20, "problem": problem or back}))
"""


def notebook_with(cell_outputs: str) -> bytes:
    head = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", '
    head += '"metadata": {}, "source": "x", "execution_count": 1, "outputs": [{"output_type": '
    head += '"execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": "x"}, '
    return (head + f'"extra": {cell_outputs}' + "}]}]}").encode()


def filled(item: str, separator: str = ",") -> str:
    count = TARGET // (len(item) + len(separator))
    return "[" + separator.join([item] * count) + "]"


CASES = {
    "honest (HW4 master p2, 25 cells)": (ROOT / "reference/hw4/p2_cifar10.ipynb").read_bytes(),
    "61 MiB of numbers": notebook_with(filled("1.5")),
    "61 MiB of short strings": notebook_with(filled('"a"')),
    "61 MiB of empty objects": notebook_with(filled("{}")),
    "61 MiB in one string": notebook_with(json.dumps("a" * TARGET)),
}


def measure(path: Path, values: str, scratch: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), values, str(scratch)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"command: cd {ROOT} && {Path(sys.executable).name} benchmarks/bench_notebook_memory.py")
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        for label, data in CASES.items():
            path = scratch / "nb.ipynb"
            path.write_bytes(data)
            runs = [("", "on")] + (
                [(" (without the value count)", "off")] if "numbers" in label else []
            )
            for suffix, values in runs:
                found = measure(path, values, scratch)
                said = found["problem"] or "read and written back"
                print(
                    f"{label}{suffix}: {len(data) / 2**20:.1f} MiB file, "
                    f"peak {found['peak_mib']:.0f} MiB of Python heap while read; {said}"
                )


if __name__ == "__main__":
    main()
