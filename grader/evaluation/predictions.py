"""Read what the evaluation sandbox wrote: predictions (.npy) and its summary (.json), safely.

Everything under the sandbox's `out/` is written by a process that ran student code, so it is
hostile input: files are opened without following symlinks (the file and the folder holding it),
must be regular files with one link, are size-capped before reading, and are parsed without
pickle (the .npy header is checked by hand before any array is allocated). This module reads and
validates only; it never scores and never runs anything.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from grader.evaluation.errors import EvaluationError

NPY_MAGIC = b"\x93NUMPY"


def read_capped_file(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a regular file, refusing symlinks, hard links, special files and oversize ones.

    Only the last two path components are guarded (the file and its folder, both of which a
    sandboxed process may have made); the rest of the path is the host's own.
    """
    flags = (
        os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    )  # NONBLOCK: a FIFO cannot hang us
    try:
        folder_fd = os.open(path.parent, flags | os.O_DIRECTORY)
    except OSError as error:
        raise EvaluationError(
            f"cannot open the folder safely ({error.strerror})", path=path
        ) from None
    try:
        fd = os.open(path.name, flags, dir_fd=folder_fd)
    except FileNotFoundError:
        raise EvaluationError("file is missing", path=path) from None
    except OSError as error:
        # ELOOP is what O_NOFOLLOW gives for a symlink.
        reason = "is a symlink" if os.path.islink(path) else f"cannot be opened ({error.strerror})"
        raise EvaluationError(f"file {reason}; refused", path=path) from None
    finally:
        os.close(folder_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise EvaluationError("not a regular file; refused", path=path)
        if info.st_nlink != 1:
            raise EvaluationError("file has several hard links; refused", path=path)
        if info.st_size > max_bytes:
            raise EvaluationError(
                f"file is {info.st_size} bytes, over the {max_bytes}-byte cap", path=path
            )
        chunks: list[bytes] = []
        remaining = max_bytes + 1  # one byte more tells a file that grew after fstat
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise EvaluationError(f"file is over the {max_bytes}-byte cap", path=path)
    return data


def parse_npy(data: bytes, *, path: Path) -> np.ndarray:
    """A float array from .npy bytes, without pickle and without trusting the header's sizes."""
    if not data.startswith(NPY_MAGIC):
        raise EvaluationError("not a .npy file (bad magic bytes)", path=path)
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"version {version} is not used for float arrays")
    except (ValueError, SyntaxError, TypeError) as error:
        raise EvaluationError(f"unreadable .npy header ({error})", path=path) from None
    if dtype.hasobject or dtype.kind != "f":
        raise EvaluationError(f"predictions must be floats, not dtype {dtype}", path=path)
    count = math.prod(shape)
    offset = stream.tell()
    if len(data) - offset != count * dtype.itemsize:
        raise EvaluationError(
            f"the header says {count} values of {dtype} but the file holds "
            f"{len(data) - offset} data bytes",
            path=path,
        )
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran_order else "C")


def read_predictions(path: Path, *, n: int, max_bytes: int) -> np.ndarray:
    """Outputs for n test examples (logits, or real values): a finite float64 (n, K) array."""
    array = parse_npy(read_capped_file(path, max_bytes=max_bytes), path=path)
    if array.ndim != 2 or array.shape[0] != n or array.shape[1] < 1:
        raise EvaluationError(
            f"predictions have shape {list(array.shape)}, expected ({n}, K) outputs",
            path=path,
            hint="the model must return N×K logits (or values) for a batch of N examples",
        )
    logits = array.astype(np.float64)
    if not np.isfinite(logits).all():
        bad = int(np.count_nonzero(~np.isfinite(logits)))
        raise EvaluationError(f"predictions hold {bad} NaN or infinite values", path=path)
    return logits


def read_summary(path: Path, max_bytes: int) -> dict[str, Any]:
    """The sandbox's summary.json as a dict (a JSON object); its values are still untrusted."""
    data = read_capped_file(path, max_bytes=max_bytes)
    try:
        summary = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise EvaluationError(
            f"summary is not valid JSON ({type(error).__name__})", path=path
        ) from None
    if not isinstance(summary, dict):
        raise EvaluationError("summary is not a JSON object", path=path)
    return summary


def summary_error(summary: dict[str, Any]) -> str | None:
    """The one-line error the sandboxed script reported, if it failed (capped, text only)."""
    error = summary.get("error")
    if error is None:
        return None
    return " ".join(str(error).split())[:400] if isinstance(error, str) else "unreadable error"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")
