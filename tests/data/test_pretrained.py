"""The pretrained VGG-style base: loads as README.txt says, transfers, and training leaves no global trace."""

import re

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional

from grader.data import VGGBase, load_hidden_split, load_layout
from grader.data.pretrained import (
    PretrainingPlan,
    _fold_batch_norms,
    _trainable_features,
    pretrain_vgg_base,
)
from tests.data.builders import read_jpeg_folder


def readme_snippet(root) -> str:
    readme = (root / "train/pretrained/README.txt").read_text()
    found = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert found, "README.txt must hold a python code block"
    return found.group(1)


@pytest.fixture
def documented_base(synthetic_root, monkeypatch):
    """The base built and loaded by running README.txt's code, as a notebook would."""
    monkeypatch.setenv("HW4_DATA", str(synthetic_root / "train"))
    namespace: dict = {}
    exec(compile(readme_snippet(synthetic_root), "README.txt", "exec"), namespace)
    return namespace["base"].eval()


def test_readme_code_loads_the_weights_strictly(documented_base, synthetic_root):
    saved = torch.load(synthetic_root / "train/pretrained/vgg_base.pt", weights_only=True)
    assert set(saved) == set(VGGBase().state_dict())
    assert all(key.startswith("features.") for key in saved)
    for name, tensor in documented_base.state_dict().items():
        assert torch.equal(tensor, saved[name])
    assert not any(p.requires_grad for p in documented_base.parameters())  # frozen as shown


def test_documented_shapes_and_last_block(documented_base):
    with torch.no_grad():
        assert documented_base(torch.rand(2, 3, 150, 150)).shape == (2, 64, 18, 18)
    last_block = documented_base.features[10:15]
    assert [type(m) for m in last_block] == [nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU, nn.MaxPool2d]
    assert last_block[0].out_channels == 64


def test_frozen_base_with_a_linear_head_transfers(documented_base, synthetic_root, tmp_path):
    """Seen: 0.975 (a scratch CNN reaches ~0.94 in the learnability test; colour alone ~0.72)."""
    layout = load_layout(synthetic_root)
    images, labels = read_jpeg_folder(layout.train_dir / "cats_vs_dogs/train")
    hidden = load_hidden_split(layout, "cats_vs_dogs", tmp_path / "cache")
    hidden_images = torch.from_numpy(np.load(hidden.inputs_path))
    with torch.no_grad():
        train_features = torch.cat([documented_base(b).mean((2, 3)) for b in images.split(100)])
        hidden_features = torch.cat(
            [documented_base(b).mean((2, 3)) for b in hidden_images.split(100)]
        )
    mean, std = train_features.mean(0), train_features.std(0) + 1e-6
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        head = nn.Linear(64, 2)
    optimiser = torch.optim.Adam(head.parameters(), lr=1e-2)
    for _ in range(300):
        optimiser.zero_grad()
        functional.cross_entropy(head((train_features - mean) / std), labels).backward()
        optimiser.step()
    with torch.no_grad():
        predicted = head((hidden_features - mean) / std).argmax(1)
    measured = float((predicted == torch.from_numpy(hidden.labels)).float().mean())
    print(f"transfer (frozen base + linear head) hidden accuracy: {measured:.3f}")
    assert measured >= 0.9


def test_folding_batch_norm_keeps_the_function():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        trained = _trainable_features()
        for module in trained:
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.data.uniform_(0.5, 1.5)
                module.bias.data.uniform_(-0.2, 0.2)
        images = torch.rand(3, 3, 40, 40)
    trained.eval()
    folded = _fold_batch_norms(trained)
    with torch.no_grad():
        torch.testing.assert_close(folded(images), trained(images), rtol=1e-4, atol=1e-5)


def test_pretraining_is_deterministic_and_leaves_global_torch_state_alone():
    threads = torch.get_num_threads()
    rng_state = torch.get_rng_state()
    first = pretrain_vgg_base(3, PretrainingPlan(steps=3, batch_size=4))
    second = pretrain_vgg_base(3, PretrainingPlan(steps=3, batch_size=4))
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.get_rng_state(), rng_state)
    for (name, a), (_, b) in zip(
        first.state_dict().items(), second.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name
