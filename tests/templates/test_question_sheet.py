"""The question sheet: every question with its id, I and F from the parameters given (canonical or a
student's variant), deterministic Markdown and self-contained, escaped HTML."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.reference import AssignmentParameters, load_parameters
from grader.templates.errors import TemplateError
from grader.templates.question_sheet import (
    grid,
    load_question_sheet,
    render_question_sheet,
)
from grader.templates.variants import variant_parameters

REFERENCE = Path("reference/hw4")
TITLE = "HW4 — Convolutional neural networks"
# The assignment's wording (shared/hw4-assignment.md) of the questions that hold no parameter.
FIXED_QUESTIONS = {
    "q1": "Convolve I with F, no padding. Give the output.",
    "q2": "Convolve I with F with zero padding. Give the output.",
    "q4": "Explain convolution as template matching.",
    "q5": "How does a pyramid of fixed-size convolutions give multi-scale analysis?",
    "q6": "Why is depth increased as spatial resolution decreases?",
    "q10": "How can convolution layers be interpreted; early vs deeper layers?",
    "q12": "Purpose of pooling.",
    "q13": "Data augmentation: what is it, when is it most useful?",
    "q14": "Transfer learning: what and why.",
    "q15": "Why freeze the pretrained convolutional base?",
    "q16": "Fine-tuning: what is done after training the new head?",
    "q17": "Idea and advantage of an inception block.",
    "q18": "Advantages of residual blocks.",
    "q19": "How and why visualize intermediate activations?",
    "q20": "How and why visualize the filters (gradient ascent on the input)?",
    "q21": "How and why visualize class-activation heatmaps (Grad-CAM steps)?",
}


@dataclass(frozen=True)
class SheetTemplate:
    title: str = TITLE
    question_sheet_path: Path = REFERENCE / "questions.md.j2"


@pytest.fixture(scope="module")
def canonical() -> AssignmentParameters:
    return load_parameters(REFERENCE / "parameters.toml")


@pytest.fixture(scope="module")
def sheet():
    return load_question_sheet(REFERENCE / "questions.md.j2", title=TITLE)


@pytest.fixture(scope="module")
def alice(canonical) -> AssignmentParameters:
    return variant_parameters(
        canonical, "alice", template_id="hw4", image_values=(0, 4), filter_values=(-1, 2)
    )


def test_every_question_appears_once_in_order_with_its_id(canonical, sheet):
    markdown, _ = sheet.render(canonical)
    headings = re.findall(r"^### (q\d+)$", markdown, re.MULTILINE)
    assert headings == [f"q{n}" for n in range(1, 22)]


def test_canonical_sheet_asks_the_assignments_questions(canonical, sheet):
    markdown, _ = sheet.render(canonical)
    body = " ".join(markdown.split())
    for qid, question in FIXED_QUESTIONS.items():
        assert f"### {qid} {question}" in body, qid
    assert "as a 2-dilated convolution (dilation rate 2), with zero padding" in body
    assert "A 128×128×32 tensor is convolved with 16 filters of 3×3×32. Size of the output?" in body
    assert "Same as q7 with stride 2" in body
    assert "How can a 1×1 convolution reduce the number of channels?" in body
    assert "Apply 2×2 max pooling (stride 2) to I." in body


def test_canonical_sheet_shows_i_and_f_channel_by_channel(canonical, sheet):
    markdown, _ = sheet.render(canonical)
    assert "Image **I** is 4×4×3" in markdown and "The filter **F** is 3×3×3" in markdown
    for name, channel in zip("RGB", canonical.image.values, strict=True):
        assert f"Channel {name}:\n\n{grid(channel)}\n" in markdown
    for name, channel in zip("RGB", canonical.filter.values, strict=True):
        assert f"F, channel {name}:\n\n{grid(channel)}\n" in markdown
    assert "```text\n1  1  1  1\n2  2  2  2\n3  3  3  3\n4  4  4  4\n```" in markdown  # B
    assert "This sheet is for" not in markdown


def test_variant_sheet_shows_the_students_own_values(canonical, alice, sheet):
    markdown, html = sheet.render(alice, student_id="alice")
    assert "This sheet is for **alice**" in markdown
    for spec in (alice.image, alice.filter):
        for channel in spec.values:
            assert grid(channel) in markdown
            rows = grid(channel).removeprefix("```text\n").removesuffix("\n```")
            assert rows in html
    assert grid(canonical.image.values[2]) not in markdown
    assert "<title>HW4 — Convolutional neural networks — alice</title>" in html


def test_tensor_sizes_come_from_the_parameters(canonical, sheet):
    raw = canonical.model_dump()
    raw["questions"]["q7"]["input_shape"] = [64, 48, 8]
    raw["questions"]["q7"]["filters"] = 12
    raw["questions"]["q8"]["stride"] = 3
    markdown, _ = sheet.render(AssignmentParameters.model_validate(raw))
    assert "A 64×48×8 tensor is convolved with 12 filters of 3×3×8." in markdown
    assert "Same as q7 with stride 3" in markdown


def test_grid_aligns_negative_numbers():
    assert grid(((0, 1), (-1, 12))) == "```text\n 0   1\n-1  12\n```"


def test_output_is_deterministic(alice):
    first = render_question_sheet(SheetTemplate(), alice, student_id="alice")
    second = render_question_sheet(SheetTemplate(), alice, student_id="alice")
    assert first == second


def test_html_is_self_contained(canonical, sheet):
    _, html = sheet.render(canonical)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta charset="utf-8">' in html and "<style>" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "http" not in html
    assert (
        "<h3>q21</h3>" in html
        and "<h1>HW4 — Convolutional neural networks: written part</h1>" in html
    )


def test_html_escapes_everything_from_the_template_and_values(canonical, tmp_path):
    source = (
        "# {{ title }}\n\nRaw <script>alert(1)</script> and <b>bold</b>.\n\n"
        "{{ image.channels[0].name }} & {{ questions.q7.filters }}\n"
    )
    path = tmp_path / "sheet.md.j2"
    path.write_text(source, encoding="utf-8")
    raw = canonical.model_dump()
    raw["image"]["channel_names"] = ["<img src=x onerror=alert(1)>", "G", "B"]
    markdown, html = load_question_sheet(path, title="<i>Title</i>").render(
        AssignmentParameters.model_validate(raw), student_id="alice"
    )
    assert "<script>alert(1)</script>" in markdown  # Markdown is the template's text as written
    assert "<script" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>&lt;i&gt;Title&lt;/i&gt; — alice</title>" in html


def test_template_problems_are_template_errors(canonical, tmp_path):
    broken = tmp_path / "broken.md.j2"
    broken.write_text("# Sheet\n\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_question_sheet(broken, title=TITLE)
    assert caught.value.one_line().startswith(f"{broken}: line 3: question sheet template:")
    assert "fix the Jinja2 syntax" in str(caught.value)

    unknown = tmp_path / "unknown.md.j2"
    unknown.write_text("{{ questions.q99.filters }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"unknown\.md\.j2: question sheet template: .*q99"):
        load_question_sheet(unknown, title=TITLE).render(canonical)

    with pytest.raises(TemplateError, match="question sheet template not found"):
        load_question_sheet(tmp_path / "missing.md.j2", title=TITLE)
