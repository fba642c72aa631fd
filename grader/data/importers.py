"""Turn real data into a DATA_ROOT: `cifar-10-python.tar.gz`, Kaggle's dogs-vs-cats zip, and a
course's own `.npz` arrays, each recorded under the name and declaration the rubric gives it.

Both importers stage their files in a hidden folder inside the root, check
them, and only then move them into `train/` and `hidden/` and record them in
`dataset.toml`; a refused or broken archive leaves the root as it was.
Members are copied by name through `grader.data.archives` (never extracted
by path). CIFAR batches are validated here with the restricted unpickler
(so a wrong or tampered file fails at import, with a clear line, rather than
at grading time) and then kept byte for byte as downloaded.

The importers never overwrite an imported dataset, never mix real data into
a synthetic root, and never touch the network.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from grader.data.archives import (
    copy_tar_members,
    copy_zip_member,
    open_zip,
    read_zip_member,
    remove_tree,
    zip_files,
)
from grader.data.cifar_format import (
    META_FILE,
    TEST_BATCH,
    TRAIN_BATCHES,
    read_batch,
    read_label_names,
)
from grader.data.errors import DataError
from grader.data.formats.base import DatasetDeclaration
from grader.data.formats.cifar_batches import CifarBatchesDeclaration, link_torchvision_folder
from grader.data.formats.image_folders import ImageFoldersDeclaration
from grader.data.formats.npz_arrays import SPLIT_FILES, NpzDeclaration, read_npz
from grader.data.layout import (
    HIDDEN,
    MANIFEST,
    TRAIN,
    DatasetEntry,
    Manifest,
    publish_permissions,
    read_manifest,
    write_manifest,
)

CIFAR_PREFIX = "cifar-10-batches-py/"
CIFAR_MEMBER_CAP = 64 * 1024 * 1024
"""The real batches are ~31 MB each."""
IMAGE_MEMBER_CAP = 16 * 1024 * 1024
NESTED_ZIP_CAP = 2 * 1024 * 1024 * 1024
"""Kaggle's train.zip inside dogs-vs-cats.zip is ~545 MB."""
PET_MEMBER = re.compile(r"^(?:train/)?(cat|dog)\.(\d+)\.jpg$")


@contextmanager
def _import_target(out: Path, dataset: str) -> Iterator[Path]:
    """Check `out` can take `dataset`, and yield a staging folder inside it (removed afterwards)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise DataError("exists and is not a folder", path=out, hint="choose a folder for the data")
    if (out / MANIFEST).exists():
        if read_manifest(out).name != "real":
            raise DataError(
                "this folder holds synthetic data; real data goes into its own folder",
                path=out,
                hint="import into a new folder",
            )
    elif out.is_dir() and any(not entry.name.startswith(".import-") for entry in out.iterdir()):
        raise DataError(
            "folder is not empty and is not a data folder",
            path=out,
            hint="import into a new folder",
        )
    for existing in (out / TRAIN / dataset, out / HIDDEN / dataset):
        if os.path.lexists(existing):
            raise DataError(
                f"{dataset} was already imported here",
                path=existing,
                hint=f"remove {out / TRAIN / dataset} and {out / HIDDEN / dataset} to import again",
            )
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=out))
    try:
        yield staging
    except BaseException:
        remove_tree(staging)
        if created and not any(out.iterdir()):
            out.rmdir()
        raise
    remove_tree(staging)


def _install(
    out: Path, dataset: str, staged_train: Path, staged_hidden: Path, entry: DatasetEntry
) -> None:
    """Move a checked dataset into place and record it in `dataset.toml`."""
    for folder in (out / TRAIN, out / HIDDEN):
        folder.mkdir(exist_ok=True)
    os.replace(staged_train, out / TRAIN / dataset)
    os.replace(staged_hidden, out / HIDDEN / dataset)
    previous = read_manifest(out).datasets if (out / MANIFEST).exists() else {}
    write_manifest(
        out,
        Manifest(
            name="real", created_by="grader data import", datasets={**previous, dataset: entry}
        ),
    )
    publish_permissions(out)


def import_cifar10(
    archive: Path, out: Path, *, dataset: str, declaration: DatasetDeclaration
) -> Path:
    """Import `cifar-10-python.tar.gz` into the DATA_ROOT `out` as `dataset` (test_batch into
    hidden/); return `out`."""
    archive, out = Path(archive), Path(out)
    _check_declaration(declaration, CifarBatchesDeclaration, dataset, "a cifar_batches")
    with _import_target(out, dataset) as staging:
        staged_train, staged_hidden = staging / "train", staging / "hidden"
        staged_train.mkdir()
        staged_hidden.mkdir()
        wanted = {CIFAR_PREFIX + name: staged_train / name for name in (*TRAIN_BATCHES, META_FILE)}
        wanted[CIFAR_PREFIX + TEST_BATCH] = staged_hidden / TEST_BATCH
        found = copy_tar_members(archive, wanted, cap=CIFAR_MEMBER_CAP)
        missing = sorted(set(wanted) - found)
        if missing:
            raise DataError(
                f"not the CIFAR-10 python archive: it lacks {', '.join(missing)}",
                path=archive,
                hint="download cifar-10-python.tar.gz (the 'python version') from the CIFAR-10 page",
            )
        read_label_names(staged_train / META_FILE)
        link_torchvision_folder(staged_train)
        train_count = sum(len(read_batch(staged_train / name).labels) for name in TRAIN_BATCHES)
        test_count = len(read_batch(staged_hidden / TEST_BATCH).labels)
        entry = DatasetEntry(
            counts={"train": train_count, "test": test_count},
            declaration=declaration,
            source=archive.name,
        )
        _install(out, dataset, staged_train, staged_hidden, entry)
    return out


def _pet_members(
    zip_file: zipfile.ZipFile, archive: Path
) -> dict[str, list[tuple[int, zipfile.ZipInfo]]]:
    """Kaggle images by class, `{"cat": [(number, info), ...], "dog": [...]}`, sorted by number."""
    by_class: dict[str, list[tuple[int, zipfile.ZipInfo]]] = {"cat": [], "dog": []}
    for name, info in zip_files(zip_file, archive):
        match = PET_MEMBER.match(name)
        if match:
            by_class[match.group(1)].append((int(match.group(2)), info))
    for members in by_class.values():
        members.sort(key=lambda pair: pair[0])
    return by_class


def _nested_train_zip(zip_file: zipfile.ZipFile, archive: Path) -> zipfile.ZipInfo | None:
    """The `train.zip` inside Kaggle's competition download, if this is that download."""
    for name, info in zip_files(zip_file, archive):
        if name == "train.zip" or name.endswith("/train.zip"):
            return info
    return None


def _split_sizes(per_class: int) -> tuple[int, int, int]:
    """50 % train, 25 % validation, the rest test."""
    train, validation = per_class // 2, per_class // 4
    return train, validation, per_class - train - validation


def _check_jpeg(data: bytes, member: str, archive: Path) -> None:
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError, Image.DecompressionBombError) as error:
        raise DataError(
            f"member {member!r} is not a readable JPEG ({error})", path=archive
        ) from error


def _copy_pets(
    zip_file: zipfile.ZipFile,
    archive: Path,
    staging: Path,
    folders: tuple[str, ...],
    *,
    per_class: int,
    seed: int,
) -> dict[str, int]:
    """Pick `per_class` images of each class at random (seeded) and write the three splits;
    Kaggle's cats go to the first class folder, its dogs to the second."""
    by_class = _pet_members(zip_file, archive)
    sizes = _split_sizes(per_class)
    for kaggle_name, folder_name in zip(("cat", "dog"), folders, strict=True):
        members = by_class[kaggle_name]
        if len(members) < per_class:
            raise DataError(
                f"archive holds {len(members)} {kaggle_name} images, fewer than --per-class {per_class}",
                path=archive,
                hint=f"use a smaller --per-class (at most {len(members)}) or the full Kaggle train.zip",
            )
        order = np.random.default_rng([seed, 0 if kaggle_name == "cat" else 1]).permutation(
            len(members)
        )
        chosen = [members[int(i)] for i in order[:per_class]]
        start = 0
        for split, size in zip(("train", "validation", "test"), sizes, strict=True):
            folder = staging / ("hidden" if split == "test" else "train") / split / folder_name
            folder.mkdir(parents=True)
            for number, info in sorted(chosen[start : start + size], key=lambda pair: pair[0]):
                data = read_zip_member(zip_file, info, cap=IMAGE_MEMBER_CAP, archive=archive)
                _check_jpeg(data, info.filename, archive)
                (folder / f"{kaggle_name}.{number}.jpg").write_bytes(data)
            start += size
    return {
        split: 2 * size for split, size in zip(("train", "validation", "test"), sizes, strict=True)
    }


def import_cats_dogs(
    archive: Path,
    out: Path,
    *,
    dataset: str,
    declaration: DatasetDeclaration,
    per_class: int = 2000,
    seed: int = 0,
) -> Path:
    """Import Kaggle's dogs-vs-cats `train.zip` (or the competition zip holding it) into `out` as
    `dataset`, an image_folders dataset whose classes are the cats and the dogs folders.

    Picks `per_class` cats and dogs (seeded), split 50/25/25 into train,
    validation and hidden test; keeps Kaggle's file names. Returns `out`.
    """
    archive, out = Path(archive), Path(out)
    _check_declaration(declaration, ImageFoldersDeclaration, dataset, "an image_folders")
    assert isinstance(declaration, ImageFoldersDeclaration)
    if len(declaration.classes) != 2:
        raise DataError(
            f"{dataset}: Kaggle's dogs-vs-cats has two classes, the rubric declares "
            f"{len(declaration.classes)}",
            hint='declare classes = ["cats", "dogs"] (the cat images first)',
        )
    if per_class < 4:
        raise DataError(f"--per-class must be at least 4 (one image per split), not {per_class}")
    with _import_target(out, dataset) as staging, open_zip(archive, archive) as outer:
        nested = (
            None
            if any(_pet_members(outer, archive).values())
            else _nested_train_zip(outer, archive)
        )
        if nested is None and not any(_pet_members(outer, archive).values()):
            raise DataError(
                "not the dogs-vs-cats download: no train/cat.N.jpg or dog.N.jpg images and no train.zip",
                path=archive,
                hint="use Kaggle's dogs-vs-cats train.zip (or the competition zip holding it)",
            )
        if nested is None:
            counts = _copy_pets(
                outer, archive, staging, declaration.classes, per_class=per_class, seed=seed
            )
        else:
            inner_path = staging / "train.zip"
            copy_zip_member(outer, nested, inner_path, cap=NESTED_ZIP_CAP, archive=archive)
            with open_zip(inner_path, archive) as inner:
                counts = _copy_pets(
                    inner, archive, staging, declaration.classes, per_class=per_class, seed=seed
                )
        entry = DatasetEntry(
            counts={**counts}, declaration=declaration, source=archive.name, seed=seed
        )
        _install(out, dataset, staging / "train", staging / "hidden", entry)
    return out


def import_npz(
    out: Path,
    *,
    dataset: str,
    declaration: DatasetDeclaration,
    train: Path,
    test: Path,
    validation: Path | None = None,
) -> Path:
    """Import a course's own arrays (`x` and `y` in each .npz) into `out` as `dataset`, checked
    against the rubric's declaration; the test split goes to hidden/. Returns `out`."""
    _check_declaration(declaration, NpzDeclaration, dataset, "an npz")
    assert isinstance(declaration, NpzDeclaration)
    out = Path(out)
    with _import_target(out, dataset) as staging:
        staged_train, staged_hidden = staging / "train", staging / "hidden"
        staged_train.mkdir()
        staged_hidden.mkdir()
        counts: dict[str, int] = {}
        for split, source in (("train", train), ("validation", validation), ("test", test)):
            if source is None:
                continue
            x, _ = read_npz(Path(source), declaration)
            target = (staged_hidden if split == "test" else staged_train) / SPLIT_FILES[split]
            target.write_bytes(Path(source).read_bytes())
            counts[split] = len(x)
        entry = DatasetEntry(counts=counts, declaration=declaration, source=Path(train).name)
        _install(out, dataset, staged_train, staged_hidden, entry)
    return out


def _check_declaration(
    declaration: DatasetDeclaration, expected: type[DatasetDeclaration], dataset: str, what: str
) -> None:
    if not isinstance(declaration, expected):
        raise DataError(
            f"the rubric declares {dataset} as format '{declaration.format}', but this imports "
            f"{what} dataset",
            hint="import with the importer of its format, or fix the rubric's [datasets] table",
        )
