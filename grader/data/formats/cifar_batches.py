"""`cifar_batches`: CIFAR-10's "python version", pickled batches of 32×32 RGB images, read with a
restricted unpickler; models get float32 N×3×32×32 in [0, 1] and return N×K logits, one per
class named in `batches.meta`.

    train/<name>/data_batch_1 … data_batch_5, batches.meta      hidden/<name>/test_batch
    train/<name>/cifar-10-batches-py/   the same training files (hard links), where
                                        torchvision looks for them

torchvision's `datasets.CIFAR10(root=$GRADER_DATA/<name>, download=False)` checks the md5 of
`test_batch` too, so it refuses a folder without it; the hidden test batch is never put there.
A notebook reads the batches itself (the template shows how) or subclasses `CIFAR10`.

Synthetic copies draw the CIFAR-like objects of `grader.data.synthetic_images`. Must not run
models.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np

from grader.data.cifar_format import (
    META_FILE,
    TEST_BATCH,
    TRAIN_BATCHES,
    CifarBatch,
    encode_batch,
    encode_meta,
    read_batch,
    read_label_names,
)
from grader.data.formats.base import (
    DatasetDeclaration,
    DatasetFormat,
    DecodedSplit,
    SynthesisSizes,
    image_rng,
)

IMAGE_SIZE = 32
TORCHVISION_FOLDER = "cifar-10-batches-py"


def link_torchvision_folder(train: Path) -> None:
    """Hard-link the training batches and batches.meta into `train/cifar-10-batches-py/`
    (no second copy on disk)."""
    folder = train / TORCHVISION_FOLDER
    folder.mkdir()
    for file_name in (*TRAIN_BATCHES, META_FILE):
        (folder / file_name).hardlink_to(train / file_name)


class CifarBatchesDeclaration(DatasetDeclaration):
    format: Literal["cifar_batches"]


def _batch(
    seed: int, stream: tuple[int, ...], batch_index: int, size: int, batch_label: str, first: int
) -> CifarBatch:
    from grader.data.synthetic_images import CIFAR_LABEL_NAMES, draw_cifar_object

    labels_stream, pixels_stream = stream[0] + 0, stream[0] + 1
    labels = np.random.default_rng([seed, labels_stream, *stream[1:], batch_index]).permutation(
        np.arange(size) % 10
    )
    images = np.empty((size, 3 * IMAGE_SIZE * IMAGE_SIZE), dtype=np.uint8)
    for index, label in enumerate(labels):
        pixels = draw_cifar_object(
            image_rng(seed, pixels_stream, *stream[1:], batch_index, index), int(label)
        )
        images[index] = pixels.transpose(2, 0, 1).reshape(-1)  # R plane, G plane, B plane
    filenames = tuple(
        f"synthetic_{CIFAR_LABEL_NAMES[label]}_s_{first + index:06d}.png"
        for index, label in enumerate(labels)
    )
    return CifarBatch(images=images, labels=labels, batch_label=batch_label, filenames=filenames)


class CifarBatches(DatasetFormat):
    name = "cifar_batches"
    summary = "CIFAR-10's python batches (data_batch_1…5, batches.meta; test_batch hidden)"
    declaration = CifarBatchesDeclaration
    stream = 2  # labels; the pixels use the next stream
    importer = "import-cifar10"
    default_perturbation = "shift"
    sizes = MappingProxyType(
        {  # train: per batch (five batches)
            "tiny": SynthesisSizes(40, 0, 100),
            "small": SynthesisSizes(400, 0, 1000),
            "medium": SynthesisSizes(2000, 0, 2000),
        }
    )

    def classes(self, declared: DatasetDeclaration) -> int:
        return 10

    def contract(self, declared: DatasetDeclaration) -> str:
        return "float32 N×3×32×32 RGB images in [0, 1] in; N×10 logits out (batches.meta order)"

    def required_pieces(
        self, name: str, declared: DatasetDeclaration, train_dir: Path, hidden_dir: Path
    ) -> list[tuple[Path, str]]:
        return [
            *((train_dir / name / file, "file") for file in (*TRAIN_BATCHES, META_FILE)),
            (hidden_dir / name / TEST_BATCH, "file"),
        ]

    def hidden_under_train(
        self, name: str, declared: DatasetDeclaration, train_dir: Path
    ) -> list[Path]:
        return [train_dir / name / TEST_BATCH, train_dir / name / TORCHVISION_FOLDER / TEST_BATCH]

    def hidden_sources(self, root: Path, name: str, declared: DatasetDeclaration) -> list[Path]:
        return [root / "hidden" / name / TEST_BATCH, root / "train" / name / META_FILE]

    def decode_hidden(
        self, root: Path, name: str, declared: DatasetDeclaration, inputs_path: Path
    ) -> DecodedSplit:
        batch = read_batch(root / "hidden" / name / TEST_BATCH)
        class_names = read_label_names(root / "train" / name / META_FILE)
        inputs = batch.images.reshape(-1, 3, IMAGE_SIZE, IMAGE_SIZE).astype(np.float32) / 255.0
        np.save(inputs_path, inputs, allow_pickle=False)
        return DecodedSplit(batch.labels.astype(np.int64), class_names)

    def synthesize(
        self,
        name: str,
        declared: DatasetDeclaration,
        train_dir: Path,
        hidden_dir: Path,
        *,
        seed: int,
        hidden_seed: int,
        sizes: SynthesisSizes,
        stream: tuple[int, ...],
    ) -> Mapping[str, int]:
        from grader.data.synthetic_images import CIFAR_LABEL_NAMES

        train, hidden = train_dir / name, hidden_dir / name
        train.mkdir(parents=True)
        hidden.mkdir(parents=True)
        per_batch = sizes.train
        for number, file_name in enumerate(TRAIN_BATCHES, start=1):
            label = f"training batch {number} of {len(TRAIN_BATCHES)}"
            batch = _batch(seed, stream, number, per_batch, label, (number - 1) * per_batch)
            (train / file_name).write_bytes(encode_batch(batch))
        test = _batch(
            hidden_seed,
            stream,
            0,
            sizes.test,
            "testing batch 1 of 1",
            len(TRAIN_BATCHES) * per_batch,
        )
        (hidden / TEST_BATCH).write_bytes(encode_batch(test))
        (train / META_FILE).write_bytes(
            encode_meta(CIFAR_LABEL_NAMES, num_cases_per_batch=per_batch)
        )
        link_torchvision_folder(train)
        return {"train": per_batch * len(TRAIN_BATCHES), "test": sizes.test}


FORMAT = CifarBatches()
