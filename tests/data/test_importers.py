"""`import_cifar10` / `import_cats_dogs` on tiny archives in the real formats, and hostile archives refused."""

import pickle
import tarfile
import tomllib

import numpy as np
import pytest

from grader.data import (
    DataError,
    import_cats_dogs,
    import_cifar10,
    load_hidden_split,
    load_layout,
    write_synthetic_data,
)
from tests.data.builders import (
    cifar_members,
    cifar_tar,
    competition_zip,
    pets_zip_bytes,
    zip_with,
)
from tests.homeworks import CATS_DOGS, CIFAR10, HW4_DATASETS

AS_CIFAR10 = {"dataset": "cifar10", "declaration": CIFAR10}
AS_CATS_DOGS = {"dataset": "cats_vs_dogs", "declaration": CATS_DOGS}


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# ---------------------------------------------------------------- CIFAR-10


def test_cifar_import_gives_the_layout_and_keeps_the_bytes(tmp_path):
    members = cifar_members(per_batch=10, test_count=20)
    archive = cifar_tar(tmp_path / "cifar-10-python.tar.gz", members)
    out = import_cifar10(archive, tmp_path / "data", **AS_CIFAR10)
    assert files_under(out) == [
        "dataset.toml",
        "hidden/cifar10/test_batch",
        "train/cifar10/batches.meta",
        "train/cifar10/cifar-10-batches-py/batches.meta",
        *(f"train/cifar10/cifar-10-batches-py/data_batch_{n}" for n in range(1, 6)),
        *(f"train/cifar10/data_batch_{n}" for n in range(1, 6)),
    ]
    # torchvision's folder holds the same files, not copies: hard links, nothing hidden.
    linked = out / "train/cifar10/cifar-10-batches-py/data_batch_1"
    assert linked.stat().st_ino == (out / "train/cifar10/data_batch_1").stat().st_ino
    for name, data in members.items():
        where = "hidden" if name == "test_batch" else "train"
        assert (out / where / "cifar10" / name).read_bytes() == data
    manifest = tomllib.loads((out / "dataset.toml").read_text())
    assert manifest["name"] == "real"
    assert manifest["cifar10"] == {
        "source": "cifar-10-python.tar.gz",
        "train": 50,
        "test": 20,
        "declaration": {"format": "cifar_batches", "description": ""},
    }
    layout = load_layout(out)
    assert layout.datasets == ("cifar10",)
    split = load_hidden_split(layout, "cifar10", tmp_path / "cache")
    expected = pickle.loads(members["test_batch"])
    assert split.labels.tolist() == expected[b"labels"]
    assert np.load(split.inputs_path).shape == (20, 3, 32, 32)


def _tar_member(name, kind, target=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    info.mode = 0o644
    return info


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        (_tar_member("cifar-10-batches-py/../../escaped", tarfile.REGTYPE), "path traversal"),
        (_tar_member("/tmp/escaped-absolute", tarfile.REGTYPE), "path traversal"),
        (_tar_member("cifar-10-batches-py/evil-link", tarfile.SYMTYPE, "/etc/passwd"), "is a link"),
        (_tar_member("cifar-10-batches-py/hard", tarfile.LNKTYPE, "/etc/passwd"), "is a link"),
        (_tar_member("cifar-10-batches-py/fifo", tarfile.FIFOTYPE), "not a regular file"),
    ],
)
def test_hostile_tar_members_refuse_the_archive(tmp_path, hostile, message):
    archive = cifar_tar(tmp_path / "cifar-10-python.tar.gz", extra=[hostile])
    out = tmp_path / "data"
    with pytest.raises(DataError, match=message) as raised:
        import_cifar10(archive, out, **AS_CIFAR10)
    assert "archive refused" in str(raised.value)
    assert not out.exists()  # nothing written, not even the folder
    assert not (tmp_path.parent / "escaped").exists()


def test_a_symlink_named_like_a_batch_is_refused(tmp_path):
    members = cifar_members()
    del members["data_batch_1"]
    link = _tar_member("cifar-10-batches-py/data_batch_1", tarfile.SYMTYPE, "/etc/shadow")
    archive = cifar_tar(tmp_path / "c.tar.gz", members, extra=[link])
    with pytest.raises(DataError, match="is a link"):
        import_cifar10(archive, tmp_path / "data", **AS_CIFAR10)
    assert not (tmp_path / "data").exists()


def test_a_tar_without_the_batches_is_named(tmp_path):
    members = cifar_members()
    del members["test_batch"]
    archive = cifar_tar(tmp_path / "c.tar.gz", members)
    with pytest.raises(DataError, match="lacks cifar-10-batches-py/test_batch"):
        import_cifar10(archive, tmp_path / "data", **AS_CIFAR10)


def test_a_batch_that_runs_code_is_refused_at_import(tmp_path):
    members = cifar_members()
    members["data_batch_2"] = b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00trueR."
    archive = cifar_tar(tmp_path / "c.tar.gz", members)
    with pytest.raises(DataError, match=r"refused to load os\.system"):
        import_cifar10(archive, tmp_path / "data", **AS_CIFAR10)
    assert not (tmp_path / "data").exists()


def test_not_a_tar_and_not_there(tmp_path):
    bogus = tmp_path / "cifar.tar.gz"
    bogus.write_bytes(b"not a tar")
    with pytest.raises(DataError, match="not a readable tar archive"):
        import_cifar10(bogus, tmp_path / "data", **AS_CIFAR10)
    with pytest.raises(DataError, match="archive not found"):
        import_cifar10(tmp_path / "missing.tar.gz", tmp_path / "data", **AS_CIFAR10)


def test_members_over_the_size_cap_are_refused(tmp_path, monkeypatch):
    from grader.data import importers

    monkeypatch.setattr(importers, "CIFAR_MEMBER_CAP", 1000)
    archive = cifar_tar(tmp_path / "c.tar.gz")
    with pytest.raises(DataError, match="larger than 1000 bytes"):
        import_cifar10(archive, tmp_path / "data", **AS_CIFAR10)


# ---------------------------------------------------------------- cats vs dogs


def test_cats_dogs_import_picks_and_splits(tmp_path):
    archive = tmp_path / "train.zip"
    archive.write_bytes(pets_zip_bytes(cats=15, dogs=15))
    out = import_cats_dogs(archive, tmp_path / "data", per_class=8, seed=0, **AS_CATS_DOGS)
    counts = {}
    for split, base in (("train", "train"), ("validation", "train"), ("test", "hidden")):
        for label in ("cats", "dogs"):
            names = sorted(p.name for p in (out / base / "cats_vs_dogs" / split / label).iterdir())
            counts[(split, label)] = len(names)
            assert all(n.startswith(label[:-1] + ".") and n.endswith(".jpg") for n in names)
    assert counts == {
        ("train", "cats"): 4,
        ("train", "dogs"): 4,
        ("validation", "cats"): 2,
        ("validation", "dogs"): 2,
        ("test", "cats"): 2,
        ("test", "dogs"): 2,
    }
    assert not (out / "train/cats_vs_dogs/test").exists()
    manifest = tomllib.loads((out / "dataset.toml").read_text())
    assert manifest["cats_vs_dogs"] == {
        "source": "train.zip",
        "seed": 0,
        "train": 8,
        "validation": 4,
        "test": 4,
        "declaration": CATS_DOGS.model_dump(
            mode="json", exclude={"perturbation", "perturbation_margin"}
        ),
    }
    all_names = [p.name for p in out.rglob("*.jpg")]
    assert len(all_names) == len(set(all_names)) == 16  # no image in two splits
    layout = load_layout(out)
    split = load_hidden_split(layout, "cats_vs_dogs", tmp_path / "cache")
    assert np.load(split.inputs_path).shape == (4, 3, 150, 150)


def _picked(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.jpg"))


def test_picks_depend_only_on_the_seed(tmp_path):
    archive = tmp_path / "train.zip"
    archive.write_bytes(pets_zip_bytes(cats=30, dogs=30))
    first = import_cats_dogs(archive, tmp_path / "a", per_class=8, seed=0, **AS_CATS_DOGS)
    second = import_cats_dogs(archive, tmp_path / "b", per_class=8, seed=0, **AS_CATS_DOGS)
    other = import_cats_dogs(archive, tmp_path / "c", per_class=8, seed=1, **AS_CATS_DOGS)
    assert _picked(first) == _picked(second)
    assert _picked(first) != _picked(other)


def test_the_competition_zip_with_a_nested_train_zip(tmp_path):
    inner = pets_zip_bytes(cats=10, dogs=10)
    plain = tmp_path / "train.zip"
    plain.write_bytes(inner)
    nested = competition_zip(tmp_path / "dogs-vs-cats.zip", inner)
    from_nested = import_cats_dogs(nested, tmp_path / "nested", per_class=8, **AS_CATS_DOGS)
    from_plain = import_cats_dogs(plain, tmp_path / "plain", per_class=8, **AS_CATS_DOGS)
    assert _picked(from_nested) == _picked(from_plain)
    for name in _picked(from_plain):
        assert (from_nested / name).read_bytes() == (from_plain / name).read_bytes()
    assert not list((tmp_path / "nested").glob(".import-*"))  # the copied train.zip is gone


@pytest.mark.parametrize(
    ("name", "symlink", "message"),
    [
        ("train/../../escaped.jpg", False, "path traversal"),
        ("/abs/cat.1000.jpg", False, "path traversal"),
        ("C:/windows/cat.1000.jpg", False, "path traversal"),
        ("train/cat.1000.jpg", True, "symbolic link"),
    ],
)
def test_hostile_zip_members_refuse_the_archive(tmp_path, name, symlink, message):
    archive = zip_with(
        tmp_path / "train.zip",
        pets_zip_bytes(8, 8),
        name=name,
        data=b"/etc/passwd",
        symlink=symlink,
    )
    with pytest.raises(DataError, match=message):
        import_cats_dogs(archive, tmp_path / "data", per_class=4, **AS_CATS_DOGS)
    assert not (tmp_path / "data").exists()
    assert not (tmp_path.parent / "escaped.jpg").exists()


def test_hostile_members_inside_the_nested_zip_are_refused(tmp_path):
    inner = zip_with(
        tmp_path / "inner.zip", pets_zip_bytes(8, 8), name="../x.jpg", data=b"x"
    ).read_bytes()
    archive = competition_zip(tmp_path / "dogs-vs-cats.zip", inner)
    with pytest.raises(DataError, match="path traversal"):
        import_cats_dogs(archive, tmp_path / "data", per_class=4, **AS_CATS_DOGS)
    assert not (tmp_path / "data").exists()


def test_too_few_images_and_not_a_pets_zip(tmp_path):
    archive = tmp_path / "train.zip"
    archive.write_bytes(pets_zip_bytes(cats=5, dogs=9))
    with pytest.raises(DataError, match="holds 5 cat images, fewer than --per-class 8"):
        import_cats_dogs(archive, tmp_path / "data", per_class=8, **AS_CATS_DOGS)
    other = zip_with(
        tmp_path / "other.zip", pets_zip_bytes(0, 0, prefix=""), name="readme.txt", data=b"hi"
    )
    with pytest.raises(DataError, match="not the dogs-vs-cats download"):
        import_cats_dogs(other, tmp_path / "data", per_class=4, **AS_CATS_DOGS)


def test_a_member_that_is_not_a_jpeg_is_named(tmp_path):
    base = pets_zip_bytes(cats=3, dogs=4)
    archive = zip_with(tmp_path / "train.zip", base, name="train/cat.100.jpg", data=b"GIF89a")
    with pytest.raises(DataError, match=r"'train/cat\.100\.jpg' is not a readable JPEG"):
        import_cats_dogs(archive, tmp_path / "data", per_class=4, **AS_CATS_DOGS)
    assert not (tmp_path / "data").exists()


# ---------------------------------------------------------------- one root, two imports


def test_both_imports_share_one_root(tmp_path):
    out = tmp_path / "data"
    import_cifar10(cifar_tar(tmp_path / "cifar-10-python.tar.gz"), out, **AS_CIFAR10)
    (tmp_path / "train.zip").write_bytes(pets_zip_bytes(8, 8))
    import_cats_dogs(tmp_path / "train.zip", out, per_class=4, **AS_CATS_DOGS)
    layout = load_layout(out)
    assert layout.name == "real" and layout.datasets == ("cats_vs_dogs", "cifar10")
    assert set(layout.counts) == {"cats_vs_dogs", "cifar10"}
    with pytest.raises(DataError, match="cifar10 was already imported here"):
        import_cifar10(tmp_path / "cifar-10-python.tar.gz", out, **AS_CIFAR10)


@pytest.mark.slow  # writes a synthetic root
def test_refuses_synthetic_roots_and_unrelated_folders(tmp_path):
    archive = cifar_tar(tmp_path / "cifar-10-python.tar.gz")
    synthetic = write_synthetic_data(tmp_path / "synth", datasets=HW4_DATASETS, scale="tiny")
    with pytest.raises(DataError, match="holds synthetic data"):
        import_cifar10(archive, synthetic, **AS_CIFAR10)
    unrelated = tmp_path / "home"
    unrelated.mkdir()
    (unrelated / "thesis.tex").write_text("...")
    with pytest.raises(DataError, match="not empty and is not a data folder"):
        import_cifar10(archive, unrelated, **AS_CIFAR10)
    assert [p.name for p in unrelated.iterdir()] == ["thesis.tex"]
