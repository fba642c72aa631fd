"""`write_synthetic_data`: the layout, counts and formats it writes, and that it is deterministic."""

import hashlib
import io
import os
import pickle
import pickletools
import stat
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from grader.data import DataError, load_layout, training_data_dir, write_synthetic_data
from tests.data.builders import LABEL_NAMES
from tests.homeworks import HW4_DATASETS

CIFAR_NAMES = LABEL_NAMES


def tree_digest(root: Path) -> str:
    """A hash of every file's relative path and bytes (mtimes deliberately ignored)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def relative_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_writes_exactly_the_layout(synthetic_root):
    files = relative_files(synthetic_root)
    cifar = {f"train/cifar10/data_batch_{n}" for n in range(1, 6)} | {"train/cifar10/batches.meta"}
    cifar |= {name.replace("cifar10/", "cifar10/cifar-10-batches-py/") for name in cifar}
    expected_other = cifar | {
        "dataset.toml",
        "hidden/cifar10/test_batch",
        "train/pretrained/vgg_base.pt",
        "train/pretrained/README.txt",
    }
    jpegs = {f for f in files if f.endswith(".jpg")}
    assert files - jpegs == expected_other
    folders = {str(Path(f).parent) for f in jpegs}
    assert folders == {
        "train/cats_vs_dogs/train/cats",
        "train/cats_vs_dogs/train/dogs",
        "train/cats_vs_dogs/validation/cats",
        "train/cats_vs_dogs/validation/dogs",
        "hidden/cats_vs_dogs/test/cats",
        "hidden/cats_vs_dogs/test/dogs",
    }


@pytest.mark.parametrize(
    ("folder", "count"),
    [
        ("train/cats_vs_dogs/train/cats", 200),
        ("train/cats_vs_dogs/train/dogs", 200),
        ("train/cats_vs_dogs/validation/cats", 50),
        ("train/cats_vs_dogs/validation/dogs", 50),
        ("hidden/cats_vs_dogs/test/cats", 100),
        ("hidden/cats_vs_dogs/test/dogs", 100),
    ],
)
def test_cats_dogs_counts_and_kaggle_names(synthetic_root, folder, count):
    names = sorted(p.name for p in (synthetic_root / folder).iterdir())
    assert len(names) == count
    prefix = "cat." if folder.endswith("cats") else "dog."
    assert all(name.startswith(prefix) and name.endswith(".jpg") for name in names)


def test_jpegs_are_rgb_of_varied_sizes_around_150(synthetic_root):
    sizes = []
    for path in sorted((synthetic_root / "train/cats_vs_dogs/train/cats").iterdir())[:40]:
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
            sizes.append(image.size)
    widths, heights = zip(*sizes, strict=True)
    assert min(widths + heights) >= 120 and max(widths + heights) <= 200
    assert len(set(sizes)) > 20  # varied, not one fixed size


def test_hidden_splits_are_not_under_train(synthetic_root):
    train_files = relative_files(synthetic_root / "train")
    assert not any("test" in Path(f).parts or f.endswith("test_batch") for f in train_files)
    test_names = {p.name for p in (synthetic_root / "hidden/cats_vs_dogs/test").rglob("*.jpg")}
    train_names = {Path(f).name for f in train_files}
    assert not test_names & train_names
    layout = load_layout(synthetic_root)
    assert training_data_dir(layout) == synthetic_root / "train"
    assert not layout.hidden_dir.resolve().is_relative_to(training_data_dir(layout).resolve())


def test_train_is_readable_by_other_users_and_hidden_is_not(synthetic_root):
    assert stat.S_IMODE((synthetic_root / "hidden").stat().st_mode) == 0o700
    for path in (synthetic_root / "train").rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), path


def test_cifar_batches_load_with_the_standard_recipe(synthetic_root):
    cifar = synthetic_root / "train/cifar10"
    total = 0
    for number in range(1, 6):
        with (cifar / f"data_batch_{number}").open("rb") as f:
            batch = pickle.load(f, encoding="bytes")
        assert set(batch) == {b"batch_label", b"labels", b"data", b"filenames"}
        assert batch[b"batch_label"] == f"training batch {number} of 5".encode()
        data = batch[b"data"]
        assert isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.shape == (400, 3072)
        assert isinstance(batch[b"labels"], list) and len(batch[b"labels"]) == 400
        assert set(batch[b"labels"]) == set(range(10))
        assert all(isinstance(name, bytes) for name in batch[b"filenames"])
        total += len(data)
    assert total == 2000
    with (cifar / "batches.meta").open("rb") as f:
        meta = pickle.load(f, encoding="bytes")
    assert meta[b"label_names"] == CIFAR_NAMES
    with (synthetic_root / "hidden/cifar10/test_batch").open("rb") as f:
        test = pickle.load(f, encoding="bytes")
    assert test[b"data"].shape == (1000, 3072)
    assert np.bincount(test[b"labels"]).tolist() == [100] * 10


def test_cifar_batches_also_load_with_the_latin1_recipe(synthetic_root):
    """Python 2 pickles: `encoding="latin1"` gives str keys, as with the real files (cs231n's loader)."""
    path = synthetic_root / "train/cifar10/data_batch_1"
    with path.open("rb") as f:
        batch = pickle.load(f, encoding="latin1")
    assert set(batch) == {"batch_label", "labels", "data", "filenames"}
    images = batch["data"].reshape(400, 3, 32, 32).transpose(0, 2, 3, 1)
    assert images.shape == (400, 32, 32, 3)
    opcodes = {op.name for op, _, _ in pickletools.genops(path.read_bytes())}
    assert "SHORT_BINSTRING" in opcodes and "BINUNICODE" not in opcodes


def test_cifar_rows_are_r_then_g_then_b_planes(synthetic_root):
    """A coloured image's channel planes differ, and the row layout round-trips to 32×32×3."""
    with (synthetic_root / "train/cifar10/data_batch_1").open("rb") as f:
        data = pickle.load(f, encoding="bytes")[b"data"]
    planes = data[:50].reshape(50, 3, 1024).astype(int)
    assert np.abs(planes[:, 0] - planes[:, 1]).mean() > 5  # channels are not copies of each other


def test_dataset_toml_describes_the_root(synthetic_root):
    manifest = tomllib.loads((synthetic_root / "dataset.toml").read_text())
    assert manifest["name"] == "synthetic" and manifest["seed"] == 0
    assert manifest["created_by"] == "grader data synth"
    assert manifest["cats_vs_dogs"] == {
        "train": 400,
        "validation": 100,
        "test": 200,
        "declaration": HW4_DATASETS["cats_vs_dogs"].model_dump(
            mode="json", exclude={"perturbation", "perturbation_margin"}
        ),
    }
    assert manifest["cifar10"] == {
        "train": 2000,
        "test": 1000,
        "declaration": {"format": "cifar_batches", "description": ""},
    }


def test_same_seed_gives_byte_identical_training_data_and_a_secret_hidden_split(
    synthetic_root, tmp_path
):
    """The training data follows from the seed; the hidden split does not (issue #19: the
    visible labels used to reveal the seed, and so the hidden labels), unless it is given."""
    again = write_synthetic_data(tmp_path / "again", datasets=HW4_DATASETS, seed=0)
    assert tree_digest(again / "train") == tree_digest(synthetic_root / "train")
    assert (again / "dataset.toml").read_bytes() == (synthetic_root / "dataset.toml").read_bytes()
    assert tree_digest(again / "hidden") != tree_digest(synthetic_root / "hidden")
    assert "hidden_seed" not in (again / "dataset.toml").read_text()  # not recorded anywhere
    first = write_synthetic_data(
        tmp_path / "a", datasets=HW4_DATASETS, seed=1, scale="tiny", hidden_seed=5
    )
    second = write_synthetic_data(
        tmp_path / "b", datasets=HW4_DATASETS, seed=1, scale="tiny", hidden_seed=5
    )
    assert tree_digest(first) == tree_digest(second)


@pytest.mark.slow  # writes two synthetic roots
def test_another_seed_gives_other_images(tmp_path):
    first = write_synthetic_data(tmp_path / "a", seed=1, datasets=HW4_DATASETS, scale="tiny")
    second = write_synthetic_data(tmp_path / "b", seed=2, datasets=HW4_DATASETS, scale="tiny")
    jpeg = "train/cats_vs_dogs/train/cats/cat.0.jpg"
    assert (first / jpeg).read_bytes() != (second / jpeg).read_bytes()


def test_refuses_a_folder_that_holds_files(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(DataError, match="not empty") as raised:
        write_synthetic_data(target, datasets=HW4_DATASETS, scale="tiny")
    assert "choose another folder" in str(raised.value)
    assert os.listdir(target) == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # no staging folder left behind


@pytest.mark.slow
def test_writes_into_an_empty_existing_folder(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    assert (
        load_layout(write_synthetic_data(target, datasets=HW4_DATASETS, scale="tiny")).name
        == "synthetic"
    )


def test_unknown_scale_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match=r"unknown scale 'huge'.*tiny, small, medium"):
        write_synthetic_data(tmp_path / "data", datasets=HW4_DATASETS, scale="huge")


def test_jpeg_bytes_carry_no_metadata(synthetic_root):
    path = next((synthetic_root / "train/cats_vs_dogs/train/dogs").iterdir())
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        assert not image.getexif()
        assert "exif" not in image.info
