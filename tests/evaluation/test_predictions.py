"""Reading what the sandbox wrote: refuse symlinks, links, oversize files, pickles, bad shapes, NaNs."""

from __future__ import annotations

import io
import json
import os
import pickle
import threading
from pathlib import Path

import numpy as np
import pytest

from grader.evaluation import EvaluationError, read_predictions, read_summary, summary_error

CAP = 1 << 20


def _save(path: Path, array: np.ndarray, *, allow_pickle: bool = False) -> Path:
    np.save(path, array, allow_pickle=allow_pickle)
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_reads_float_logits(out: Path):
    logits = np.arange(12, dtype=np.float32).reshape(6, 2)
    read = read_predictions(_save(out / "p.npy", logits), n=6, max_bytes=CAP)
    assert read.dtype == np.float64
    np.testing.assert_array_equal(read, logits)


@pytest.mark.parametrize("dtype", [np.float16, np.float64, ">f4"])
def test_any_float_dtype_and_byte_order(out: Path, dtype):
    logits = np.linspace(-1, 1, 30).reshape(10, 3).astype(dtype)
    read = read_predictions(_save(out / "p.npy", logits), n=10, max_bytes=CAP)
    np.testing.assert_allclose(read, logits.astype(np.float64))


def test_fortran_order_keeps_rows(out: Path):
    logits = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(3, 2))
    read = read_predictions(_save(out / "p.npy", logits), n=3, max_bytes=CAP)
    np.testing.assert_array_equal(read, logits)


def test_refuses_a_symlink(out: Path, tmp_path: Path):
    secret = _save(tmp_path / "labels.npy", np.zeros((4, 1), dtype=np.float32))
    (out / "p.npy").symlink_to(secret)
    with pytest.raises(EvaluationError, match="symlink; refused"):
        read_predictions(out / "p.npy", n=4, max_bytes=CAP)


def test_refuses_a_folder_that_is_a_symlink(tmp_path: Path):
    secret_folder = tmp_path / "hidden"
    secret_folder.mkdir()
    _save(secret_folder / "p.npy", np.zeros((4, 1), dtype=np.float32))
    (tmp_path / "out").symlink_to(secret_folder)
    with pytest.raises(EvaluationError, match="cannot open the folder safely"):
        read_predictions(tmp_path / "out" / "p.npy", n=4, max_bytes=CAP)


def test_refuses_a_hard_link(out: Path, tmp_path: Path):
    original = _save(tmp_path / "labels.npy", np.zeros((4, 1), dtype=np.float32))
    os.link(original, out / "p.npy")
    with pytest.raises(EvaluationError, match="hard links"):
        read_predictions(out / "p.npy", n=4, max_bytes=CAP)


def test_refuses_a_fifo_without_hanging(out: Path):
    os.mkfifo(out / "p.npy")
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_predictions(out / "p.npy", n=4, max_bytes=CAP)
        except EvaluationError as error:
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive()
    assert "not a regular file" in str(outcome[0])


def test_refuses_a_folder_in_place_of_the_file(out: Path):
    (out / "p.npy").mkdir()
    with pytest.raises(EvaluationError, match="not a regular file"):
        read_predictions(out / "p.npy", n=4, max_bytes=CAP)


def test_missing_file(out: Path):
    with pytest.raises(EvaluationError, match="file is missing"):
        read_predictions(out / "p.npy", n=4, max_bytes=CAP)


def test_refuses_an_oversized_file(out: Path):
    path = _save(out / "p.npy", np.zeros((1000, 10), dtype=np.float32))
    with pytest.raises(EvaluationError, match="over the 1000-byte cap"):
        read_predictions(path, n=1000, max_bytes=1000)


def test_refuses_object_dtype(out: Path):
    array = np.empty((2, 1), dtype=object)
    array[:] = [[1.0], [2.0]]
    path = _save(out / "p.npy", array, allow_pickle=True)
    with pytest.raises(EvaluationError, match="must be floats, not dtype object"):
        read_predictions(path, n=2, max_bytes=CAP)


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_refuses_a_pickle(out: Path):
    path = out / "p.npy"
    path.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(EvaluationError, match=r"not a \.npy file"):
        read_predictions(path, n=2, max_bytes=CAP)


def test_refuses_an_npz_archive(out: Path):
    path = out / "p.npy"
    np.savez(path.with_suffix(".tmp"), logits=np.zeros((2, 1)))
    path.with_suffix(".tmp.npz").rename(path)
    with pytest.raises(EvaluationError, match=r"not a \.npy file"):
        read_predictions(path, n=2, max_bytes=CAP)


def test_a_lying_header_allocates_nothing(out: Path):
    stream = io.BytesIO()
    header = {"descr": "<f4", "fortran_order": False, "shape": (10**12, 10)}
    np.lib.format.write_array_header_1_0(stream, header)
    path = out / "p.npy"
    path.write_bytes(stream.getvalue() + b"\0" * 16)
    with pytest.raises(EvaluationError, match="header says 10000000000000 values"):
        read_predictions(path, n=10**12, max_bytes=CAP)


def test_refuses_integers(out: Path):
    path = _save(out / "p.npy", np.zeros((3, 2), dtype=np.int64))
    with pytest.raises(EvaluationError, match="must be floats"):
        read_predictions(path, n=3, max_bytes=CAP)


@pytest.mark.parametrize("shape", [(5, 2), (4,), (4, 0), (4, 2, 1), ()])
def test_refuses_the_wrong_shape(out: Path, shape):
    path = _save(out / "p.npy", np.zeros(shape, dtype=np.float32))
    with pytest.raises(EvaluationError, match=r"expected \(4, K\) outputs"):
        read_predictions(path, n=4, max_bytes=CAP)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_refuses_non_finite_logits(out: Path, bad):
    logits = np.zeros((4, 2), dtype=np.float32)
    logits[2, 1] = bad
    with pytest.raises(EvaluationError, match="1 NaN or infinite values"):
        read_predictions(_save(out / "p.npy", logits), n=4, max_bytes=CAP)


def test_error_message_names_the_file(out: Path):
    path = _save(out / "p.npy", np.zeros((3, 2), dtype=np.float32))
    with pytest.raises(EvaluationError) as raised:
        read_predictions(path, n=4, max_bytes=CAP)
    assert raised.value.path == str(path)
    assert "\n" not in str(raised.value)


def test_reads_a_summary(out: Path):
    (out / "summary.json").write_text(json.dumps({"device": "cpu", "output_shape": [4, 2]}))
    summary = read_summary(out / "summary.json", CAP)
    assert summary == {"device": "cpu", "output_shape": [4, 2]}
    assert summary_error(summary) is None


def test_summary_error_is_one_capped_line(out: Path):
    (out / "summary.json").write_text(json.dumps({"error": "RuntimeError:\n" + "x" * 1000}))
    error = summary_error(read_summary(out / "summary.json", CAP))
    assert error is not None and error.startswith("RuntimeError: xxx") and len(error) == 400
    assert summary_error({"error": ["odd"]}) == "unreadable error"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[1, 2]", "not a JSON object"),
        (b"{not json", "not valid JSON"),
        (b'{"t": NaN}', "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    ],
)
def test_refuses_a_bad_summary(out: Path, content: bytes, message: str):
    (out / "summary.json").write_bytes(content)
    with pytest.raises(EvaluationError, match=message):
        read_summary(out / "summary.json", CAP)


def test_summary_symlink_and_size_are_refused(out: Path, tmp_path: Path):
    secret = tmp_path / "rubric.json"
    secret.write_text("{}")
    (out / "summary.json").symlink_to(secret)
    with pytest.raises(EvaluationError, match="symlink"):
        read_summary(out / "summary.json", CAP)
    (out / "big.json").write_text(json.dumps({"pad": "x" * 100}))
    with pytest.raises(EvaluationError, match="cap"):
        read_summary(out / "big.json", 50)
