"""Notebooks executed for real in the sandbox: outputs, figures, magics, errors, timeouts, caps, artifacts."""

from __future__ import annotations

import base64
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from grader.notebooks.execute import execute_notebook
from grader.notebooks.untrusted import strip_ansi
from grader.sandbox import SandboxLimits
from tests.notebooks.conftest import write_notebook

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


def normalize_output(output: dict[str, Any]) -> dict[str, Any]:
    """Like nbclient's normalize_output: no metadata or counts, images and tracebacks reduced."""
    normalized = {
        key: value for key, value in output.items() if key not in ("metadata", "execution_count")
    }
    if "data" in normalized:
        normalized["data"] = {
            mime: "<IMAGE>" if mime in IMAGE_TYPES else value
            for mime, value in normalized["data"].items()
        }
    if "traceback" in normalized:
        normalized["traceback"] = [strip_ansi(line) for line in normalized["traceback"]]
    return normalized


def code_outputs(notebook: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    return {
        index: [normalize_output(output) for output in cell["outputs"]]
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code"
    }


def stream(name: str, text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": text}


def result(text: str, **more: str) -> dict[str, Any]:
    return {"output_type": "execute_result", "data": {"text/plain": text, **more}}


def display(text: str, **more: str) -> dict[str, Any]:
    return {"output_type": "display_data", "data": {"text/plain": text, **more}}


def test_outputs_figures_magics_and_the_first_error_as_jupyter_saves_them(run_notebook):
    run = run_notebook(
        "import numpy as np\nx = np.arange(10)\nprint('sum', x.sum())",
        "x.mean()",
        "%time total = sum(range(1000))\nimport sys\nprint('to stderr', file=sys.stderr)\ntotal",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.title('loss')",
        "%matplotlib inline\nfig, ax = plt.subplots()\nax.imshow(np.eye(4))\nplt.show()",
        "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))\n_3",
        "!echo from-shell",
        "1 / 0",
        "print('never runs')",
        markdown="# p1: cats vs dogs",
    )
    assert run.status == "error", run.message
    assert run.message == "cell 9 (In [8]) failed: ZeroDivisionError: division by zero"
    assert (run.failed_cell, run.error_name, run.error_value) == (
        8,
        "ZeroDivisionError",
        "division by zero",
    )
    assert "----> 1 1 / 0" in run.traceback
    assert run.executed_notebook is not None
    nbformat.validate(nbformat.from_dict(run.executed_notebook))
    outputs = code_outputs(run.executed_notebook)
    timing = outputs[3].pop(0)
    assert re.fullmatch(r"CPU times: .*\nWall time: .*\n", timing["text"]), timing
    figure = display("<Figure size 640x480 with 1 Axes>", **{"image/png": "<IMAGE>"})
    assert outputs == {
        1: [stream("stdout", "sum 45\n")],
        2: [result("np.float64(4.5)")],
        3: [stream("stderr", "to stderr\n"), result("499500")],
        4: [result("Text(0.5, 1.0, 'loss')"), figure],
        5: [figure],
        6: [
            display("<IPython.core.display.HTML object>", **{"text/html": "<b>bold</b>"}),
            result("499500"),
        ],
        7: [stream("stdout", "from-shell\n")],
        8: [
            {
                "output_type": "error",
                "ename": "ZeroDivisionError",
                "evalue": "division by zero",
                "traceback": outputs[8][0]["traceback"],
            }
        ],
        9: [],
    }
    cells = run.executed_notebook["cells"]
    png = cells[4]["outputs"][1]["data"]["image/png"]
    assert base64.b64decode(png).startswith(b"\x89PNG\r\n")
    assert [cell.get("execution_count") for cell in cells] == [None, 1, 2, 3, 4, 5, 6, 7, 8, None]
    assert run.executed_notebook_path is not None
    assert json.loads(run.executed_notebook_path.read_text()) == run.executed_notebook


def test_a_clean_run_is_ok_and_brings_back_its_artifacts(run_notebook):
    run = run_notebook(
        "import numpy as np\nx = np.arange(100).reshape(10, 10)\nassert x.sum() == 4950\nx.sum()",
        "import os\nos.makedirs('artifacts', exist_ok=True)\n"
        "open('artifacts/p1.scratch.pt', 'wb').write(b'torchscript bytes')",
    )
    assert run.status == "ok", run.message
    assert re.fullmatch(r"ran 2 of 2 code cells in \d+\.\d s", run.message)
    assert (run.failed_cell, run.error_name, run.traceback) == (None, None, "")
    assert code_outputs(run.executed_notebook)[0] == [result("np.int64(4950)")]
    assert run.artifacts["p1.scratch"].read_bytes() == b"torchscript bytes"
    assert run.wall_seconds > 0


def test_a_cell_timeout_names_the_cell_and_keeps_artifacts_saved_before_it_but_no_symlink(
    run_notebook,
):
    run = run_notebook(
        "import os\nos.makedirs('artifacts', exist_ok=True)\n"
        "with open('artifacts/p1.scratch.pt', 'wb') as f:\n    f.write(b'model')\n"
        "os.symlink('/etc/hostname', 'artifacts/p1.transfer.pt')\n"
        "os.symlink('p1.scratch.pt', 'artifacts/p2.baseline.pt')",
        "import time\nprint('training')\ntime.sleep(30)",
        "print('never runs')",
        cell_timeout=1,
    )
    assert run.status == "timeout", run.message
    assert run.message == (
        "cell 2 (In [2]) ran past its 1 s timeout"
        "; artifacts/p1.transfer.pt is a symlink: not collected"
        "; artifacts/p2.baseline.pt is a symlink: not collected"
    )
    assert (run.failed_cell, run.error_name) == (1, "CellTimeout")
    assert set(run.artifacts) == {"p1.scratch"}
    assert run.artifacts["p1.scratch"].read_bytes() == b"model"
    outputs = code_outputs(run.executed_notebook)
    assert outputs[1][0] == stream("stdout", "training\n")
    assert outputs[1][1]["ename"] == "CellTimeout"
    assert outputs[2] == []


def test_a_cell_that_swallows_its_timeout_is_stopped_by_the_watchdog(run_notebook):
    run = run_notebook(
        "print('before')",
        "import time\nwhile True:\n    try:\n        time.sleep(5)\n    except BaseException:\n        pass",
        cell_timeout=0.5,
    )
    assert run.status == "timeout", run.message
    assert run.failed_cell == 1
    assert run.error_name == "CellTimeout"
    assert code_outputs(run.executed_notebook)[0] == [stream("stdout", "before\n")]


def test_the_notebook_wall_clock_stops_a_run_and_keeps_what_finished(run_notebook):
    run = run_notebook(
        "print('started')",
        "import time\ntime.sleep(60)",
        cell_timeout=60,
        limits=SandboxLimits(wall_seconds=2, grace_seconds=10),
    )
    assert run.status == "timeout", run.message
    assert run.message == "the notebook ran past its time limit in cell 2"
    assert run.failed_cell == 1
    assert code_outputs(run.executed_notebook)[0] == [stream("stdout", "started\n")]


def test_an_output_flood_keeps_head_and_tail_and_later_cells_keep_their_output(run_notebook):
    run = run_notebook(
        "for i in range(100_000):\n    print('line', i)",
        "print('test accuracy', 0.91)",
        output_cap=8000,
    )
    assert run.status == "ok", run.message
    flood, accuracy = code_outputs(run.executed_notebook).values()
    (text,) = (output["text"] for output in flood)
    assert text.startswith("line 0\nline 1\n")
    assert re.search(r"\n\[\.\.\. [\d,]+ bytes of output omitted by the grader \.\.\.\]\n", text)
    assert text.endswith("line 99998\nline 99999\n")
    assert len(text) < 2200
    assert accuracy == [stream("stdout", "test accuracy 0.91\n")]


def test_an_interpreter_crash_is_killed_and_keeps_the_artifacts_saved_before_it(run_notebook):
    run = run_notebook(
        "import os\nos.makedirs('artifacts', exist_ok=True)\n"
        "open('artifacts/p1.scratch.pt', 'wb').write(b'model')",
        "import ctypes\nctypes.string_at(0)",
        "print('never runs')",
    )
    assert run.status == "killed", run.message
    assert (
        run.message == "the notebook was stopped in cell 2: killed by SIGSEGV (segmentation fault)"
    )
    assert run.failed_cell == 1
    assert set(run.artifacts) == {"p1.scratch"}


def test_a_notebook_that_exits_its_process_is_reported_as_ended_early(run_notebook):
    run = run_notebook("print('a')", "import os\nos._exit(7)", "print('never runs')")
    assert run.status == "killed", run.message
    assert run.message == "the notebook process ended early in cell 2 (exit code 7)"
    assert code_outputs(run.executed_notebook) == {0: [stream("stdout", "a\n")], 1: [], 2: []}


def test_results_submitted_under_dot_grader_are_never_read(run_notebook):
    forged = {"finished": True, "cells_total": 1, "cells_run": 1, "failed_cell": None}
    run = run_notebook(
        "1 / 0",
        files={
            ".grader/status.json": json.dumps(forged).encode(),
            ".grader/executed.ipynb": b"{}",
        },
    )
    assert run.status == "error", run.message
    assert run.error_name == "ZeroDivisionError"


def test_a_notebook_that_is_not_json_is_an_error_before_anything_runs(sandbox, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "p1_cats_dogs.ipynb").write_text("{ not json")
    run = execute_notebook(
        submission / "p1_cats_dogs.ipynb",
        submission_dir=submission,
        sandbox=sandbox,
        data_mount=None,
        limits=SandboxLimits(),
        cell_timeout=10,
        out_dir=tmp_path / "out",
    )
    assert run.status == "unreadable"  # the file, not a cell: a person is told (issue #19)
    assert run.message.startswith("the notebook cannot be read: not valid JSON")
    assert run.executed_notebook is None


def test_training_data_is_mounted_read_only_at_grader_data_and_its_aliases(sandbox, tmp_path):
    # The sandbox uid must be able to read the data: pytest's tmp_path is private to root.
    data = Path(tempfile.mkdtemp(prefix="hw4-data-"))
    try:
        data.chmod(0o755)
        (data / "cifar10").mkdir(mode=0o755)
        (data / "cifar10" / "batches.meta").write_text("labels")
        (data / "cifar10" / "batches.meta").chmod(0o644)
        submission = tmp_path / "submission"
        notebook = write_notebook(
            submission,
            "p2_cifar10.ipynb",
            "import os\nroot = os.environ['GRADER_DATA']\n"
            "assert os.environ['HW4_DATA'] == root and 'OTHER_DATA' not in os.environ\n"
            "print(root, open(os.path.join(root, 'cifar10', 'batches.meta')).read())",
            "open(os.path.join(root, 'cifar10', 'new'), 'w')",
        )
        run = execute_notebook(
            notebook,
            submission_dir=submission,
            sandbox=sandbox,
            data_mount=data,
            limits=SandboxLimits(wall_seconds=60, grace_seconds=10),
            cell_timeout=20,
            out_dir=tmp_path / "out",
            data_aliases=("HW4_DATA",),  # a rubric's [notebooks] data_aliases
        )
    finally:
        shutil.rmtree(data)
    assert code_outputs(run.executed_notebook)[0] == [stream("stdout", "/data labels\n")]
    assert (run.status, run.failed_cell, run.error_name) == ("error", 1, "OSError")
    assert "Read-only file system" in run.error_value
