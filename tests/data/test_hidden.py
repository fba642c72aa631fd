"""`load_hidden_split`: decoded once into the model-input contract, cached, invalidated by a changed source."""

import os

import numpy as np
import pytest
from PIL import Image

from grader.data import DataError, HiddenSplit, load_hidden_split, load_layout
from grader.data import hidden as hidden_module
from grader.data.formats import DATASET_FORMATS


def test_cats_dogs_inputs_follow_the_model_contract(synthetic_root, tmp_path):
    split = load_hidden_split(load_layout(synthetic_root), "cats_vs_dogs", tmp_path)
    assert isinstance(split, HiddenSplit)
    inputs = np.load(split.inputs_path)
    assert inputs.dtype == np.float32 and inputs.shape == (200, 3, 150, 150)
    assert inputs.min() >= 0.0 and inputs.max() <= 1.0
    assert split.labels.dtype == np.int64 and split.labels.tolist() == [0] * 100 + [1] * 100
    assert split.class_names == ("cats", "dogs") and split.count == 200
    assert [p.name for p in split.inputs_path.parent.iterdir()] == ["inputs.npy"]  # mountable alone
    assert split.inputs_path.stat().st_mode & 0o777 == 0o644
    first_cat = sorted((synthetic_root / "hidden/cats_vs_dogs/test/cats").iterdir())[0]
    with Image.open(first_cat) as image:
        expected = np.asarray(image.convert("RGB").resize((150, 150), Image.Resampling.BILINEAR))
    np.testing.assert_allclose(inputs[0], expected.transpose(2, 0, 1) / 255.0, atol=1e-6)


def test_cifar_inputs_are_the_test_batch_scaled(synthetic_root, tmp_path):
    import pickle

    split = load_hidden_split(load_layout(synthetic_root), "cifar10", tmp_path)
    with (synthetic_root / "hidden/cifar10/test_batch").open("rb") as f:
        batch = pickle.load(f, encoding="bytes")
    inputs = np.load(split.inputs_path)
    assert inputs.dtype == np.float32 and inputs.shape == (1000, 3, 32, 32)
    np.testing.assert_allclose(inputs, batch[b"data"].reshape(-1, 3, 32, 32) / 255.0, atol=1e-6)
    assert split.labels.tolist() == batch[b"labels"]
    assert split.class_names[0] == "airplane" and len(split.class_names) == 10


def _counting(monkeypatch, format_name):
    """Count the decodes of one dataset format's hidden split."""
    calls = []
    format = DATASET_FORMATS[format_name]
    original = format.decode_hidden

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(format, "decode_hidden", counted)
    return calls


@pytest.mark.parametrize(
    ("dataset", "decoder"), [("cats_vs_dogs", "image_folders"), ("cifar10", "cifar_batches")]
)
def test_second_call_reuses_the_cache(synthetic_root, tmp_path, monkeypatch, dataset, decoder):
    calls = _counting(monkeypatch, decoder)
    layout = load_layout(synthetic_root)
    first = load_hidden_split(layout, dataset, tmp_path)
    written = first.inputs_path.stat().st_mtime_ns
    second = load_hidden_split(layout, dataset, tmp_path)
    assert calls == [1]
    assert second.inputs_path == first.inputs_path
    assert second.inputs_path.stat().st_mtime_ns == written
    assert np.array_equal(second.labels, first.labels) and second.class_names == first.class_names
    assert (
        sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    )  # no leftovers


def test_a_changed_source_invalidates_the_cache(root_copy, tmp_path, monkeypatch):
    calls = _counting(monkeypatch, "image_folders")
    layout = load_layout(root_copy)
    before = load_hidden_split(layout, "cats_vs_dogs", tmp_path)
    dog = sorted((root_copy / "hidden/cats_vs_dogs/test/dogs").iterdir())[0]
    Image.new("RGB", (150, 150), (255, 0, 0)).save(dog, format="JPEG", quality=90)
    after = load_hidden_split(layout, "cats_vs_dogs", tmp_path)
    assert calls == [1, 1]
    assert after.inputs_path != before.inputs_path
    red = np.load(after.inputs_path)[100]  # the first dog
    assert red[0].mean() > 0.95 and red[1].mean() < 0.05


def test_a_touched_source_invalidates_the_cache(root_copy, tmp_path, monkeypatch):
    calls = _counting(monkeypatch, "cifar_batches")
    layout = load_layout(root_copy)
    load_hidden_split(layout, "cifar10", tmp_path)
    test_batch = root_copy / "hidden/cifar10/test_batch"
    stat = test_batch.stat()
    os.utime(test_batch, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    load_hidden_split(layout, "cifar10", tmp_path)
    assert calls == [1, 1]


def test_an_incomplete_cache_entry_is_rebuilt(synthetic_root, tmp_path, monkeypatch):
    calls = _counting(monkeypatch, "cifar_batches")
    layout = load_layout(synthetic_root)
    first = load_hidden_split(layout, "cifar10", tmp_path)
    first.inputs_path.write_bytes(b"truncated")
    again = load_hidden_split(layout, "cifar10", tmp_path)
    assert calls == [1, 1]
    assert np.load(again.inputs_path).shape == (1000, 3, 32, 32)


def test_an_undecodable_image_is_named(root_copy, tmp_path):
    broken = sorted((root_copy / "hidden/cats_vs_dogs/test/cats").iterdir())[3]
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    with pytest.raises(DataError, match="cannot decode hidden test image") as raised:
        load_hidden_split(load_layout(root_copy), "cats_vs_dogs", tmp_path)
    assert str(broken) in str(raised.value)
    assert not list(tmp_path.glob("*.npy"))  # nothing half-written is left to be reused


def test_unknown_or_absent_dataset(synthetic_root, root_copy, tmp_path):
    with pytest.raises(DataError, match="this data folder has no mnist"):
        load_hidden_split(load_layout(synthetic_root), "mnist", tmp_path)
    text = (root_copy / "dataset.toml").read_text()
    (root_copy / "dataset.toml").write_text(text.split("[cifar10]")[0])
    with pytest.raises(DataError, match="this data folder has no cifar10"):
        load_hidden_split(load_layout(root_copy), "cifar10", tmp_path)


def test_a_new_cache_folder_is_private(synthetic_root, tmp_path):
    cache = tmp_path / "shared" / "cache"
    split = load_hidden_split(load_layout(synthetic_root), "cifar10", cache)
    assert cache.stat().st_mode & 0o777 == 0o700
    assert split.inputs_path.parent.parent == cache
    labels = cache / f"{split.inputs_path.parent.name}.labels.npy"
    assert labels.stat().st_mode & 0o777 == 0o600


def test_the_default_cache_is_per_user_in_the_temp_dir():
    default = hidden_module.default_cache_dir()
    assert default.name == f"hw-grader-cache-{os.geteuid()}"


@pytest.mark.parametrize(
    ("prepare", "problem"),
    [
        pytest.param(
            lambda cache: cache.mkdir(mode=0o777) or cache.chmod(0o777),
            "the hidden-split cache is mode 0777: others could write to it",
            id="world-writable",
        ),
        pytest.param(
            lambda cache: cache.mkdir() or cache.chmod(0o770),
            "the hidden-split cache is mode 0770: others could write to it",
            id="group-writable",
        ),
        pytest.param(
            lambda cache: (
                (cache.parent / "elsewhere").mkdir(mode=0o700)
                or cache.symlink_to(cache.parent / "elsewhere")
            ),
            "the hidden-split cache is a symlink",
            id="symlink",
        ),
        pytest.param(
            lambda cache: cache.write_text("not a folder"),
            "the hidden-split cache is not a folder",
            id="a-file",
        ),
    ],
)
def test_a_cache_others_could_touch_is_refused_with_the_fix(
    synthetic_root, tmp_path, prepare, problem
):
    cache = tmp_path / "cache"
    prepare(cache)
    with pytest.raises(DataError) as raised:
        load_hidden_split(load_layout(synthetic_root), "cifar10", cache)
    assert raised.value.message == problem
    assert raised.value.path == str(cache)
    assert raised.value.hint == (
        f"remove it, or give a folder of your own with mode 0700 (mkdir -m 700 {cache})"
    )
    elsewhere = tmp_path / "elsewhere"
    assert not elsewhere.exists() or list(elsewhere.iterdir()) == []  # nothing written through it


@pytest.mark.skipif(os.geteuid() != 0, reason="making a folder owned by another uid needs root")
def test_a_cache_owned_by_someone_else_is_refused(synthetic_root, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    os.chown(cache, 61999, 61999)
    with pytest.raises(DataError) as raised:
        load_hidden_split(load_layout(synthetic_root), "cifar10", cache)
    assert raised.value.message == (
        "the hidden-split cache is owned by uid 61999, not by this grader (uid 0)"
    )
    assert list(cache.iterdir()) == []
