"""`grader data …`: make or import a data root (training data apart from the hidden test splits)
for the datasets a rubric declares.

Thin commands over `grader.data`; problems print one line and exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import fail
from grader.data import SCALES, import_cats_dogs, import_cifar10, write_synthetic_data
from grader.data.formats import DatasetDeclaration
from grader.data.importers import import_npz
from grader.errors import GraderError
from grader.rubric import load_rubric

data_app = typer.Typer(
    help="Create or import a data root: training data (mounted for notebooks) and hidden test "
    "splits (never mounted), for the datasets a rubric declares.",
    no_args_is_help=True,
)

RubricArgument = Annotated[
    Path, typer.Option("--rubric", help="The rubric whose \\[datasets] declare the data.")
]
DatasetOption = Annotated[
    str | None,
    typer.Option(
        "--dataset",
        help="Which declared dataset (default: the rubric's only one of this format).",
        show_default=False,
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Data root to write into.")]


def _declared(rubric: Path, dataset: str | None, format: str) -> tuple[str, DatasetDeclaration]:
    """The dataset of the rubric to import into, by name or as its only one of `format`."""
    loaded = load_rubric(rubric)
    if dataset is not None:
        if dataset not in loaded.datasets:
            known = ", ".join(loaded.datasets) or "none"
            raise GraderError(
                f"the rubric declares no dataset {dataset!r} (it declares {known})",
                path=rubric,
                hint="pass --dataset with a declared name, or declare it in [datasets]",
            )
        return dataset, loaded.datasets[dataset]
    matching = [name for name, declared in loaded.datasets.items() if declared.format == format]
    if len(matching) != 1:
        found = f"{len(matching)} {format} datasets" if matching else f"no {format} dataset"
        raise GraderError(
            f"the rubric declares {found}",
            path=rubric,
            hint="pass --dataset NAME" if matching else f'declare one with format = "{format}"',
        )
    return matching[0], loaded.datasets[matching[0]]


@data_app.command("synth")
def synth(
    out: Annotated[Path, typer.Argument(help="New or empty folder to write the data root into.")],
    rubric: RubricArgument,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the training data (same seed, same bytes).")
    ] = 0,
    scale: Annotated[
        str, typer.Option("--scale", help=f"Dataset size: {', '.join(SCALES)}.")
    ] = "small",
    hidden_seed: Annotated[
        int | None,
        typer.Option(
            "--hidden-seed",
            help="Seed of the hidden test splits (default: a secret one, not recorded, so the "
            "visible data and --seed do not reveal them; give one only to reproduce them).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write small, learnable synthetic copies of the rubric's datasets, in their real formats."""
    try:
        root = write_synthetic_data(
            out,
            datasets=load_rubric(rubric).datasets,
            seed=seed,
            scale=scale,
            hidden_seed=hidden_seed,
        )
    except GraderError as exc:
        fail(exc.one_line())
    typer.echo(f"wrote synthetic data root {root} (hidden test splits in {root / 'hidden'})")


@data_app.command("import-cifar10")
def import_cifar10_command(
    archive: Annotated[Path, typer.Argument(help="cifar-10-python.tar.gz as downloaded.")],
    rubric: RubricArgument,
    out: OutOption = Path("data/real"),
    dataset: DatasetOption = None,
) -> None:
    """Import the real CIFAR-10 python archive as a cifar_batches dataset (test_batch goes to
    the hidden split)."""
    try:
        name, declared = _declared(rubric, dataset, "cifar_batches")
        root = import_cifar10(archive, out, dataset=name, declaration=declared)
    except GraderError as exc:
        fail(exc.one_line())
    typer.echo(f"imported CIFAR-10 into {root} as {name}")


@data_app.command("import-cats-dogs")
def import_cats_dogs_command(
    archive: Annotated[
        Path, typer.Argument(help="Kaggle dogs-vs-cats train.zip (or the zip holding it).")
    ],
    rubric: RubricArgument,
    out: OutOption = Path("data/real"),
    dataset: DatasetOption = None,
    per_class: Annotated[
        int,
        typer.Option(
            "--per-class", min=4, help="Images per class, split 50/25/25 train/validation/test."
        ),
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Seed for picking the images.")] = 0,
) -> None:
    """Import real cats-vs-dogs images as a two-class image_folders dataset (a quarter of them
    into the hidden test split)."""
    try:
        name, declared = _declared(rubric, dataset, "image_folders")
        root = import_cats_dogs(
            archive, out, dataset=name, declaration=declared, per_class=per_class, seed=seed
        )
    except GraderError as exc:
        fail(exc.one_line())
    typer.echo(f"imported cats vs dogs into {root} as {name}")


@data_app.command("import-npz")
def import_npz_command(
    rubric: RubricArgument,
    train: Annotated[Path, typer.Option("--train", help="Training arrays: x and y in one .npz.")],
    test: Annotated[Path, typer.Option("--test", help="Hidden test arrays (never mounted).")],
    validation: Annotated[
        Path | None, typer.Option("--validation", help="Validation arrays (optional).")
    ] = None,
    out: OutOption = Path("data/real"),
    dataset: DatasetOption = None,
) -> None:
    """Import a course's own .npz arrays as an npz dataset, checked against its declaration."""
    try:
        name, declared = _declared(rubric, dataset, "npz")
        root = import_npz(
            out, dataset=name, declaration=declared, train=train, test=test, validation=validation
        )
    except GraderError as exc:
        fail(exc.one_line())
    typer.echo(f"imported {name} into {root}")
