"""Training data and hidden test splits for the programming part: synthetic data, real imports, loading.

A DATA_ROOT keeps what students may see (`train/`, mounted read-only as
`$HW4_DATA`) apart from what they must not (`hidden/`, the test splits).
`write_synthetic_data` makes a small learnable one; `import_cifar10` and
`import_cats_dogs` turn the real downloads into one; `load_layout` checks
one; `load_hidden_split` decodes a hidden test split once into a cached
array for evaluation. This package never runs student code or models and
never uses the network.
"""

from typing import TYPE_CHECKING, Any

from grader.data.errors import DataError
from grader.data.hidden import HiddenSplit, load_hidden_split
from grader.data.importers import import_cats_dogs, import_cifar10
from grader.data.layout import DataLayout, load_layout, training_data_dir
from grader.data.synthetic import SCALES, write_synthetic_data

if TYPE_CHECKING:
    from grader.data.pretrained import VGGBase, build_vgg_features

__all__ = [
    "SCALES",
    "DataError",
    "DataLayout",
    "HiddenSplit",
    "VGGBase",
    "build_vgg_features",
    "import_cats_dogs",
    "import_cifar10",
    "load_hidden_split",
    "load_layout",
    "training_data_dir",
    "write_synthetic_data",
]


def __getattr__(name: str) -> Any:
    # torch costs ~1.3 s to import: only code that builds the pretrained base pays for it,
    # not every `grader` command that merely loads a data layout.
    if name in ("VGGBase", "build_vgg_features"):
        from grader.data import pretrained

        return getattr(pretrained, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
