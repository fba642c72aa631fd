"""Read what came out of the sandbox: size-capped JSON, no symlinks, every field type-checked.

Job: turn ``status.json`` and the executed notebook written inside the
sandbox (where student code could have rewritten them) into a validated
``InsideStatus`` and a sanitised nbformat-4 dict, or into ``None`` with a
reason. A file that is too large, not JSON, nested absurdly, too costly to
parse (too many objects, lists or strings: counted before parsing) or of the
wrong shape is refused, never half-trusted.

What it must not do: follow a symlink, read past the cap, unpickle or
evaluate anything, or raise on bad input (it returns a reason instead).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATUS_MAX_BYTES = 1 * 2**20
TRACEBACK_MAX_CHARS = 20_000
EVALUE_MAX_CHARS = 2_000
ENAME_MAX_CHARS = 200
OUTPUT_TYPES = frozenset({"stream", "display_data", "execute_result", "error"})
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_JSON_STRING = re.compile(rb'"[^"]*"')  # after escaped quotes and backslashes are removed
#: What one JSON file from a student may hold before it is parsed (a homework notebook has
#: a few thousand of each; these bound the parse to a few hundred MB whatever the file).
MAX_JSON_CONTAINERS = 200_000
MAX_JSON_STRINGS = 1_000_000
#: Values of any kind (numbers, true/false/null included): json.loads spends 30-40 bytes on
#: each number besides its slot, so 61 MiB of `1,` would cost ~1.5 GB (issue #19).
MAX_JSON_VALUES = 2_000_000
#: Cells one notebook may have (a homework notebook has tens to hundreds).
MAX_NOTEBOOK_CELLS = 5_000


class UntrustedFileError(ValueError):
    """A file from the sandbox cannot be used; the message says why in a few words."""


class TooCostlyError(UntrustedFileError):
    """A file that would cost the host far more than its size to parse or check."""


def json_cost_problem(raw: bytes) -> str | None:
    """Why parsing `raw` would cost the host far more than its size, or None.

    json.loads spends ~80 bytes per object or list, ~50 per string and 30-40 per number:
    57 MB of `{}` cost 1.5 GB, a 700,000-cell notebook 930 MB, 61 MiB of numbers 1.5 GB.
    Counted before parsing, in C-speed passes: first upper bounds (every quote, brace,
    bracket and comma), and only past those the exact count, outside strings (escaped
    backslashes and quotes removed first, then the strings; bounded, since the number of
    strings is capped first). Values are counted by the commas between them.
    """
    if raw.count(b'"') > 2 * MAX_JSON_STRINGS:
        plain = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
        strings = plain.count(b'"') // 2
        if strings > MAX_JSON_STRINGS:
            return f"{strings:,} JSON strings, over the {MAX_JSON_STRINGS:,} cap"
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_CONTAINERS:
        plain = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
        outside_strings = _JSON_STRING.sub(b"", plain)
        containers = outside_strings.count(b"{") + outside_strings.count(b"[")
        if containers > MAX_JSON_CONTAINERS:
            return f"{containers:,} JSON objects and lists, over the {MAX_JSON_CONTAINERS:,} cap"
    if raw.count(b",") > MAX_JSON_VALUES:
        plain = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
        values = _JSON_STRING.sub(b"", plain).count(b",") + 1
        if values > MAX_JSON_VALUES:
            return f"{values:,} JSON values, over the {MAX_JSON_VALUES:,} cap"
    return None


def read_json_no_follow(path: Path, max_bytes: int) -> Any:
    """Parse a regular, non-symlink file of at most `max_bytes` as JSON, if it is cheap to parse."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise UntrustedFileError(f"cannot open it ({error.strerror})") from error
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedFileError("not a regular file")
        if info.st_size > max_bytes:
            raise UntrustedFileError(f"{info.st_size:,} bytes, over the {max_bytes:,} byte cap")
        raw = handle.read(info.st_size + 1)  # not max_bytes: read() allocates what it is asked
    if len(raw) > max_bytes:
        raise UntrustedFileError(f"over the {max_bytes:,} byte cap")
    if (problem := json_cost_problem(raw)) is not None:
        raise TooCostlyError(problem)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise UntrustedFileError(f"not valid JSON ({type(error).__name__})") from error


def strip_ansi(text: str) -> str:
    return _ANSI_ESCAPE.sub("", text)


def _optional_index(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000:
        return value
    raise UntrustedFileError("a cell index is not a small non-negative integer")


def _count(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000:
        return value
    raise UntrustedFileError("a cell count is not a small non-negative integer")


def _text(value: object, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return strip_ansi(value)[:limit]
    raise UntrustedFileError("a text field is not a string")


@dataclass(frozen=True)
class InsideStatus:
    """What ``inside_execute`` reported about the run, checked for types (not for honesty)."""

    finished: bool
    cells_total: int = 0
    cells_run: int = 0
    running_cell: int | None = None
    failed_cell: int | None = None
    timed_out_cell: int | None = None
    error_name: str | None = None
    error_value: str | None = None
    traceback: str = ""
    seconds: float = 0.0
    output_dropped_bytes: int = 0
    unreadable: str | None = None  # the runner could not read the notebook, and why


def parse_status(document: object) -> InsideStatus:
    """Validate the decoded ``status.json``; raise ``UntrustedFileError`` if any field is off."""
    if not isinstance(document, dict):
        raise UntrustedFileError("not a JSON object")
    finished = document.get("finished")
    if not isinstance(finished, bool):
        raise UntrustedFileError("'finished' is not true or false")
    if "unreadable" in document:
        return InsideStatus(finished=True, unreadable=_text(document["unreadable"], 1000) or "")
    traceback = document.get("traceback", [])
    if not isinstance(traceback, list) or not all(isinstance(line, str) for line in traceback):
        raise UntrustedFileError("'traceback' is not a list of strings")
    seconds = document.get("seconds", 0.0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds != seconds:
        raise UntrustedFileError("'seconds' is not a number")
    dropped = document.get("output_dropped_bytes", 0)
    if isinstance(dropped, bool) or not isinstance(dropped, int) or dropped < 0:
        raise UntrustedFileError("'output_dropped_bytes' is not a count")
    return InsideStatus(
        finished=finished,
        cells_total=_count(document.get("cells_total")),
        cells_run=_count(document.get("cells_run")),
        running_cell=_optional_index(document.get("running_cell")),
        failed_cell=_optional_index(document.get("failed_cell")),
        timed_out_cell=_optional_index(document.get("timed_out_cell")),
        error_name=_text(document.get("ename"), ENAME_MAX_CHARS),
        error_value=_text(document.get("evalue"), EVALUE_MAX_CHARS),
        traceback=strip_ansi("\n".join(traceback))[-TRACEBACK_MAX_CHARS:],
        seconds=float(seconds),
        output_dropped_bytes=dropped,
    )


def _multiline(value: object) -> str:
    """nbformat's multiline string: a string or a list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "".join(value)
    raise UntrustedFileError("a text field is neither a string nor a list of strings")


def _mime_bundle(value: object) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise UntrustedFileError("an output's data is not a MIME bundle")
    return {
        mime: data if mime.endswith("json") else _multiline(data) for mime, data in value.items()
    }


def _output(value: object) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("output_type") not in OUTPUT_TYPES:
        raise UntrustedFileError("an output has no known output_type")
    kind = value["output_type"]
    if kind == "stream":
        name = value.get("name")
        if name not in ("stdout", "stderr"):
            raise UntrustedFileError("a stream output is neither stdout nor stderr")
        return {"output_type": kind, "name": name, "text": _multiline(value.get("text", ""))}
    if kind == "error":
        traceback = value.get("traceback", [])
        if not isinstance(traceback, list) or not all(isinstance(line, str) for line in traceback):
            raise UntrustedFileError("an error output's traceback is not a list of strings")
        return {
            "output_type": kind,
            "ename": _text(value.get("ename"), ENAME_MAX_CHARS) or "",
            "evalue": _text(value.get("evalue"), EVALUE_MAX_CHARS) or "",
            "traceback": traceback,
        }
    metadata = value.get("metadata", {})
    output: dict[str, Any] = {
        "output_type": kind,
        "data": _mime_bundle(value.get("data", {})),
        "metadata": metadata if isinstance(metadata, dict) else {},
    }
    if kind == "execute_result":
        output["execution_count"] = _optional_index(value.get("execution_count"))
    return output


def sanitize_notebook(document: object) -> dict[str, Any]:
    """A clean nbformat-4 copy of the executed notebook: known cell and output shapes only."""
    if not isinstance(document, dict) or document.get("nbformat") != 4:
        raise UntrustedFileError("not an nbformat 4 notebook")
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise UntrustedFileError("no list of cells")
    if len(cells) > MAX_NOTEBOOK_CELLS:
        raise TooCostlyError(f"{len(cells):,} cells, over the {MAX_NOTEBOOK_CELLS:,} cap")
    clean_cells = []
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise UntrustedFileError("a cell has no cell_type")
        metadata = cell.get("metadata", {})
        clean: dict[str, Any] = {
            "cell_type": cell["cell_type"],
            "metadata": metadata if isinstance(metadata, dict) else {},
            "source": _multiline(cell.get("source", "")),
        }
        if isinstance(cell.get("id"), str):
            clean["id"] = cell["id"][:64]
        if cell["cell_type"] == "code":
            outputs = cell.get("outputs", [])
            if not isinstance(outputs, list):
                raise UntrustedFileError("a code cell's outputs are not a list")
            clean["execution_count"] = _optional_index(cell.get("execution_count"))
            clean["outputs"] = [_output(output) for output in outputs]
        elif isinstance(cell.get("attachments"), dict):
            clean["attachments"] = cell["attachments"]
        clean_cells.append(clean)
    metadata = document.get("metadata", {})
    minor = document.get("nbformat_minor", 5)
    return {
        "cells": clean_cells,
        "metadata": metadata if isinstance(metadata, dict) else {},
        "nbformat": 4,
        "nbformat_minor": minor if isinstance(minor, int) and not isinstance(minor, bool) else 5,
    }
