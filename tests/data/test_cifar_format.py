"""CIFAR batch files: Python-2-style writing, and reading that never trusts the pickle."""

import os
import pickle

import numpy as np
import pytest

from grader.data import DataError, cifar_format
from grader.data.cifar_format import (
    CifarBatch,
    encode_batch,
    encode_meta,
    read_batch,
    read_label_names,
)


def sample_batch(count: int = 12) -> CifarBatch:
    rng = np.random.default_rng(5)
    return CifarBatch(
        images=rng.integers(0, 256, (count, 3072), dtype=np.uint8),
        labels=rng.integers(0, 10, count),
        batch_label="training batch 1 of 5",
        filenames=tuple(f"x_{i}.png" for i in range(count)),
    )


def test_round_trip_through_the_safe_reader(tmp_path):
    batch = sample_batch()
    path = tmp_path / "data_batch_1"
    path.write_bytes(encode_batch(batch))
    read = read_batch(path)
    assert np.array_equal(read.images, batch.images)
    assert read.labels.tolist() == batch.labels.tolist() and read.labels.dtype == np.int64
    assert read.batch_label == "training batch 1 of 5"
    assert read.filenames == batch.filenames


def test_large_batches_use_four_byte_lengths(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(encode_batch(sample_batch(count=1500)))  # > 256 labels, > 1000 list items
    with path.open("rb") as f:
        loaded = pickle.load(f, encoding="latin1")
    assert loaded["data"].shape == (1500, 3072) and len(loaded["labels"]) == 1500


def test_meta_round_trip(tmp_path):
    names = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
    path = tmp_path / "batches.meta"
    path.write_bytes(encode_meta(names, num_cases_per_batch=10))
    assert read_label_names(path) == names


def test_python3_pickles_are_read_too(tmp_path):
    """Re-saved copies use `_codecs.encode` for bytes and may have str keys."""
    data = np.arange(2 * 3072, dtype=np.uint64).astype(np.uint8).reshape(2, 3072)
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps({"data": data, "labels": [3, 4], "batch_label": "t"}, protocol=2))
    read = read_batch(path)
    assert np.array_equal(read.images, data) and read.labels.tolist() == [3, 4]


class _RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_that_runs_code_is_refused_before_running(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps({b"data": _RunsACommand(marker), b"labels": []}, protocol=2))
    with pytest.raises(DataError, match=r"refused to load posix\.system"):
        read_batch(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([1, 2, 3], "holds a dict"),
        ({b"labels": []}, "lacks data"),
        ({b"data": np.zeros((2, 3072), np.float64), b"labels": [0, 1]}, "not a uint8 matrix"),
        ({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, "hold 100 values"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, "do not match"),
        ({b"data": np.zeros((1, 3072), np.uint8), b"labels": [12]}, "do not match"),
        ({b"data": np.zeros((1, 3072), np.uint8), b"labels": ["x"]}, "not a list of integers"),
    ],
)
def test_wrong_structures_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps(content, protocol=2))
    with pytest.raises(DataError, match=message) as raised:
        read_batch(path)
    assert str(path) in str(raised.value)


def test_not_a_pickle_and_too_large(tmp_path, monkeypatch):
    garbage = tmp_path / "data_batch_1"
    garbage.write_bytes(b"<html>not found</html>")
    with pytest.raises(DataError, match="not a CIFAR-10 python batch"):
        read_batch(garbage)
    monkeypatch.setattr(cifar_format, "MAX_BATCH_BYTES", 10)
    with pytest.raises(DataError, match="more than any CIFAR batch"):
        read_batch(garbage)
