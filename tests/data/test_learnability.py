"""The synthetic data is learnable: small CNNs trained for seconds on train/ score well on hidden/.

Student-style loading on purpose (PIL for the JPEG folders, `pickle.load(f,
encoding="bytes")` for CIFAR), scored on the grader's hidden split. Training
is seeded; the accuracies seen on the 2-core dev machine are in each test's
docstring. These are learnability checks, not benchmarks: no timing asserts.
"""

import pickle

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional

from grader.data import load_hidden_split, load_layout
from tests.data.builders import read_jpeg_folder


def _block(inputs: int, outputs: int) -> list[nn.Module]:
    return [
        nn.Conv2d(inputs, outputs, 3, padding=1),
        nn.BatchNorm2d(outputs),
        nn.ReLU(),
        nn.MaxPool2d(2),
    ]


def small_cnn(classes: int, *, flat_features: int | None = None) -> nn.Module:
    """Three conv-BN-ReLU-pool blocks, then global average pooling (or flatten) and a linear layer."""
    blocks = [*_block(3, 16), *_block(16, 32), *_block(32, 32)]
    if flat_features is None:
        return nn.Sequential(*blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, classes))
    return nn.Sequential(*blocks, nn.Flatten(), nn.Linear(flat_features, classes))


def train(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, epochs: int, lr: float
) -> nn.Module:
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(labels) // 32)
    # Linear decay to zero: the last epochs settle instead of ending on a noisy step.
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1 - step / steps)
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(labels), 32):
            batch = order[start : start + 32]
            optimiser.zero_grad()
            functional.cross_entropy(model(images[batch]), labels[batch]).backward()
            optimiser.step()
            schedule.step()
    return model.eval()


def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(images).argmax(1) == labels).float().mean())


@pytest.fixture(autouse=True)
def _seeded():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield


def test_small_cnn_learns_cats_vs_dogs(synthetic_root, tmp_path):
    """Seen: 0.94 after 10 epochs on 75×75 (about 5 s on 2 idle cores); colour alone gives ~0.72."""
    layout = load_layout(synthetic_root)
    train_images, train_labels = read_jpeg_folder(layout.train_dir / "cats_vs_dogs/train")
    hidden = load_hidden_split(layout, "cats_vs_dogs", tmp_path / "cache")
    hidden_images = torch.from_numpy(np.load(hidden.inputs_path))
    # Downscale 150 → 75 inside the test to keep it fast; the cue survives.
    model = train(
        small_cnn(2), functional.avg_pool2d(train_images, 2), train_labels, epochs=10, lr=3e-3
    )
    measured = accuracy(
        model, functional.avg_pool2d(hidden_images, 2), torch.from_numpy(hidden.labels)
    )
    print(f"cats_vs_dogs hidden accuracy: {measured:.3f}")
    assert measured >= 0.8


def test_small_cnn_learns_cifar(synthetic_root, tmp_path):
    """Seen: 0.90 after 5 epochs (about 5 s on 2 idle cores); chance is 0.1."""
    layout = load_layout(synthetic_root)
    images, labels = [], []
    for number in range(1, 6):
        with (layout.train_dir / f"cifar10/data_batch_{number}").open("rb") as f:
            batch = pickle.load(f, encoding="bytes")
        images.append(batch[b"data"])
        labels += batch[b"labels"]
    train_images = torch.from_numpy(np.concatenate(images).reshape(-1, 3, 32, 32)).float() / 255
    hidden = load_hidden_split(layout, "cifar10", tmp_path / "cache")
    model = train(
        small_cnn(10, flat_features=32 * 4 * 4),
        train_images,
        torch.tensor(labels),
        epochs=5,
        lr=3e-3,
    )
    measured = accuracy(
        model, torch.from_numpy(np.load(hidden.inputs_path)), torch.from_numpy(hidden.labels)
    )
    print(f"cifar10 hidden accuracy: {measured:.3f}")
    assert measured >= 0.5
