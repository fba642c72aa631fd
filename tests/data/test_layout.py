"""`load_layout`: a usable DATA_ROOT is described; anything missing is one line naming it and the fix."""

import shutil

import pytest

from grader.data import DataError, load_layout, training_data_dir
from grader.errors import GraderError
from tests.homeworks import CATS_DOGS


def test_describes_a_complete_root(synthetic_root):
    layout = load_layout(synthetic_root)
    assert layout.name == "synthetic" and layout.seed == 0
    assert layout.datasets == ("cats_vs_dogs", "cifar10")
    assert layout.train_dir == synthetic_root / "train"
    assert layout.hidden_dir == synthetic_root / "hidden"
    assert training_data_dir(layout) == layout.train_dir
    assert layout.counts["cats_vs_dogs"]["test"] == 200
    assert layout.split_dir("cats_vs_dogs", "test") == synthetic_root / "hidden/cats_vs_dogs/test"
    assert (
        layout.split_dir("cats_vs_dogs", "validation")
        == synthetic_root / "train/cats_vs_dogs/validation"
    )
    assert layout.declarations["cats_vs_dogs"] == CATS_DOGS
    assert layout.pretrained_weights.is_file()


def test_missing_root_names_the_fix(tmp_path):
    with pytest.raises(DataError) as raised:
        load_layout(tmp_path / "nowhere")
    message = str(raised.value)
    assert message == (
        f"{tmp_path / 'nowhere'}: data folder does not exist "
        f"(fix: run `grader data synth {tmp_path / 'nowhere'} --rubric RUBRIC.toml` "
        "(into an empty folder))"
    )
    assert isinstance(raised.value, GraderError) and "\n" not in message


def test_a_folder_without_manifest_is_not_a_data_root(tmp_path):
    with pytest.raises(DataError, match=r"dataset\.toml is missing.*grader data synth"):
        load_layout(tmp_path)


@pytest.mark.parametrize(
    ("remove", "named"),
    [
        ("train/cifar10/data_batch_3", "cifar10: file is missing (train/cifar10/data_batch_3)"),
        ("hidden/cifar10/test_batch", "cifar10: file is missing (hidden/cifar10/test_batch)"),
        (
            "train/cats_vs_dogs/validation/dogs",
            "cats_vs_dogs: folder is missing or empty (train/cats_vs_dogs/validation/dogs)",
        ),
        ("train/pretrained/vgg_base.pt", "lacks the pretrained base"),
        ("hidden", "missing hidden/ folder"),
    ],
)
def test_a_missing_piece_is_named_with_the_fix(root_copy, remove, named):
    target = root_copy / remove
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    with pytest.raises(DataError) as raised:
        load_layout(root_copy)
    assert named in str(raised.value)
    assert f"grader data synth {root_copy}" in str(raised.value)


def test_an_empty_image_folder_counts_as_missing(root_copy):
    for image in (root_copy / "hidden/cats_vs_dogs/test/cats").iterdir():
        image.unlink()
    with pytest.raises(DataError, match=r"missing or empty \(hidden/cats_vs_dogs/test/cats\)"):
        load_layout(root_copy)


def test_a_hidden_split_under_train_is_refused(root_copy):
    shutil.copy(root_copy / "hidden/cifar10/test_batch", root_copy / "train/cifar10/test_batch")
    with pytest.raises(DataError, match="hidden test split sits under train/"):
        load_layout(root_copy)


def test_a_bad_manifest_is_named(root_copy):
    (root_copy / "dataset.toml").write_text('name = "imagenet"\n')
    with pytest.raises(DataError, match="`name` must be one of synthetic, real"):
        load_layout(root_copy)
    (root_copy / "dataset.toml").write_text("name = [")
    with pytest.raises(DataError, match=r"cannot read dataset\.toml"):
        load_layout(root_copy)


def test_real_roots_point_to_the_importer(root_copy):
    text = (root_copy / "dataset.toml").read_text().replace('"synthetic"', '"real"')
    (root_copy / "dataset.toml").write_text(text)
    (root_copy / "train/cifar10/batches.meta").unlink()
    with pytest.raises(DataError) as raised:
        load_layout(root_copy)
    assert "cifar10: file is missing (train/cifar10/batches.meta)" in str(raised.value)
    assert (
        f"(fix: import cifar10 again (`grader data import-cifar10 … --rubric RUBRIC.toml "
        f"--out {root_copy} --dataset cifar10`))"
    ) in str(raised.value)
