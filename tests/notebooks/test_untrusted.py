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
