"""Generate many written submissions in varied styles (for the benchmark and large-batch tests).

Answers are rendered from the computed key, sometimes with a computed
mistake, a missing answer, struck-out text or a stray figure number, in
LaTeX, Markdown grids, plain text with Q markers, or nested lists.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from grader.reference import QuestionKey
from grader.reference.answer_key import to_jsonable

CONCEPT_SENTENCES = [
    "The filter acts as a template and the output is the dot product of the kernel with each patch.",
    "Where the patch resembles the template the response is high, showing where the pattern occurs.",
    "We keep the filter size fixed and downsample the image to build a pyramid.",
    "Increasing the number of channels compensates for the information lost when resolution is reduced.",
    "Pooling downsamples the feature maps and reduces computation and the number of parameters.",
    "Data augmentation applies random flips, crops and rotations to create more training examples.",
    "Transfer learning reuses a model pretrained on ImageNet as a feature extractor with a new head.",
    "Freezing prevents the pretrained weights from being updated during training.",
    "A residual block adds its input to its output through a skip connection.",
    "Grad-CAM computes the gradient of the class score with respect to the feature maps.",
    "I am not sure about this question.",
]
CONCEPT_IDS = [4, 5, 6, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]


def _fmt(value: object) -> str:
    return str(value)


def latex_matrix(rows: list[list[object]]) -> str:
    body = " \\\\\n".join(" & ".join(_fmt(v) for v in row) for row in rows)
    return "\\begin{bmatrix}\n" + body + "\n\\end{bmatrix}"


def grid(rows: list[list[object]], sep: str = " ") -> str:
    return "\n".join(sep.join(_fmt(v) for v in row) for row in rows)


def nested(rows: list[list[object]]) -> str:
    return str(rows)


def _value_for(key: QuestionKey, rng: random.Random) -> tuple[object, str]:
    """An accepted value most of the time, a computed mistake sometimes."""
    if key.mistakes and rng.random() < 0.25:
        mistake = rng.choice(
            [m for m in key.mistakes if m.name != "channels not summed (one output per channel)"]
            or list(key.mistakes)
        )
        return to_jsonable(mistake.value), mistake.name
    accepted = rng.choice(key.accepted)
    return to_jsonable(accepted.value), accepted.convention


def render_submission(
    student_index: int, keys: dict[str, QuestionKey], rng: random.Random
) -> tuple[str, str]:
    """(file name, text) of one generated written submission."""
    style = rng.choice(["latex", "markdown", "text", "nested"])
    render_matrix: Callable[[list[list[object]]], str] = {
        "latex": latex_matrix,
        "markdown": grid,
        "text": lambda rows: grid(rows, "\t"),
        "nested": nested,
    }[style]
    marker: Callable[[int], str] = {
        "latex": lambda n: f"\\textbf{{Question {n}}}",
        "markdown": lambda n: f"{n}.",
        "text": lambda n: f"Q{n}",
        "nested": lambda n: f"({n})",
    }[style]
    parts: list[str] = [f"HW4 written part, student {student_index}"]
    for number in range(1, 22):
        if rng.random() < 0.05:
            continue  # missing answer
        qid = f"q{number}"
        lines = [marker(number)]
        if qid in keys:
            value, _ = _value_for(keys[qid], rng)
            kind = keys[qid].kind
            if kind == "shape":
                lines.append(
                    rng.choice(["{}x{}x{}", "{} × {} × {}", "({}, {}, {})"]).format(*value)
                )
            elif (
                kind == "tensor"
                and isinstance(value, list)
                and isinstance(value[0], list)
                and isinstance(value[0][0], list)
            ):
                for name, channel in zip(keys[qid].channel_names, value, strict=False):
                    lines.append(f"{name} channel:")
                    lines.append(render_matrix(channel))
            else:
                if rng.random() < 0.1:
                    lines.append("~~" + grid([[0, 0], [0, 0]]) + "~~")
                lines.append(render_matrix(value))  # type: ignore[arg-type]
        else:
            lines.append(" ".join(rng.sample(CONCEPT_SENTENCES, k=rng.randint(1, 3))))
        if rng.random() < 0.05:
            lines.append("Figure 3")
        parts.append("\n".join(lines))
    suffix = {"latex": ".tex", "markdown": ".md", "text": ".txt", "nested": ".md"}[style]
    return f"written{suffix}", "\n\n".join(parts) + "\n"


def write_corpus(root: Path, count: int, keys: dict[str, QuestionKey], seed: int = 0) -> list[Path]:
    """Write `count` student folders under `root`; returns them."""
    rng = random.Random(seed)
    folders = []
    for index in range(count):
        folder = root / f"s{index:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        name, text = render_submission(index, keys, rng)
        (folder / name).write_text(text, encoding="utf-8")
        folders.append(folder)
    return folders
