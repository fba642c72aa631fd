"""The hidden inputs as one grading run shows them (issue #19): a secret order per run, and the
perturbed copy of the memorisation check mixed in, targets kept in step on the host."""

from __future__ import annotations

import numpy as np
import pytest

from grader.data.evaluation_split import evaluation_split
from grader.data.hidden import HiddenSplit
from grader.data.perturbations import PERTURBATIONS, flip_horizontally, shift_one_pixel


@pytest.fixture
def split(tmp_path):
    inputs = np.random.default_rng(0).random((300, 3, 6, 6), dtype=np.float32)
    np.save(tmp_path / "inputs.npy", inputs)
    labels = np.repeat([0, 1], 150)  # in label order, as the cached split is
    return HiddenSplit(tmp_path / "inputs.npy", labels, ("cats", "dogs")), inputs


def _row_of(array: np.ndarray, row: np.ndarray) -> int:
    [index] = np.flatnonzero((array == row).all(axis=(1, 2, 3)))
    return int(index)


def test_each_run_draws_its_own_order_and_the_targets_follow_it(split, tmp_path):
    hidden, inputs = split
    first = evaluation_split(hidden, tmp_path / "a", np.random.default_rng(1))
    second = evaluation_split(hidden, tmp_path / "b", np.random.default_rng(2))
    shown = np.load(first.inputs_path)
    assert shown.shape == inputs.shape and not first.perturbed.any()
    assert not np.array_equal(first.targets, hidden.labels)  # no longer in label order
    assert not np.array_equal(first.targets, second.targets)
    for position in range(0, 300, 37):
        assert hidden.labels[_row_of(inputs, shown[position])] == first.targets[position]
    assert [p.name for p in first.inputs_path.parent.iterdir()] == ["inputs.npy"]
    assert first.inputs_path.stat().st_mode & 0o777 == 0o644


def test_the_perturbed_copy_is_mixed_in_with_its_labels(split, tmp_path):
    hidden, inputs = split
    shown = evaluation_split(
        hidden, tmp_path / "run", np.random.default_rng(3), perturbation="shift", margin=0.2
    )
    rows = np.load(shown.inputs_path)
    assert len(rows) == 600 and shown.perturbed.sum() == 300 and shown.margin == 0.2
    assert 0.3 < shown.perturbed[:300].mean() < 0.7  # copies spread through the file
    shifted = shift_one_pixel(inputs, np.random.default_rng(0))
    for position in np.flatnonzero(shown.perturbed)[:20]:
        assert hidden.labels[_row_of(shifted, rows[position])] == shown.targets[position]
    for position in np.flatnonzero(~shown.perturbed)[:20]:
        assert hidden.labels[_row_of(inputs, rows[position])] == shown.targets[position]


def test_perturbations_keep_shape_and_change_pixels():
    images = np.random.default_rng(4).random((2, 3, 5, 5), dtype=np.float32)
    shifted = shift_one_pixel(images, np.random.default_rng(0))
    assert shifted.shape == images.shape
    np.testing.assert_array_equal(shifted[:, :, 1:, 1:], images[:, :, :-1, :-1])
    np.testing.assert_array_equal(shifted[:, :, 0, 1:], images[:, :, 0, :-1])
    np.testing.assert_array_equal(flip_horizontally(images, None)[..., 0], images[..., -1])  # type: ignore[arg-type]
    noisy = PERTURBATIONS["noise"](images, np.random.default_rng(0))  # type: ignore[misc]
    assert 0 < np.abs(noisy - images).max() < 0.1
    with pytest.raises(ValueError, match="shift perturbs float images N×C×H×W"):
        shift_one_pixel(np.zeros((2, 8), dtype=np.float32), np.random.default_rng(0))
