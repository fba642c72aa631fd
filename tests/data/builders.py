"""Test helpers: tiny archives in the real download formats (CIFAR-10 tar.gz, Kaggle zips), and a student-style image loader."""

import io
import pickle
import stat
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

CIFAR_MEMBERS = (*(f"data_batch_{n}" for n in range(1, 6)), "test_batch", "batches.meta")
LABEL_NAMES = [
    b"airplane",
    b"automobile",
    b"bird",
    b"cat",
    b"deer",
    b"dog",
    b"frog",
    b"horse",
    b"ship",
    b"truck",
]


def cifar_batch_bytes(count: int, seed: int, label: str) -> bytes:
    """A batch pickled the Python 3 way (bytes keys, protocol 2), as re-saved copies often are."""
    rng = np.random.default_rng(seed)
    batch = {
        b"batch_label": label.encode(),
        b"labels": [int(v) for v in rng.integers(0, 10, count)],
        b"data": rng.integers(0, 256, (count, 3072), dtype=np.uint8),
        b"filenames": [f"img_{seed}_{i}.png".encode() for i in range(count)],
    }
    return pickle.dumps(batch, protocol=2)


def cifar_meta_bytes() -> bytes:
    return pickle.dumps(
        {b"num_cases_per_batch": 10, b"label_names": LABEL_NAMES, b"num_vis": 3072}, protocol=2
    )


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def cifar_members(per_batch: int = 10, test_count: int = 20) -> dict[str, bytes]:
    members = {
        f"data_batch_{n}": cifar_batch_bytes(per_batch, n, f"training batch {n} of 5")
        for n in range(1, 6)
    }
    members["test_batch"] = cifar_batch_bytes(test_count, 0, "testing batch 1 of 1")
    members["batches.meta"] = cifar_meta_bytes()
    return members


def cifar_tar(
    path: Path, members: dict[str, bytes] | None = None, *, extra: list[tarfile.TarInfo] = ()
) -> Path:
    """`cifar-10-python.tar.gz` as distributed: a `cifar-10-batches-py/` folder of batches."""
    members = cifar_members() if members is None else members
    with tarfile.open(path, "w:gz") as tar:
        folder = tarfile.TarInfo("cifar-10-batches-py")
        folder.type = tarfile.DIRTYPE
        folder.mode = 0o755
        tar.addfile(folder)
        for name, data in members.items():
            _add_bytes(tar, f"cifar-10-batches-py/{name}", data)
        _add_bytes(tar, "cifar-10-batches-py/readme.html", b"<html></html>")
        for info in extra:
            if info.isfile():
                _add_bytes(tar, info.name, b"payload")
            else:
                tar.addfile(info)
    return path


def jpeg_bytes(seed: int, size: tuple[int, int] = (40, 30)) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def pets_zip_bytes(cats: int, dogs: int, *, prefix: str = "train/") -> bytes:
    """Kaggle's train.zip: `train/cat.N.jpg` and `train/dog.N.jpg`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if prefix:
            archive.writestr(zipfile.ZipInfo(prefix), b"")
        for number in range(cats):
            archive.writestr(f"{prefix}cat.{number}.jpg", jpeg_bytes(number))
        for number in range(dogs):
            archive.writestr(f"{prefix}dog.{number}.jpg", jpeg_bytes(10_000 + number))
    return buffer.getvalue()


def competition_zip(path: Path, train_zip: bytes) -> Path:
    """Kaggle's dogs-vs-cats.zip: train.zip and test1.zip inside another zip."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("train.zip", train_zip)
        archive.writestr("test1.zip", pets_zip_bytes(0, 0, prefix="test1/"))
        archive.writestr("sampleSubmission.csv", "id,label\n")
    return path


def zip_with(path: Path, base: bytes, *, name: str, data: bytes, symlink: bool = False) -> Path:
    """`base` (a zip) plus one hostile member."""
    path.write_bytes(base)
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo(name)
        if symlink:
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, data)
    return path


def read_jpeg_folder(folder) -> tuple[torch.Tensor, torch.Tensor]:
    """What a notebook does: every image to RGB 150×150 (PIL bilinear), cats = 0, dogs = 1."""
    images, labels = [], []
    for label, name in enumerate(("cats", "dogs")):
        for path in sorted((folder / name).iterdir()):
            with Image.open(path) as image:
                images.append(
                    np.asarray(image.convert("RGB").resize((150, 150), Image.Resampling.BILINEAR))
                )
            labels.append(label)
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
    return pixels, torch.tensor(labels)
