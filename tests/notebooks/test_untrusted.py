"""Reading what came out of the sandbox: caps, symlinks, JSON shape and field types."""

from __future__ import annotations

import json
import os

import pytest

from grader.notebooks.untrusted import (
    UntrustedFileError,
    parse_status,
    read_json_no_follow,
    sanitize_notebook,
)

GOOD_STATUS = {
    "cells_total": 3,
    "cells_run": 2,
    "running_cell": None,
    "failed_cell": 1,
    "ename": "ZeroDivisionError",
    "evalue": "division by zero",
    "traceback": ["\x1b[31mZeroDivisionError\x1b[0m", "Cell In[2], line 1"],
    "timed_out_cell": None,
    "seconds": 0.5,
    "output_dropped_bytes": 0,
    "finished": True,
}


def test_a_symlink_is_never_followed(tmp_path):
    secret = tmp_path / "labels.json"
    secret.write_text('{"labels": [1, 0]}')
    link = tmp_path / "status.json"
    link.symlink_to(secret)
    with pytest.raises(UntrustedFileError, match="cannot open"):
        read_json_no_follow(link, 1000)


def test_size_cap_and_non_json_and_deep_nesting_are_refused(tmp_path):
    path = tmp_path / "status.json"
    path.write_text(json.dumps({"x": "y" * 100}))
    with pytest.raises(UntrustedFileError, match="cap"):
        read_json_no_follow(path, 50)
    path.write_bytes(b"\x80\x81 not json")
    with pytest.raises(UntrustedFileError, match="not valid JSON"):
        read_json_no_follow(path, 1000)
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(UntrustedFileError, match="not valid JSON"):
        read_json_no_follow(path, 10**6)


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "status.json"
    os.mkfifo(fifo)
    with pytest.raises(UntrustedFileError, match="not a regular file"):
        read_json_no_follow(fifo, 1000)


def test_status_fields_are_typed_and_the_traceback_joined_without_colours():
    status = parse_status(GOOD_STATUS)
    assert status.failed_cell == 1
    assert status.error_name == "ZeroDivisionError"
    assert status.traceback == "ZeroDivisionError\nCell In[2], line 1"


@pytest.mark.parametrize(
    "change",
    [
        {"finished": "yes"},
        {"failed_cell": -1},
        {"failed_cell": True},
        {"cells_run": "2"},
        {"traceback": "not a list"},
        {"traceback": [1, 2]},
        {"ename": ["list"]},
        {"seconds": "fast"},
        {"output_dropped_bytes": -5},
    ],
)
def test_a_status_with_a_wrong_type_is_refused(change):
    with pytest.raises(UntrustedFileError):
        parse_status({**GOOD_STATUS, **change})


def test_status_is_refused_when_not_an_object():
    with pytest.raises(UntrustedFileError):
        parse_status(["finished"])


def test_sanitize_keeps_known_shapes_and_joins_multiline_text():
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3"}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "text"]},
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "source": "print(1)",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["1\n", "2\n"]},
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "data": {"text/plain": ["a", "b"], "application/json": {"k": 1}},
                        "metadata": {},
                        "extra": "dropped",
                    },
                ],
            },
        ],
    }
    clean = sanitize_notebook(notebook)
    assert clean["cells"][0]["source"] == "# Title\ntext"
    stream, result = clean["cells"][1]["outputs"]
    assert stream["text"] == "1\n2\n"
    assert result == {
        "output_type": "execute_result",
        "data": {"text/plain": "ab", "application/json": {"k": 1}},
        "metadata": {},
        "execution_count": 1,
    }


@pytest.mark.parametrize(
    "notebook",
    [
        {"nbformat": 3, "cells": []},
        {"nbformat": 4, "cells": "none"},
        {"nbformat": 4, "cells": [{"cell_type": "code", "outputs": [{"output_type": "x"}]}]},
        {"nbformat": 4, "cells": [{"cell_type": "code", "outputs": [{"output_type": "stream"}]}]},
        {"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]},
        {"nbformat": 4, "cells": [{"cell_type": "code", "outputs": {}}]},
        {
            "nbformat": 4,
            "cells": [
                {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": 1}]}
            ],
        },
    ],
)
def test_a_malformed_executed_notebook_is_refused(notebook):
    with pytest.raises(UntrustedFileError):
        sanitize_notebook(notebook)


# ---- host amplification: what a file costs to parse is bounded before it is parsed ---------

# The peak is read from VmHWM, which belongs to the process's own memory map: ru_maxrss
# survives execve on Linux, so a child of a big pytest process would report the parent's.
PEAK_MEMORY_PROBE = """
import sys
from pathlib import Path
from grader.notebooks.execute import precheck_notebook
size, problem, _ = precheck_notebook(Path(sys.argv[1]))
print(problem)
status = Path("/proc/self/status").read_text()
print(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) // 1024)
"""


def precheck_in_a_subprocess(path) -> tuple[str, int]:
    """(problem, peak MiB of a process that only checked the notebook)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY_PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    problem, peak = done.stdout.splitlines()
    return problem, int(peak)


def test_a_57_mb_notebook_of_empty_objects_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "p1.ipynb"
    path.write_bytes(b'{"nbformat": 4, "cells": [], "x": [' + b"{}," * 19_000_000 + b"{}]}")
    problem, peak_mib = precheck_in_a_subprocess(path)
    assert problem == (
        "the notebook is too large to check: 19,000,004 JSON objects and lists, over the "
        "200,000 cap (fix: clear its outputs (Kernel > Restart & Clear Output), remove "
        "unneeded cells, save it again)"
    )
    assert peak_mib < 400  # parsed, it took 1.5 GB


def test_a_700000_cell_notebook_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "p1.ipynb"
    cell = b'{"cell_type":"markdown","metadata":{},"source":"x"}'
    path.write_bytes(
        b'{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":['
        + b",".join([cell] * 700_000)
        + b"]}"
    )
    problem, peak_mib = precheck_in_a_subprocess(path)
    assert problem.startswith("the notebook is too large to check: 3,500,004 JSON strings, over")
    assert peak_mib < 400  # parsed, it took 930 MB


def test_a_61_mib_notebook_of_numbers_is_refused_before_it_is_parsed(tmp_path):
    """Issue #19: numbers were not counted; a 61 MiB notebook of them took the host to 1.95 GiB."""
    path = tmp_path / "p1.ipynb"
    numbers = b",".join([b"1.5"] * 15_990_000)
    path.write_bytes(b'{"nbformat": 4, "cells": [], "x": [' + numbers + b"]}")
    assert path.stat().st_size > 60 * 10**6
    problem, peak_mib = precheck_in_a_subprocess(path)
    assert problem == (
        "the notebook is too large to check: 15,990,002 JSON values, over the 2,000,000 cap "
        "(fix: clear its outputs (Kernel > Restart & Clear Output), remove unneeded cells, "
        "save it again)"
    )
    assert peak_mib < 400


def test_commas_inside_strings_are_not_values(tmp_path):
    text = json.dumps("a," * 2_500_000)
    path = tmp_path / "p1.ipynb"
    path.write_text('{"nbformat": 4, "cells": [{"cell_type": "code", "source": ' + text + "}]}")
    assert read_json_no_follow(path, 64 * 2**20)["cells"][0]["source"].startswith("a,a,")


def test_millions_of_tiny_strings_are_refused_before_they_are_parsed(tmp_path):
    path = tmp_path / "p1.ipynb"
    path.write_bytes(b'{"nbformat":4,"cells":[],"x":"' + b'","'.join([b"a"] * 3_000_000) + b'"}')
    with pytest.raises(
        UntrustedFileError, match=r"^3,000,003 JSON strings, over the 1,000,000 cap$"
    ):
        read_json_no_follow(path, 64 * 2**20)


def test_braces_inside_strings_are_not_counted(tmp_path):
    # A real notebook printing a big dict: the braces are text, not structure.
    text = json.dumps("{[" * 400_000 + '\\"{' + "\\\\")
    path = tmp_path / "p1.ipynb"
    path.write_text('{"nbformat": 4, "cells": [{"cell_type": "code", "source": ' + text + "}]}")
    document = read_json_no_follow(path, 64 * 2**20)
    assert document["cells"][0]["source"].startswith("{[{[")


def test_an_executed_notebook_with_too_many_cells_is_refused():
    cells = [{"cell_type": "markdown", "source": ""}] * 5_001
    with pytest.raises(UntrustedFileError, match=r"^5,001 cells, over the 5,000 cap$"):
        sanitize_notebook({"nbformat": 4, "cells": cells})


def test_a_notebook_with_too_many_cells_is_not_run(tmp_path):
    from grader.notebooks.execute import precheck_notebook

    path = tmp_path / "p1.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "source": "1", "outputs": []}] * 5_001
    path.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    )
    size, problem, _ = precheck_notebook(path)
    assert (size, problem) == (
        0,
        "the notebook is too large to check: 5,001 cells, over the 5,000 cap (fix: clear its "
        "outputs (Kernel > Restart & Clear Output), remove unneeded cells, save it again)",
    )
