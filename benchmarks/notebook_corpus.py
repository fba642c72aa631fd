"""Build what bench_notebooks.py grades: benchmark notebooks, a small CNN, a one-question rubric.

Every folder and file is made readable by other users: the sandbox runs as an
unprivileged uid that must traverse the data root and the hidden-split cache.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import nbformat
import torch
from nbformat.v4 import new_code_cell, new_notebook
from torch import nn

NOTEBOOK = "bench.ipynb"
MODEL_ID = "p1.scratch"
PREMADE_MODEL = "premade_model.pt"

# A trivial notebook: import numpy, a small computation, one check (0² + … + 11² = 506).
TRIVIAL_CELLS = (
    "import numpy as np",
    "x = np.arange(12, dtype=np.float64).reshape(3, 4)\ntotal = float(np.trace(x @ x.T))\ntotal",
    'assert total == 506.0, total\nprint("check passed")',
)
TORCH_CELLS = (
    "import torch",
    "x = torch.arange(12, dtype=torch.float64).reshape(3, 4)\ntotal = float(torch.trace(x @ x.T))\ntotal",
    'assert total == 506.0, total\nprint("check passed")',
)
# Saves a model without importing torch: the artifact was made before the run (see SmallCNN).
COPY_PREMADE_CELL = (
    "import os, shutil\n"
    'os.makedirs("artifacts", exist_ok=True)\n'
    f'shutil.copyfile("{PREMADE_MODEL}", "artifacts/{MODEL_ID}.pt")'
)
NOTEBOOK_CELLS = {
    "trivial": TRIVIAL_CELLS,
    "trivial+model": (*TRIVIAL_CELLS, COPY_PREMADE_CELL),
    "torch": TORCH_CELLS,
}


def world_readable(path: Path) -> Path:
    """chmod a folder 0755 (a file 0644); the sandbox uid cannot traverse 0700 folders."""
    path.chmod(0o755 if path.is_dir() else 0o644)
    return path


def write_submissions(root: Path, count: int, kind: str, model_file: Path | None = None) -> Path:
    """`count` student folders s001 … under `root`, each holding one `kind` benchmark notebook."""
    cells = NOTEBOOK_CELLS[kind]
    root.mkdir(parents=True)
    world_readable(root)
    for index in range(1, count + 1):
        student = world_readable(_mkdir(root / f"s{index:03d}"))
        nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), student / NOTEBOOK)
        world_readable(student / NOTEBOOK)
        if kind == "trivial+model":
            assert model_file is not None
            (student / PREMADE_MODEL).write_bytes(model_file.read_bytes())
            world_readable(student / PREMADE_MODEL)
    return root


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


class SmallCNN(nn.Module):
    """Conv, batch norm, pooling and a linear head: passes the scratch_cnn structure check."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def save_small_cnn(path: Path, seed: int = 0) -> Path:
    """Script SmallCNN (untrained, eval mode) as TorchScript at `path`."""
    torch.manual_seed(seed)
    torch.jit.script(SmallCNN().eval()).save(str(path))
    return world_readable(path)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_rubric(path: Path, template: Path, *, timeout_seconds: float | None = None) -> Path:
    """A rubric with the template's [assignment] shape and [notebooks] limits, no written question
    and one model question (`p1.scratch` in bench.ipynb, cats_vs_dogs); `parameters` is absolute."""
    shipped = tomllib.loads(template.read_text(encoding="utf-8"))
    assignment = dict(shipped["assignment"])
    assignment.update(
        id="bench-notebooks",
        title="Notebook benchmark (one model question, no written part)",
        parameters=str((template.parent / assignment["parameters"]).resolve()),
        total_points=6,
    )
    notebooks = dict(shipped.get("notebooks", {}))
    if timeout_seconds is not None:
        notebooks["timeout_seconds"] = timeout_seconds
    scratch = shipped["models"][MODEL_ID]
    lines = ["[assignment]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in assignment.items()]
    lines += ["", "[questions]", "", "[notebooks]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in notebooks.items()]
    for name, table in shipped.get("datasets", {}).items():  # JSON values are TOML too
        lines += ["", f"[datasets.{name}]", *(f"{k} = {json.dumps(v)}" for k, v in table.items())]
    lines += [
        "",
        f'[models."{MODEL_ID}"]',
        f"title = {_toml_value(scratch['title'])}",
        f'notebook = "{NOTEBOOK}"',
        'dataset = "cats_vs_dogs"',
        "classes = 2",
        "points = 6",
        f"structure = {_toml_value(scratch['structure'])}",
    ]
    for dataset, curve in scratch["thresholds"].items():
        lines.append(
            f"thresholds.{dataset} = {{ full_at = {curve['full_at']}, zero_at = {curve['zero_at']} }}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o644)
    return path
