"""Small TorchScript models, written here, that stand in for what students save.

Each has a known structure: a plain CNN (conv, pool, batch norm, linear), an inception-style block
(parallel convs joined by torch.cat), residual blocks (identity and projection shortcuts), a dense
concatenation that is NOT inception, and models that break the output contract. The hostile ones
fake a structure: classes merely named like torch.nn layers, layers in a branch that never runs,
and `record_function` scopes named after ops.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

IMAGE_SIZE = 16


class PlainCNN(nn.Module):
    def __init__(self, logits: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(32, logits))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class Inception(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.one = nn.Conv2d(channels, 4, 1)
        self.three = nn.Sequential(
            nn.Conv2d(channels, 4, 1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1)
        )
        self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(channels, 4, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.one(x), self.three(x), self.pool(x)], dim=1)


class InceptionNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.block = Inception(8)
        self.head = nn.Linear(12, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(F.adaptive_avg_pool2d(self.block(self.stem(x)), 1).flatten(1))


class ResidualBlock(nn.Module):
    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels_in, channels_out, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels_out)
        self.conv2 = nn.Conv2d(channels_out, channels_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels_out)
        self.shortcut: nn.Module = nn.Identity()
        if channels_in != channels_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(channels_in, channels_out, 1), nn.BatchNorm2d(channels_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResidualNet(nn.Module):
    def __init__(self, projection_only: bool = False) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        blocks = (
            [ResidualBlock(8, 16)]
            if projection_only
            else [ResidualBlock(8, 8), ResidualBlock(8, 16)]
        )
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(F.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1).flatten(1))


class DenseConcat(nn.Module):
    """cat([x, conv(x)]): a dense connection, not parallel inception branches."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.grow = nn.Conv2d(8, 8, 3, padding=1)
        self.head = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(x))
        x = torch.cat([x, F.relu(self.grow(x))], dim=1)
        return self.head(F.max_pool2d(x, 16).flatten(1))


class FrozenBase(nn.Module):
    """A transfer-style model: frozen convolutional base, trainable head."""

    def __init__(self) -> None:
        super().__init__()
        self.base = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Linear(4, 1)
        self.base.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.base(x).flatten(1))


class Squeezed(nn.Module):
    """Returns N logits instead of N×1 (a squeezed binary output)."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x.mean(dim=(2, 3))).squeeze(1)


class ReturnsTuple(nn.Module):
    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x.mean(dim=(2, 3)), x.amax(dim=(2, 3))


class ReturnsNaN(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3)) * float("nan")


class Conv2d(nn.Module):
    """Named like nn.Conv2d; does nothing."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class BatchNorm2d(nn.Module):
    """Named like nn.BatchNorm2d; does nothing."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class MaxPool2d(nn.Module):
    """Named like nn.MaxPool2d; a reshape, no pooling op."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1)


class Linear(nn.Module):
    """Named like nn.Linear; a slice, no linear op."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :10]


class LookalikeLayers(nn.Module):
    """Every layer a student's class named like torch.nn's: no layer op ever runs."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(Conv2d(), BatchNorm2d(), Conv2d(), MaxPool2d())
        self.head = Linear()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class DeadBranchCNN(nn.Module):
    """One conv that runs and a second only under `x.sum() > 1e9`, never true on images in [0, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.bn(self.conv1(x))))
        if x.sum() > 1e9:
            x = self.conv2(x)
        return self.head(x.mean(dim=(2, 3)))


class DeadBranchResidual(nn.Module):
    """A residual block and an inception block, each only under a data condition never true."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.block = ResidualBlock(8, 8)
        self.inception = Inception(8)
        self.head = nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(x))
        if x.sum() > 1e9:
            x = self.block(x)
        if x.amax() > 1e9:
            x = self.inception(x)[:, :8]
        return self.head(x.mean(dim=(2, 3)))


class ThrownAway(nn.Module):
    """A plain linear model that also runs a CNN, an inception block and a residual block whose
    results it throws away (kept in a local, or summed into a value never returned)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.dense = nn.Linear(8, 10)
        self.inception = Inception(3)
        self.block = ResidualBlock(3, 3)
        self.head = nn.Linear(3, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.pool(self.bn(self.conv2(F.relu(self.conv1(x)))))
        unused = self.dense(features.mean(dim=(2, 3)))
        branches = self.inception(x)
        skipped = self.block(x)
        total = unused.sum() + branches.sum() + skipped.sum()
        if total.item() == 12345.678:  # a use that never reaches the output
            print("never")
        return self.head(x.mean(dim=(2, 3)))


class InPlaceResidual(nn.Module):
    """torchvision's ResNet style: `out += identity` in place, then `relu_`, legitimately."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = F.relu(self.stem(x))
        out = F.relu(self.bn1(self.conv1(identity)))
        out = self.bn2(self.conv2(out))
        out += identity
        out.relu_()
        return self.head(self.pool(out).mean(dim=(2, 3)))


class GatedResidual(nn.Module):
    """A residual block behind a bool attribute (`if self.use_block:`): legit when it is on."""

    def __init__(self, use_block: bool) -> None:
        super().__init__()
        self.use_block = use_block
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.block = ResidualBlock(8, 8)
        self.head = nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(x))
        if self.use_block:
            x = self.block(x)
        return self.head(x.mean(dim=(2, 3)))


class ForgedScopes(nn.Module):
    """One real conv; `record_function` scopes named after conv, pooling and cat ops."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.head = nn.Linear(4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.autograd.profiler.record_function("aten::conv2d"):
            x = self.conv(x)
        with torch.autograd.profiler.record_function("aten::max_pool2d"):
            x = x * 2
        with torch.autograd.profiler.record_function("aten::cat"):
            x = x.mean(dim=(2, 3))
        return self.head(x)


def save_scripted(module: nn.Module, path: Path) -> nn.Module:
    """torch.jit.script + save; returns the eager module in eval mode for reference outputs."""
    module.eval()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit.*", category=DeprecationWarning)
        torch.jit.script(module).save(str(path))
    return module


def save_traced(module: nn.Module, path: Path) -> nn.Module:
    """torch.jit.trace (on a 2-image batch) + save; returns the eager module in eval mode."""
    module.eval()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit.*", category=DeprecationWarning)
        torch.jit.trace(module, torch.rand(2, 3, IMAGE_SIZE, IMAGE_SIZE)).save(str(path))
    return module


def load(path: Path) -> torch.jit.ScriptModule:
    """torch.jit.load, as inside_predict.py loads a model."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit.*", category=DeprecationWarning)
        return torch.jit.load(str(path))
