"""What students may import is the assignment's choice: a rubric's `[notebooks] kernel` list
(pinned) gets its own kernel environment, named by the list; a notebook that stops importing a
package the kernel lacks goes to a person naming the package, never to a quiet zero; and a
notebook written the way the PyTorch tutorials teach (torchvision's ImageFolder, transforms,
models) is graded in the torchvision kernel (`make kernel-env-torchvision`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.data import write_synthetic_data
from grader.pipeline import GradeOptions, grade_submissions
from grader.pipeline.notebook_batch import NotebookOptions, kernel_env_for
from grader.results import Status
from grader.rubric import load_rubric
from grader.sandbox import default_kernel_env
from grader.sandbox.kernel_requirements import (
    RUNTIME,
    declared_packages,
    environment_for,
    environment_name,
    kernel_requirements,
    package_problem,
    rubric_requirements,
)
from grader.storage import Gradebook, open_gradebook
from tests.homeworks import HW4_DATASETS, HW4_RUBRIC, REPO
from tests.rubric.test_rubric_loading import GOOD, error_line

TORCHVISION = declared_packages(REPO / "kernels" / "torchvision.txt")


def test_a_list_names_one_environment_whatever_its_order():
    env = environment_for(Path("/opt/k/kernel-env"), TORCHVISION)
    assert env.parent == Path("/opt/k") and env.name == environment_name(
        rubric_requirements(list(reversed(TORCHVISION)))
    )
    assert env.name.startswith("kernel-") and len(env.name) == len("kernel-") + 12
    assert environment_for(Path("/opt/k/kernel-env"), ()) == Path("/opt/k/kernel-env")
    assert rubric_requirements(["torch==2.14.1", "numpy==2.4.6"])[-len(RUNTIME) :] == list(RUNTIME)


def test_the_runtime_matches_the_default_kernel_extra():
    """Every environment runs notebooks the same way: RUNTIME is pyproject's, pin for pin."""
    import tomllib

    default = kernel_requirements(tomllib.loads((REPO / "pyproject.toml").read_text()))
    assert set(RUNTIME) <= set(default)


@pytest.mark.parametrize(
    ("packages", "said"),
    [
        (["torch>=2.0", "numpy==2.4.6"], "'torch>=2.0' is not pinned: write name==version"),
        (["torchvision==0.29.1", "numpy==2.4.6"], "the list lacks torch"),
        (["torch==2.14.1", "numpy==2.4.6", "nbclient==0.11.0"], "leave out nbclient"),
    ],
)
def test_a_rubric_kernel_list_must_be_pinned_and_complete(tmp_path, packages, said):
    assert said in (package_problem(packages) or "")
    text = GOOD + f"\n[notebooks]\nkernel = {packages!r}\n".replace("'", '"')
    assert f"notebooks: kernel: {said}" in error_line(tmp_path, text)
    assert package_problem(TORCHVISION) is None


def test_the_build_script_lists_and_refuses_like_the_rubric(tmp_path):
    script = REPO / "grader" / "sandbox" / "kernel_requirements.py"
    listed = subprocess.run(
        ["/usr/bin/python3.11", str(script), "list", "pyproject.toml", "kernels/torchvision.txt"],
        capture_output=True, text=True, cwd=REPO, check=True,
    )  # fmt: skip
    assert listed.stdout.splitlines() == [*TORCHVISION, *RUNTIME]
    bad = tmp_path / "rubric.toml"
    bad.write_text('[notebooks]\nkernel = ["torch", "numpy==2.4.6"]\n')
    refused = subprocess.run(
        ["/usr/bin/python3.11", str(script), "build", "--pyproject", "pyproject.toml",
         "--default", str(tmp_path / "kernel-env"), str(bad)],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"error: {bad}: [notebooks] kernel: 'torch' is not pinned: write name==version "
        "(e.g. torchvision==0.29.1)"
    )
    assert not (tmp_path / "kernel-env").exists()


TUTORIAL = """\
import os
import torch
import torchvision
from torch import nn
from torchvision import datasets, models, transforms

torch.manual_seed(0)
root = os.environ["GRADER_DATA"]
transform = transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor()])
trainset = datasets.ImageFolder(os.path.join(root, "cats_vs_dogs", "train"), transform=transform)
trainloader = torch.utils.data.DataLoader(trainset, batch_size=8, shuffle=True, num_workers=0)
print(trainset.classes, torchvision.__version__)
backbone = models.resnet18(weights=None)  # no download: the tutorial's model, untrained
"""
TRAIN_AND_SAVE = """\
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.resize = nn.AdaptiveAvgPool2d(32)  # the grader sends 150×150 images
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        return self.head(self.features(self.resize(x)))

net = Net()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
for epoch in range(3):
    for inputs, labels in trainloader:
        loss = nn.functional.binary_cross_entropy_with_logits(net(inputs).squeeze(1), labels.float())
        optimizer.zero_grad(); loss.backward(); optimizer.step()
os.makedirs("artifacts", exist_ok=True)
torch.jit.script(net.eval()).save("artifacts/p1.scratch.pt")
"""


@pytest.fixture(scope="module")
def world_readable_root():
    root = Path(tempfile.mkdtemp(prefix="hw-grader-kernels-"))
    root.chmod(0o755)  # the sandbox uid must traverse it to mount the training data
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _rubric(root: Path, name: str, kernel: list[str] | None):
    text = HW4_RUBRIC.read_text().replace(
        'parameters = "../reference/hw4/parameters.toml"',
        f'parameters = "{(REPO / "reference/hw4/parameters.toml")}"',
    )
    if kernel is not None:
        listed = ", ".join(json.dumps(p) for p in kernel)
        text = text.replace("[notebooks]\n", f"[notebooks]\nkernel = [{listed}]\n", 1)
    path = root / name
    path.write_text(text)
    return load_rubric(path)


def _grade(root: Path, rubric, data: Path | None) -> tuple[object, dict]:
    subs = root / "subs"
    if not subs.exists():
        (subs / "tutorial").mkdir(parents=True)
        cells = [new_code_cell(TUTORIAL), new_code_cell(TRAIN_AND_SAVE)]
        nbformat.write(new_notebook(cells=cells), subs / "tutorial" / "p1_cats_dogs.ipynb")
    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    options = GradeOptions(
        only="notebooks",
        notebooks=NotebookOptions(data_root=data, kernel_env=default_kernel_env(), workers=1,
                                  cache_dir=root / "cache"),
    )  # fmt: skip
    summary = grade_submissions(
        subs, rubric=rubric, gradebook=gradebook, reports_dir=None, options=options
    )
    (grades,) = gradebook.latest_grades()
    return summary, {q.question_id: q for q in grades.questions}


def test_a_kernel_list_whose_environment_is_not_built_stops_with_the_command(tmp_path):
    rubric = _rubric(tmp_path, "r.toml", ["torch==9.9.9", "numpy==9.9.9"])
    options = NotebookOptions(kernel_env=Path("/opt/hw-grader/kernel-env"))
    assert kernel_env_for(rubric, options).parent == Path("/opt/hw-grader")
    data = write_synthetic_data(tmp_path / "data", datasets=HW4_DATASETS, scale="tiny")
    _, questions = _grade(tmp_path, rubric, data)
    scratch = questions["p1.scratch"]
    assert scratch.status is Status.ERROR
    assert scratch.feedback == (
        f"notebooks were not run: the kernel environment for {rubric.path}'s [notebooks] kernel "
        f"list is not built ({kernel_env_for(rubric, options)}) (fix: run `sudo make kernel-env "
        f"KERNEL_RUBRICS={rubric.path}`)"
    )


@pytest.fixture(scope="module")
def data(world_readable_root):
    return write_synthetic_data(
        world_readable_root / "data", datasets=HW4_DATASETS, scale="tiny", seed=2
    )


@pytest.mark.sandbox
def test_a_package_the_kernel_lacks_goes_to_a_person_naming_it(world_readable_root, data):
    rubric = _rubric(world_readable_root, "default.toml", None)
    summary, questions = _grade(world_readable_root, rubric, data)
    scratch = questions["p1.scratch"]
    assert (scratch.points, scratch.status) == (0, Status.NEEDS_REVIEW)
    assert scratch.details["missing_package"] == "torchvision"
    assert scratch.feedback.endswith(
        "The notebook stopped at cell 1 importing `torchvision`, which the grading environment "
        "does not have: the course decides whether to add it to the rubric's [notebooks] kernel "
        "list and grade again. A person will check this."
    )
    assert all(
        q.status is Status.NEEDS_REVIEW
        for q in questions.values()
        if q.question_id.startswith("p1.")
    )
    reasons = " ".join(summary.needs_attention["tutorial"])  # type: ignore[attr-defined]
    assert (
        "tutorial/p1_cats_dogs.ipynb: imports torchvision, which the kernel environment lacks"
        in reasons
    )


@pytest.mark.sandbox
def test_a_tutorial_style_notebook_is_graded_in_the_torchvision_kernel(world_readable_root, data):
    rubric = _rubric(world_readable_root, "torchvision.toml", TORCHVISION)
    env = kernel_env_for(rubric, NotebookOptions(kernel_env=default_kernel_env()))
    assert (env / "bin" / "python").exists(), (
        f"{env} is missing: run `sudo make kernel-env-torchvision`"
    )
    _, questions = _grade(world_readable_root, rubric, data)
    scratch = questions["p1.scratch"]
    assert scratch.status is Status.GRADED, scratch.feedback
    assert scratch.details["structure"]["passed"] is True
    assert scratch.details["value"] is not None and scratch.points >= 0.25 * scratch.max_points
    assert "missing_package" not in scratch.details
