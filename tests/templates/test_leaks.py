"""Leak detection on the BUILT release: broken copies of the template where solution or hidden text gets through."""

import html

import nbformat
import pytest

from grader.templates.errors import TemplateError
from grader.templates.leaks import find_leaks
from grader.templates.manifest import load_template
from grader.templates.release import build_release
from tests.fixtures.template_copies import (
    P1,
    P2,
    REFERENCE_TEMPLATE,
    cell_index,
    copy_template,
    edit_master,
    replace_in_cell,
)

SCRATCH_LINE = (
    "self.head = nn.Sequential(nn.Flatten(), nn.Linear(512, 32), nn.ReLU(), nn.Linear(32, 1))"
)


@pytest.fixture
def template_dir(tmp_path):
    return copy_template(tmp_path / "course")


def build(template_dir, out):
    return build_release(load_template(template_dir), out)


def test_the_reference_release_has_no_leaks(tmp_path):
    template = load_template(REFERENCE_TEMPLATE)
    built = build_release(template, tmp_path / "dist")
    assert find_leaks(built.student_dir, template) == []


def test_a_misspelt_solution_marker_lets_the_solution_through_and_is_caught(template_dir, tmp_path):
    edit_master(template_dir, P1, replace_in_cell("class ScratchCNN", "SOLUTION", "SOLUTON", 2))
    built = build(template_dir, tmp_path / "dist")  # the build sees ordinary comments
    assert SCRATCH_LINE in (built.student_dir / P1).read_text()
    [leak] = built.leaks
    assert (leak.file, leak.region_kind) == (P1, "solution")
    # (`self.features = nn.Sequential(` is no evidence: VGGBase's given code starts the same way)
    assert leak.excerpt == "nn.AvgPool2d(3), # 150 -> 50: cheap on a CPU"
    assert leak.origin == "p1_cats_dogs.ipynb cell 6 (misspelt marker '### BEGIN SOLUTON')"
    assert leak.one_line().startswith(
        "p1_cats_dogs.ipynb: contains solution text from p1_cats_dogs.ipynb cell 6 "
        "(misspelt marker '### BEGIN SOLUTON'): 'nn.AvgPool2d(3), # 150 -> 50: cheap on a CPU'"
    )
    assert find_leaks(built.student_dir, load_template(template_dir)) == [leak]


def test_a_misspelt_begin_with_a_correct_end_fails_the_build(template_dir, tmp_path):
    edit_master(
        template_dir, P1, replace_in_cell("class ScratchCNN", "BEGIN SOLUTION", "BEGIN SOLUTON", 1)
    )
    with pytest.raises(TemplateError) as caught:
        build(template_dir, tmp_path / "dist")
    assert caught.value.one_line() == (
        f"{template_dir / P1}: cell 6, line 12: '### END SOLUTION' has no BEGIN SOLUTION before it "
        "(fix: add the BEGIN SOLUTION marker above the region, or delete this line)"
    )


def test_a_hidden_region_without_its_end_fails_the_build(template_dir, tmp_path):
    edit_master(template_dir, P2, replace_in_cell("for model_id, model in", "# END HIDDEN", ""))
    with pytest.raises(TemplateError) as caught:
        build(template_dir, tmp_path / "dist")
    message = caught.value.one_line()
    assert message.startswith(
        f"{template_dir / P2}: cell 12, line 8: '# BEGIN HIDDEN' has no END HIDDEN"
    )
    assert "(fix: add END HIDDEN after the last line of the region)" in message


def test_misspelt_hidden_markers_are_caught_as_hidden_text(template_dir, tmp_path):
    edit_master(template_dir, P2, replace_in_cell("for model_id, model in", "HIDDEN", "HIDEN"))
    [leak] = build(template_dir, tmp_path / "dist").leaks
    assert (leak.file, leak.region_kind) == (P2, "hidden")
    assert (
        leak.excerpt
        == 'assert os.path.getsize("artifacts/p2.baseline.pt") > 0, "p2.baseline was not saved"'
    )


def test_a_solution_repeated_in_the_instructions_is_caught(template_dir, tmp_path):
    def hint(notebook):
        task = notebook.cells[cell_index(notebook, "## p1.scratch")]
        task.source += f"\n\nHint: end with `{SCRATCH_LINE}`."

    edit_master(template_dir, P1, hint)
    [leak] = build(template_dir, tmp_path / "dist").leaks
    assert (leak.file, leak.excerpt) == (P1, SCRATCH_LINE)


def test_a_hand_edited_release_is_caught_in_any_file_and_format(template_dir, tmp_path):
    template = load_template(template_dir)
    release = build_release(template, tmp_path / "dist").student_dir
    hidden_line = (
        'assert os.path.getsize("artifacts/p1.scratch.pt") > 0, "p1.scratch was not saved"'
    )
    (release / "questions.html").write_text(
        (release / "questions.html").read_text()
        + f"<pre><code>{html.escape(hidden_line)}</code></pre>"
    )
    (release / "notes.txt").write_text("    " + "   ".join(SCRATCH_LINE.split(" ")) + "\n")
    solution_text = (template_dir / "written_solution.md").read_text().split("\n")
    explanation = next(line for line in solution_text if line.startswith("4. "))
    (release / "questions.md").write_text((release / "questions.md").read_text() + explanation)
    notebook = nbformat.read(release / P2, as_version=4)
    notebook.cells[-1].outputs = [
        nbformat.v4.new_output("stream", text="return F.relu(x + self.f(x))\n")
    ]
    nbformat.write(notebook, release / P2)

    found = {(leak.file, leak.region_kind) for leak in find_leaks(release, template)}
    assert found == {
        ("questions.html", "hidden"),
        ("notes.txt", "solution"),
        ("questions.md", "written_solution"),
        (P2, "solution"),
    }


def test_lines_also_given_outside_the_regions_are_not_evidence(template_dir, tmp_path):
    def common(notebook):
        cell = notebook.cells[cell_index(notebook, "class ScratchCNN")]
        cell.source = cell.source.replace(
            "### BEGIN SOLUTION\nscratch = fit(",
            "### BEGIN SOLUTION\nimport numpy as np\nx = 1\n# a comment that is long enough\nscratch = fit(",
        )

    edit_master(template_dir, P1, common)
    assert build(template_dir, tmp_path / "dist").leaks == ()


def test_the_whole_build_folder_is_refused(tmp_path):
    template = load_template(REFERENCE_TEMPLATE)
    built = build_release(template, tmp_path / "dist")
    with pytest.raises(
        TemplateError, match=r"is a whole build .* \(fix: pass the student release folder"
    ):
        find_leaks(built.out, template)
