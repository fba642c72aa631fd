"""`grader data …`: make or import a data root (training data apart from the hidden test splits).

Thin commands over `grader.data`; problems print one line and exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import fail
from grader.data import SCALES, import_cats_dogs, import_cifar10, write_synthetic_data
from grader.errors import GraderError

data_app = typer.Typer(
    help="Create or import a data root: training data (mounted for notebooks) and hidden test splits (never mounted).",
    no_args_is_help=True,
)


@data_app.command("synth")
def synth(
    out: Annotated[Path, typer.Argument(help="New or empty folder to write the data root into.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 0,
    scale: Annotated[
        str, typer.Option("--scale", help=f"Dataset size: {', '.join(SCALES)}.")
    ] = "small",
) -> None:
    """Write small, learnable synthetic cats-vs-dogs and CIFAR-10 data in the real formats."""
    try:
        root = write_synthetic_data(out, seed=seed, scale=scale)
    except GraderError as exc:
        fail(exc.one_line())
    typer.echo(f"wrote synthetic data root {root} (hidden test splits in {root / 'hidden'})")


@data_app.command("import-cifar10")
def import_cifar10_command(
    archive: Annotated[Path, typer.Argument(help="cifar-10-python.tar.gz as downloaded.")],
    out: Annotated[Path, typer.Option("--out", help="Data root to write into.")] = Path(
        "data/real"
    ),
) -> None:
    """Import the real CIFAR-10 python archive (test_batch goes to the hidden split)."""
    try:
        root = import_cifar10(archive, out)
    except GraderError as exc:
        fail(exc.one_line())
    typer.echo(f"imported CIFAR-10 into {root}")


@data_app.command("import-cats-dogs")
def import_cats_dogs_command(
    archive: Annotated[
        Path, typer.Argument(help="Kaggle dogs-vs-cats train.zip (or the zip holding it).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Data root to write into.")] = Path(
        "data/real"
    ),
    per_class: Annotated[
        int,
        typer.Option(
            "--per-class", min=4, help="Images per class, split 50/25/25 train/validation/test."
        ),
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Seed for picking the images.")] = 0,
) -> None:
    """Import real cats-vs-dogs images (a quarter of them into the hidden test split)."""
    try:
        root = import_cats_dogs(archive, out, per_class=per_class, seed=seed)
    except GraderError as exc:
        fail(exc.one_line())
    typer.echo(f"imported cats vs dogs into {root}")
