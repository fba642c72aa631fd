"""The `npz` dataset format: declarations, learnable synthetic copies (sequences, token ids, real
targets), the hidden split decoded for the model, `grader data import-npz`, and the check that a
data folder was made for the rubric's declaration."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.data import DataError, load_hidden_split, load_layout, write_synthetic_data
from grader.data.formats import DATASET_FORMATS, DeclarationError, parse_declaration
from grader.data.importers import import_npz
from grader.data.layout import declaration_mismatch

SEQUENCES = parse_declaration(
    "sequences", {"format": "npz", "input_shape": [20, 8], "classes": ["a", "b", "c", "d"]}
)
TOKENS = parse_declaration(
    "tokens",
    {"format": "npz", "input_shape": [12], "input_dtype": "int64", "vocabulary": 50, "classes": 3},
)
SERIES = parse_declaration(
    "series", {"format": "npz", "input_shape": [6, 2], "target": "real", "target_shape": [3]}
)


def test_the_table_holds_the_three_formats_each_with_its_importer():
    assert {name: f.importer for name, f in DATASET_FORMATS.items()} == {
        "image_folders": "import-cats-dogs",
        "cifar_batches": "import-cifar10",
        "npz": "import-npz",
    }
    assert DATASET_FORMATS["npz"].contract(SEQUENCES) == (
        "N×20×8 float32 values in; N×4 logits out"
    )
    assert DATASET_FORMATS["npz"].contract(TOKENS) == (
        "N×12 int64 token ids (0…49) in; N×3 logits out"
    )
    assert DATASET_FORMATS["npz"].contract(SERIES) == "N×6×2 float32 values in; N×3 values out"


@pytest.mark.parametrize(
    ("table", "said"),
    [
        (
            {"format": "npy"},
            "datasets.d: format 'npy' is not a dataset format — did you mean 'npz'?",
        ),
        ({"classes": 2}, "datasets.d: missing field `format`"),
        ({"format": "npz", "input_shape": [4]}, "class targets need `classes`"),
        ({"format": "npz", "input_shape": [4], "classes": 1}, "at least 2 classes"),
        (
            {"format": "npz", "input_shape": [4], "input_dtype": "int64", "classes": 2},
            "token-id inputs (int64) need `vocabulary`",
        ),
        ({"format": "npz", "input_shape": [4], "target": "real", "classes": 2}, "no `classes`"),
        ({"format": "npz", "input_shape": [0, 3], "classes": 2}, "entries must be positive"),
    ],
)
def test_a_bad_declaration_says_what_is_wrong(table, said):
    with pytest.raises(DeclarationError) as raised:
        parse_declaration("d", table)
    assert said in str(raised.value)


@pytest.fixture(scope="module")
def npz_root(tmp_path_factory) -> Path:
    datasets = {"sequences": SEQUENCES, "tokens": TOKENS, "series": SERIES}
    return write_synthetic_data(tmp_path_factory.mktemp("npz") / "data", datasets=datasets)


def _split(root: Path, name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    base = "hidden" if split == "test" else "train"
    with np.load(root / base / name / f"{split}.npz", allow_pickle=False) as arrays:
        return arrays["x"], arrays["y"]


def test_synthetic_arrays_have_the_declared_shapes_and_types(npz_root):
    manifest = tomllib.loads((npz_root / "dataset.toml").read_text())
    assert {name: manifest[name]["test"] for name in ("sequences", "tokens", "series")} == {
        "sequences": 400,
        "tokens": 400,
        "series": 400,
    }
    x, y = _split(npz_root, "sequences", "train")
    assert (x.shape, x.dtype, y.shape) == ((800, 20, 8), np.float32, (800,))
    assert np.bincount(y).tolist() == [200, 200, 200, 200]
    x, y = _split(npz_root, "tokens", "validation")
    assert x.dtype == np.int64 and x.shape == (200, 12) and x.min() >= 0 and x.max() < 50
    x, y = _split(npz_root, "series", "test")
    assert x.shape == (400, 6, 2) and y.shape == (400, 3) and y.dtype == np.float32
    assert not (npz_root / "train" / "sequences" / "test.npz").exists()


def _nearest_mean_accuracy(x_train, y_train, x_test, y_test) -> float:
    classes = np.unique(y_train)
    means = np.stack(
        [x_train[y_train == c].reshape((y_train == c).sum(), -1).mean(0) for c in classes]
    )
    flat = x_test.reshape(len(x_test), -1)
    predicted = np.argmin(((flat[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    return float(np.mean(predicted == y_test))


def test_synthetic_data_is_learnable_and_not_trivial(npz_root):
    """A simple learner on the training split does well on the hidden split."""
    accuracy = _nearest_mean_accuracy(
        *_split(npz_root, "sequences", "train"), *_split(npz_root, "sequences", "test")
    )
    assert accuracy > 0.8
    x, y = _split(npz_root, "tokens", "train")
    counts = np.stack([np.bincount(row, minlength=50) for row in x]).astype(float)
    xt, yt = _split(npz_root, "tokens", "test")
    counts_test = np.stack([np.bincount(row, minlength=50) for row in xt]).astype(float)
    assert _nearest_mean_accuracy(counts, y, counts_test, yt) > 0.6
    x, y = _split(npz_root, "series", "train")
    weights, *_ = np.linalg.lstsq(x.reshape(len(x), -1), y, rcond=None)
    xt, yt = _split(npz_root, "series", "test")
    error = float(np.mean((xt.reshape(len(xt), -1) @ weights - yt) ** 2))
    assert error < 0.01 < float(np.var(yt))


def test_the_hidden_split_is_decoded_in_the_declared_dtype(npz_root, tmp_path):
    layout = load_layout(npz_root)
    tokens = load_hidden_split(layout, "tokens", tmp_path)
    inputs = np.load(tokens.inputs_path)
    assert inputs.dtype == np.int64 and inputs.shape == (400, 12)
    assert tokens.labels.dtype == np.int64 and tokens.class_names == ("0", "1", "2")
    series = load_hidden_split(layout, "series", tmp_path)
    assert np.load(series.inputs_path).dtype == np.float32
    assert series.labels.shape == (400, 3) and series.class_names == ()
    sequences = load_hidden_split(layout, "sequences", tmp_path)
    assert sequences.class_names == ("a", "b", "c", "d")


def _arrays(path: Path, n: int, shape=(20, 8), classes=4, **extra) -> Path:
    rng = np.random.default_rng(n)
    arrays = {"x": rng.normal(size=(n, *shape)).astype(np.float32), "y": np.arange(n) % classes}
    np.savez(path, **{**arrays, **extra})
    return path


def test_import_npz_puts_the_test_split_out_of_reach(tmp_path):
    out = import_npz(
        tmp_path / "data",
        dataset="sequences",
        declaration=SEQUENCES,
        train=_arrays(tmp_path / "train.npz", 40),
        validation=_arrays(tmp_path / "val.npz", 8),
        test=_arrays(tmp_path / "test.npz", 12),
    )
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.npz")) == [
        "hidden/sequences/test.npz",
        "train/sequences/train.npz",
        "train/sequences/validation.npz",
    ]
    layout = load_layout(out)
    assert layout.name == "real" and dict(layout.counts["sequences"]) == {
        "train": 40,
        "validation": 8,
        "test": 12,
    }
    assert declaration_mismatch(layout, "sequences", SEQUENCES) is None
    assert (out / "hidden").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (
            lambda p: _arrays(p, 10, shape=(20, 9)),
            "x has shape [10, 20, 9]; the rubric declares N×20×8",
        ),
        (lambda p: _arrays(p, 10, classes=5), "y must be N class ids 0…3"),
        (lambda p: (np.savez(p, inputs=np.zeros((2, 20, 8))), p)[1], "needs arrays `x` and `y`"),
        (lambda p: (p.write_bytes(b"not a zip"), p)[1], "cannot read the arrays"),
    ],
    ids=["shape", "labels", "names", "not npz"],
)
def test_import_npz_refuses_arrays_that_do_not_fit_and_writes_nothing(tmp_path, make, said):
    bad = make(tmp_path / "bad.npz")
    with pytest.raises(DataError) as raised:
        import_npz(
            tmp_path / "data",
            dataset="sequences",
            declaration=SEQUENCES,
            train=_arrays(tmp_path / "train.npz", 8),
            test=bad,
        )
    assert said in str(raised.value) and str(bad) in str(raised.value)
    assert not (tmp_path / "data" / "dataset.toml").exists()


def test_import_npz_from_the_command_line(tmp_path):
    train, test = _arrays(tmp_path / "train.npz", 16), _arrays(tmp_path / "test.npz", 8)
    result = CliRunner().invoke(
        app,
        [
            "data", "import-npz", "--rubric", "rubrics/hw5.toml", "--train", str(train),
            "--test", str(test), "--out", str(tmp_path / "data"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"imported sequences into {tmp_path / 'data'}"
    assert load_layout(tmp_path / "data").datasets == ("sequences",)


def test_data_made_for_another_declaration_is_named(tmp_path):
    out = import_npz(
        tmp_path / "data",
        dataset="sequences",
        declaration=SEQUENCES,
        train=_arrays(tmp_path / "train.npz", 8),
        test=_arrays(tmp_path / "test.npz", 8),
    )
    layout = load_layout(out)
    five = SEQUENCES.model_copy(update={"classes": ("a", "b", "c", "d", "e")})
    assert declaration_mismatch(layout, "sequences", five) == (
        "sequences in the data folder was made for another declaration (classes "
        "['a', 'b', 'c', 'd'] there, ['a', 'b', 'c', 'd', 'e'] in the rubric)"
    )
    assert declaration_mismatch(layout, "tokens", TOKENS) == (
        "the data folder has no dataset 'tokens' (it holds sequences)"
    )


def test_image_size_and_the_pretrained_base_may_change_without_new_data(synthetic_root):
    from tests.homeworks import CATS_DOGS

    layout = load_layout(synthetic_root)
    resized = CATS_DOGS.model_copy(update={"image_size": (64, 64), "pretrained_base": False})
    assert declaration_mismatch(layout, "cats_vs_dogs", resized) is None
    renamed = CATS_DOGS.model_copy(update={"classes": ("cat", "dog")})
    assert "classes ['cats', 'dogs'] there, ['cat', 'dog'] in the rubric" in (
        declaration_mismatch(layout, "cats_vs_dogs", renamed) or ""
    )
