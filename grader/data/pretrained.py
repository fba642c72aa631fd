"""The small pretrained VGG-style base shipped with the synthetic data (`pretrained/vgg_base.pt`).

Real VGG16 weights cannot be downloaded at grading time, so the synthetic
data carries a stand-in: three VGG blocks (conv-relu-conv-relu-maxpool,
16/32/64 channels) in a `torch.nn.Sequential` named `features`, trained for
a few seconds on a separate synthetic task (stripe orientation × spot shape,
see `grader.data.synthetic_images`) so that transfer learning and
fine-tuning on the synthetic cats vs dogs are exercised for real.

Plain VGG (no normalisation) does not leave its initial plateau within
seconds, so training puts a BatchNorm after each conv and then folds it
into the conv's weights: the saved base is plain VGG computing exactly what
the trained network computed.

Training is deterministic for a seed (byte-identical weights on one
machine; other CPUs may round differently): it runs on one CPU thread under
a forked torch RNG, and restores the caller's thread count afterwards. This
module writes only into the folder it is given.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from grader.data.synthetic_images import PRETRAINING_CLASSES, draw_pretraining_patch

BLOCK_CHANNELS = (16, 32, 64)


class VGGBase(nn.Module):
    """The architecture the weights belong to; `features` mirrors torchvision's `vgg16().features`."""

    def __init__(self) -> None:
        super().__init__()
        self.features = build_vgg_features()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.features(images)


def build_vgg_features() -> nn.Sequential:
    """Three VGG blocks: conv3×3-ReLU-conv3×3-ReLU-maxpool2, with 16, 32 and 64 channels."""
    layers: list[nn.Module] = []
    in_channels = 3
    for channels in BLOCK_CHANNELS:
        layers += [
            nn.Conv2d(in_channels, channels, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
        ]
        in_channels = channels
    return nn.Sequential(*layers)


README_TEXT = """\
Pretrained convolutional base for the synthetic HW4 data (a stand-in for VGG16)
==============================================================================

vgg_base.pt holds a state_dict (saved with torch.save) for a small VGG-style
base: three blocks of conv3x3-ReLU-conv3x3-ReLU-maxpool2 with 16, 32 and 64
channels, in an nn.Sequential named `features`, as in torchvision's
vgg16().features. It was pretrained on a separate synthetic task (stripe
orientation x spot shape, {pretrain_samples} patches of {patch_size}x{patch_size}, seed {seed}).
Inputs are RGB float tensors in [0, 1], N x 3 x H x W; no normalisation.
For a 150 x 150 input the output is N x 64 x 18 x 18.

Build the architecture and load the weights like this (no torchvision needed):

```python
import os
from pathlib import Path

import torch
from torch import nn


class VGGBase(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        layers = []
        in_channels = 3
        for channels in (16, 32, 64):
            layers += [
                nn.Conv2d(in_channels, channels, kernel_size=3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(channels, channels, kernel_size=3, padding=1),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=2, stride=2),
            ]
            in_channels = channels
        self.features = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.features(images)


weights = Path(os.environ["HW4_DATA"]) / "pretrained" / "vgg_base.pt"
base = VGGBase()
base.load_state_dict(torch.load(weights, weights_only=True))
for parameter in base.parameters():  # freeze it for transfer learning
    parameter.requires_grad = False
```

The last convolutional block (the one to unfreeze for fine-tuning) is
base.features[10:15].
"""


@dataclass(frozen=True)
class PretrainingPlan:
    """How long the base trains: `steps` batches of `batch_size` patches of `patch_size` pixels."""

    steps: int
    batch_size: int = 32
    patch_size: int = 32
    learning_rate: float = 1e-3


@contextlib.contextmanager
def _one_deterministic_thread(seed: int) -> Iterator[None]:
    """Seed torch and use one thread inside; restore the caller's RNG and thread count after."""
    threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(threads)


def _pretraining_batch(
    rng: np.random.Generator, plan: PretrainingPlan
) -> tuple[torch.Tensor, torch.Tensor]:
    labels = rng.integers(0, PRETRAINING_CLASSES, plan.batch_size)
    patches = np.stack(
        [draw_pretraining_patch(rng, int(label), plan.patch_size) for label in labels]
    )
    images = torch.from_numpy(patches).permute(0, 3, 1, 2).float().div_(255.0)
    return images, torch.from_numpy(labels).long()


def _trainable_features() -> nn.Sequential:
    """The base's layers with a BatchNorm after every conv, which plain VGG needs to train in seconds."""
    layers: list[nn.Module] = []
    for layer in build_vgg_features():
        layers.append(layer)
        if isinstance(layer, nn.Conv2d):
            layers.append(nn.BatchNorm2d(layer.out_channels))
    return nn.Sequential(*layers)


def _fold_batch_norms(trained: nn.Sequential) -> VGGBase:
    """The plain base computing exactly what `trained` computes in eval mode (BN folded into convs)."""
    base = VGGBase()
    convs = [m for m in trained if isinstance(m, nn.Conv2d)]
    norms = [m for m in trained if isinstance(m, nn.BatchNorm2d)]
    targets = [m for m in base.features if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        for conv, norm, target in zip(convs, norms, targets, strict=True):
            assert norm.running_var is not None and norm.running_mean is not None
            scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
            target.weight.copy_(conv.weight * scale[:, None, None, None])
            bias = conv.bias if conv.bias is not None else torch.zeros_like(scale)
            assert target.bias is not None  # VGGBase's convs all have a bias
            target.bias.copy_((bias - norm.running_mean) * scale + norm.bias)
    return base.eval()


def pretrain_vgg_base(seed: int, plan: PretrainingPlan) -> VGGBase:
    """Train the base (with a throwaway head) on the pretraining task; return it with BN folded in."""
    rng = np.random.default_rng([seed, 7])
    with _one_deterministic_thread(seed):
        features = _trainable_features()
        head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(BLOCK_CHANNELS[-1], PRETRAINING_CLASSES),
        )
        model = nn.Sequential(features, head).train()
        optimiser = torch.optim.Adam(model.parameters(), lr=plan.learning_rate)
        for _ in range(plan.steps):
            images, labels = _pretraining_batch(rng, plan)
            optimiser.zero_grad()
            functional.cross_entropy(model(images), labels).backward()
            optimiser.step()
        return _fold_batch_norms(features.eval())


def write_pretrained_base(folder: Path, *, seed: int, plan: PretrainingPlan) -> Path:
    """Pretrain the base and write `vgg_base.pt` (state_dict) and `README.txt` into `folder`."""
    base = pretrain_vgg_base(seed, plan)
    buffer = io.BytesIO()
    torch.save(base.state_dict(), buffer)
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / "vgg_base.pt"
    weights.write_bytes(buffer.getvalue())
    readme = README_TEXT.format(
        pretrain_samples=plan.steps * plan.batch_size, patch_size=plan.patch_size, seed=seed
    )
    (folder / "README.txt").write_text(readme, encoding="utf-8")
    return weights
