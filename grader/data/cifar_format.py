"""CIFAR-10 "python version" batch files: write them as the originals are written, read them safely.

The original batches were pickled by Python 2 (protocol 2, keys and file
names as Python 2 `str`), so both common recipes work on them:
`pickle.load(f, encoding="bytes")` gives `{b"data": ..., b"labels": ...}` and
`pickle.load(f, encoding="latin1")` gives `{"data": ..., "labels": ...}`.
`encode_batch` writes the same opcodes (a Python 3 pickler cannot: it would
store `bytes` keys, which `encoding="latin1"` leaves as bytes and breaks the
second recipe).

Reading never runs `pickle.load` on arbitrary classes: `read_batch` uses an
unpickler that resolves only numpy's array reconstruction and `_codecs.encode`
and then checks the structure. This module does not know where the files
live (that is `grader.data.layout`).
"""

from __future__ import annotations

import io
import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.data.errors import DataError

IMAGE_BYTES = 3 * 32 * 32
TRAIN_BATCHES = tuple(f"data_batch_{n}" for n in range(1, 6))
META_FILE = "batches.meta"
TEST_BATCH = "test_batch"
MAX_BATCH_BYTES = 200 * 1024 * 1024
"""The real batches are ~31 MB; anything this large is not a CIFAR batch."""


@dataclass(frozen=True)
class CifarBatch:
    """One decoded batch: `images` uint8 N×3072 (R plane, then G, then B, rows top to bottom)."""

    images: np.ndarray
    labels: np.ndarray
    batch_label: str
    filenames: tuple[str, ...]


# ---------------------------------------------------------------- writing


def _py2_str(value: bytes) -> bytes:
    """A Python 2 `str` opcode (SHORT_BINSTRING or BINSTRING)."""
    if len(value) < 256:
        return pickle.SHORT_BINSTRING + bytes([len(value)]) + value
    return pickle.BINSTRING + struct.pack("<i", len(value)) + value


def _py2_int(value: int) -> bytes:
    if 0 <= value < 256:
        return pickle.BININT1 + bytes([value])
    if 0 <= value < 65536:
        return pickle.BININT2 + struct.pack("<H", value)
    return pickle.BININT + struct.pack("<i", value)


def _py2_global(module: str, name: str) -> bytes:
    return pickle.GLOBAL + f"{module}\n{name}\n".encode("ascii")


def _py2_uint8_matrix(matrix: np.ndarray) -> bytes:
    """A 2-D C-contiguous uint8 array, pickled as numpy 1.x did under Python 2."""
    rows, cols = matrix.shape
    dtype = (
        _py2_global("numpy", "dtype")
        + pickle.MARK
        + _py2_str(b"u1")
        + _py2_int(0)
        + _py2_int(1)
        + pickle.TUPLE
        + pickle.REDUCE
        + pickle.MARK
        + _py2_int(3)
        + _py2_str(b"|")
        + pickle.NONE * 3
        + pickle.BININT
        + struct.pack("<i", -1)
        + pickle.BININT
        + struct.pack("<i", -1)
        + _py2_int(0)
        + pickle.TUPLE
        + pickle.BUILD
    )
    state = (
        pickle.MARK
        + _py2_int(1)
        + pickle.MARK
        + _py2_int(rows)
        + _py2_int(cols)
        + pickle.TUPLE
        + dtype
        + pickle.NEWFALSE
        + _py2_str(np.ascontiguousarray(matrix, dtype=np.uint8).tobytes())
        + pickle.TUPLE
    )
    return (
        _py2_global("numpy.core.multiarray", "_reconstruct")
        + pickle.MARK
        + _py2_global("numpy", "ndarray")
        + pickle.MARK
        + _py2_int(0)
        + pickle.TUPLE
        + _py2_str(b"b")
        + pickle.TUPLE
        + pickle.REDUCE
        + state
        + pickle.BUILD
    )


def _py2_list(items: list[bytes]) -> bytes:
    """A list from already-encoded items, appended in chunks of 1000 as cPickle does."""
    out = pickle.EMPTY_LIST
    for start in range(0, len(items), 1000):
        out += pickle.MARK + b"".join(items[start : start + 1000]) + pickle.APPENDS
    return out


def _py2_value(value: Any) -> bytes:
    if isinstance(value, np.ndarray):
        return _py2_uint8_matrix(value)
    if isinstance(value, str):
        return _py2_str(value.encode("utf-8"))
    if isinstance(value, int):
        return _py2_int(value)
    if isinstance(value, list):
        return _py2_list([_py2_value(item) for item in value])
    raise TypeError(f"cannot encode {type(value).__name__} in a CIFAR batch")


def _py2_dict(entries: dict[str, Any]) -> bytes:
    body = b"".join(_py2_str(key.encode("ascii")) + _py2_value(v) for key, v in entries.items())
    return (
        pickle.PROTO
        + bytes([2])
        + pickle.EMPTY_DICT
        + pickle.MARK
        + body
        + pickle.SETITEMS
        + pickle.STOP
    )


def encode_batch(batch: CifarBatch) -> bytes:
    """The bytes of a `data_batch_N` / `test_batch` file holding `batch`."""
    if (
        batch.images.dtype != np.uint8
        or batch.images.ndim != 2
        or batch.images.shape[1] != IMAGE_BYTES
    ):
        raise ValueError(
            f"images must be uint8 N×{IMAGE_BYTES}, got {batch.images.dtype} {batch.images.shape}"
        )
    return _py2_dict(
        {
            "batch_label": batch.batch_label,
            "labels": [int(label) for label in batch.labels],
            "data": batch.images,
            "filenames": list(batch.filenames),
        }
    )


def encode_meta(label_names: tuple[str, ...], *, num_cases_per_batch: int) -> bytes:
    """The bytes of `batches.meta`."""
    return _py2_dict(
        {
            "num_cases_per_batch": num_cases_per_batch,
            "label_names": list(label_names),
            "num_vis": IMAGE_BYTES,
        }
    )


# ---------------------------------------------------------------- reading


def _reconstruct() -> Callable[..., Any]:
    # numpy >= 2 keeps the function in numpy._core; 1.x in numpy.core.
    try:
        from numpy._core.multiarray import _reconstruct as found
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import _reconstruct as found  # type: ignore[no-redef]
    return found


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """`_codecs.encode` as Python 3 pickles bytes at protocol 2, restricted to latin-1."""
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise pickle.UnpicklingError(f"refused _codecs.encode with {encoding!r}")
    return text.encode("latin1")


class _CifarUnpickler(pickle.Unpickler):
    """Resolves only what a CIFAR batch needs: numpy arrays, dtypes and latin-1 bytes."""

    def find_class(self, module: str, name: str) -> Any:
        allowed: dict[tuple[str, str], Any] = {
            ("numpy.core.multiarray", "_reconstruct"): _reconstruct(),
            ("numpy._core.multiarray", "_reconstruct"): _reconstruct(),
            ("numpy", "ndarray"): np.ndarray,
            ("numpy", "dtype"): np.dtype,
            ("_codecs", "encode"): _latin1_encode,
        }
        if (module, name) not in allowed:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}")
        return allowed[(module, name)]


def _text(value: Any) -> str:
    return value.decode("latin1") if isinstance(value, bytes) else str(value)


def _unpickle_dict(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DataError(f"cannot read CIFAR file: {error.strerror}", path=path) from error
    if size > MAX_BATCH_BYTES:
        raise DataError(f"CIFAR file is {size} bytes, more than any CIFAR batch", path=path)
    try:
        loaded = _CifarUnpickler(io.BytesIO(path.read_bytes()), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as error:
        raise DataError(
            f"not a CIFAR-10 python batch ({error})",
            path=path,
            hint="use the files from cifar-10-python.tar.gz (`grader data import-cifar10`)",
        ) from error
    if not isinstance(loaded, dict):
        raise DataError(
            f"a CIFAR batch holds a dict, this holds {type(loaded).__name__}", path=path
        )
    return {_text(key): value for key, value in loaded.items()}


def read_batch(path: Path) -> CifarBatch:
    """Load and check one batch file (`data_batch_N` or `test_batch`) without trusting it."""
    entries = _unpickle_dict(path)
    missing = {"data", "labels"} - entries.keys()
    if missing:
        raise DataError(f"CIFAR batch lacks {', '.join(sorted(missing))}", path=path)
    images, labels = entries["data"], entries["labels"]
    if not (isinstance(images, np.ndarray) and images.dtype == np.uint8 and images.ndim == 2):
        raise DataError("CIFAR batch `data` is not a uint8 matrix", path=path)
    if images.shape[1] != IMAGE_BYTES:
        raise DataError(
            f"CIFAR batch rows hold {images.shape[1]} values, not {IMAGE_BYTES}", path=path
        )
    if not isinstance(labels, list) or not all(type(label) is int for label in labels):
        raise DataError("CIFAR batch `labels` is not a list of integers", path=path)
    label_array = np.asarray(labels, dtype=np.int64)
    if len(label_array) != len(images) or (
        label_array.size and not 0 <= label_array.min() <= label_array.max() <= 9
    ):
        raise DataError(
            "CIFAR batch labels do not match its images (count or range 0–9)", path=path
        )
    filenames = entries.get("filenames", [])
    return CifarBatch(
        images=images,
        labels=label_array,
        batch_label=_text(entries.get("batch_label", b"")),
        filenames=tuple(_text(name) for name in filenames) if isinstance(filenames, list) else (),
    )


def read_label_names(path: Path) -> tuple[str, ...]:
    """The ten class names from `batches.meta`."""
    names = _unpickle_dict(path).get("label_names")
    if not (
        isinstance(names, list)
        and len(names) == 10
        and all(isinstance(n, bytes | str) for n in names)
    ):
        raise DataError("batches.meta does not hold ten `label_names`", path=path)
    return tuple(_text(name) for name in names)
