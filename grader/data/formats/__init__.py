"""The one table of dataset formats: how a dataset a rubric declares lies in a DATA_ROOT, how its
hidden split becomes model inputs and targets, and how a learnable synthetic copy is drawn.

A rubric declares each dataset (`[datasets.<name>] format = "…"` and the format's own
fields); adding a format is one module and one line here. Must not run models.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from grader.data.formats import cifar_batches, image_folders, npz_arrays
from grader.data.formats.base import DatasetDeclaration, DatasetFormat

DATASET_FORMATS: Mapping[str, DatasetFormat] = MappingProxyType(
    {
        format.name: format
        for format in (image_folders.FORMAT, cifar_batches.FORMAT, npz_arrays.FORMAT)
    }
)


class DeclarationError(ValueError):
    """A `[datasets.<name>]` table that is not a valid declaration; the message says why."""


def dataset_format(declared: DatasetDeclaration) -> DatasetFormat:
    return DATASET_FORMATS[declared.format]


def parse_declaration(name: str, table: Any) -> DatasetDeclaration:
    """One `[datasets.<name>]` table validated by its format's declaration."""
    from grader.reference.parameters import course_words

    if isinstance(table, DatasetDeclaration):
        return table
    if not isinstance(table, dict):
        raise DeclarationError(f"datasets.{name} must be a table")
    kind = table.get("format")
    spec = DATASET_FORMATS.get(str(kind)) if kind is not None else None
    if spec is None:
        close = difflib.get_close_matches(str(kind), list(DATASET_FORMATS), n=1)
        maybe = f" — did you mean '{close[0]}'?" if close else ""
        said = f"format '{kind}' is not a dataset format" if kind else "missing field `format`"
        raise DeclarationError(
            f"datasets.{name}: {said}{maybe} (formats: {', '.join(DATASET_FORMATS)})"
        )
    try:
        return spec.declaration.model_validate(table)
    except ValidationError as exc:
        raise DeclarationError(f"datasets.{name}: {course_words(exc, spec.declaration)}") from None


__all__ = [
    "DATASET_FORMATS",
    "DatasetDeclaration",
    "DatasetFormat",
    "DeclarationError",
    "dataset_format",
    "parse_declaration",
]
