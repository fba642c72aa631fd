"""`build_release`: byte-identical rebuilds, a clean student release, a complete grader bundle, safe replacement."""

import hashlib
import json
import tomllib
from pathlib import Path

import nbformat
import pytest

from grader.rubric import load_rubric
from grader.templates.errors import TemplateError
from grader.templates.manifest import load_template
from grader.templates.markers import hidden_texts, solution_texts
from grader.templates.release import ReleaseBuild, build_release
from tests.fixtures.template_copies import (
    P1,
    P2,
    REFERENCE_TEMPLATE,
    copy_template,
    edit_master,
    replace_in_cell,
    tree_digest,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> ReleaseBuild:
    """The reference template built once; tests must not modify it."""
    return build_release(load_template(REFERENCE_TEMPLATE), tmp_path_factory.mktemp("dist") / "hw4")


def test_building_twice_gives_byte_identical_files_and_modes(built, tmp_path):
    again = build_release(load_template(REFERENCE_TEMPLATE), tmp_path / "elsewhere" / "hw4")
    first, second = tree_digest(built.out), tree_digest(again.out)
    assert first == second
    assert set(first) == {*built.student_files, *built.grader_files}
    assert {mode for _, mode in first.values()} == {0o644}
    assert (built.out.stat().st_mode & 0o777) == 0o755


def test_the_build_reports_what_it_wrote(built):
    assert built.student_files == (
        "student/p1_cats_dogs.ipynb",
        "student/p2_cifar10.ipynb",
        "student/questions.html",
        "student/questions.md",
    )
    assert built.grader_files == (
        "grader/bundle.toml",
        "grader/parameters.toml",
        "grader/rubric.toml",
        "grader/solution/p1_cats_dogs.ipynb",
        "grader/solution/p2_cifar10.ipynb",
        "grader/solution/written_solution.md",
    )
    assert built.solutions_stubbed == 22 and built.hidden_removed == 4
    assert built.leaks == () and built.variant_students == ()


@pytest.mark.parametrize("name", [P1, P2])
def test_released_notebooks_have_no_outputs_metadata_solutions_or_hidden_checks(built, name):
    raw = (built.student_dir / name).read_bytes()
    assert raw.endswith(b"}\n")
    data = json.loads(raw)
    assert raw.decode() == json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    notebook = nbformat.reads(raw.decode(), as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata == {
        "kernelspec": {"display_name": "Python 3", "name": "python3"},
        "language_info": {"name": "python"},
    }
    assert [cell.id for cell in notebook.cells] == [f"cell-{i}" for i in range(len(notebook.cells))]
    for cell in notebook.cells:
        assert cell.metadata == {}
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    text = "\n".join(cell.source for cell in notebook.cells)
    assert "BEGIN" not in text and "END SOLUTION" not in text and "END HIDDEN" not in text
    master = REFERENCE_TEMPLATE / name
    for secret in solution_texts(master) + hidden_texts(master):
        assert secret not in text
    assert "assert" not in text and "torch.jit.load" not in text  # the hidden checks
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert code.count("# YOUR CODE HERE\n") == code.count("raise NotImplementedError()") >= 5


def test_a_cell_left_empty_is_dropped(built):
    master = nbformat.read(REFERENCE_TEMPLATE / P1, as_version=4)
    released = nbformat.read(built.student_dir / P1, as_version=4)
    assert len(released.cells) == len(master.cells) - 1  # the all-hidden check cell at the end
    assert master.cells[-1].source.startswith("# BEGIN HIDDEN")


def test_the_canonical_question_sheet_is_released(built):
    markdown = (built.student_dir / "questions.md").read_text()
    html = (built.student_dir / "questions.html").read_text()
    assert "HW4" in markdown and html.startswith("<!DOCTYPE html>")


def test_the_grader_bundle_is_complete_and_hashed(built):
    bundle = tomllib.loads((built.grader_dir / "bundle.toml").read_text())
    assert bundle["bundle"] == {
        "template": "hw4",
        "title": "HW4 — Convolutional neural networks",
        "rubric": "rubric.toml",
        "parameters": "parameters.toml",
        "written_solution": "solution/written_solution.md",
        "notebooks": ["solution/p1_cats_dogs.ipynb", "solution/p2_cifar10.ipynb"],
        "variants": [],
    }
    listed = {f"grader/{path}" for path in bundle["files"]} | {"grader/bundle.toml"}
    assert listed == set(built.grader_files)
    for table, folder in (("files", built.grader_dir), ("release_files", built.student_dir)):
        for path, digest in bundle[table].items():
            assert hashlib.sha256((folder / path).read_bytes()).hexdigest() == digest
    assert {f"student/{p}" for p in bundle["release_files"]} == set(built.student_files)
    for name in (P1, P2):  # the masters, hidden checks included, byte for byte
        assert (built.grader_dir / "solution" / name).read_bytes() == (
            REFERENCE_TEMPLATE / name
        ).read_bytes()


def test_the_bundled_rubric_loads_with_the_bundled_parameters(built):
    rubric = load_rubric(built.grader_dir / "rubric.toml")
    assert rubric.parameters_path == (built.grader_dir / "parameters.toml").resolve()
    original = load_rubric(Path("rubrics/hw4.toml"))
    assert rubric.questions == original.questions and rubric.models == original.models


def test_a_rebuild_replaces_the_previous_build_cleanly(tmp_path):
    template = load_template(REFERENCE_TEMPLATE)
    out = tmp_path / "dist" / "hw4"
    build_release(template, out)
    before = tree_digest(out)
    (out / "student" / "stale.txt").write_text("from an old build")
    build_release(template, out)
    assert tree_digest(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["hw4"]  # no staging folders left


def test_a_failed_build_leaves_the_previous_one_untouched(tmp_path):
    template_dir = copy_template(tmp_path / "course")
    out = tmp_path / "dist" / "hw4"
    build_release(load_template(template_dir), out)
    before = tree_digest(out)
    edit_master(template_dir, P2, replace_in_cell("class Residual", "### END SOLUTION", "", 1))
    with pytest.raises(
        TemplateError,
        match=r"p2_cifar10.ipynb: cell 10, line 9: '### BEGIN SOLUTION' inside the solution region opened at line 4",
    ):
        build_release(load_template(template_dir), out)
    assert tree_digest(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["hw4"]


def test_an_unrelated_folder_is_never_replaced(tmp_path):
    template = load_template(REFERENCE_TEMPLATE)
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("...")
    with pytest.raises(TemplateError, match="exists and is not a previous build"):
        build_release(template, precious)
    assert (precious / "chapter1.tex").read_text() == "..."
    with pytest.raises(TemplateError, match="is inside the template folder"):
        build_release(template, REFERENCE_TEMPLATE / "dist")
    with pytest.raises(TemplateError, match="replacing this folder would delete"):
        build_release(template, REFERENCE_TEMPLATE.parent)
    (tmp_path / "link").symlink_to(precious)
    with pytest.raises(TemplateError, match="is a symbolic link"):
        build_release(template, tmp_path / "link")
    assert (precious / "chapter1.tex").read_text() == "..."


def test_metadata_tags_and_outputs_of_an_untidy_master_are_scrubbed(tmp_path):
    template_dir = copy_template(tmp_path / "course")

    def untidy(notebook: nbformat.NotebookNode) -> None:
        notebook.metadata["widgets"] = {"state": {"secret": "cached"}}
        notebook.metadata["celltoolbar"] = "Create Assignment"
        notebook.metadata["kernelspec"]["env"] = {"TOKEN": "x"}
        notebook.metadata["language_info"]["version"] = "3.11.9"
        setup = notebook.cells[3]
        setup.execution_count = 7
        setup.outputs = [nbformat.v4.new_output("stream", text="torch.Size([40, 3, 150, 150])\n")]
        setup.metadata = {
            "nbgrader": {"grade": False},
            "tags": ["setup", "Solution"],
            "scrolled": True,
        }
        notebook.cells.append(
            nbformat.v4.new_code_cell("whole_cell_answer = 42", metadata={"tags": ["solution"]})
        )
        notebook.cells.append(
            nbformat.v4.new_code_cell(
                "assert whole_cell_answer == 42", metadata={"tags": ["hidden"]}
            )
        )

    edit_master(template_dir, P1, untidy)
    build = build_release(load_template(template_dir), tmp_path / "dist")
    released = nbformat.read(build.student_dir / P1, as_version=4)
    assert released.metadata == {
        "kernelspec": {"display_name": "Python 3", "name": "python3"},
        "language_info": {"name": "python"},
    }
    setup = released.cells[3]
    assert (setup.metadata, setup.outputs, setup.execution_count) == ({"tags": ["setup"]}, [], None)
    assert released.cells[-1].source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert "whole_cell_answer" not in (build.student_dir / P1).read_text()
    assert build.leaks == ()


def test_a_rubric_using_other_parameters_is_refused(tmp_path):
    template_dir = copy_template(tmp_path / "course")
    (template_dir / "other.toml").write_bytes((template_dir / "parameters.toml").read_bytes())
    manifest = template_dir / "template.toml"
    manifest.write_text(manifest.read_text().replace('"parameters.toml"', '"other.toml"'))
    with pytest.raises(
        TemplateError,
        match=r"the rubric uses .*parameters\.toml but template\.parameters is .*other\.toml",
    ):
        build_release(load_template(template_dir), tmp_path / "dist")


def test_variants_are_written_hashed_and_reproducible(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nalice,Alice\nbob,Bob\n")
    template = load_template(REFERENCE_TEMPLATE)
    first = build_release(template, tmp_path / "a", variants_roster=roster)
    second = build_release(template, tmp_path / "b", variants_roster=roster)
    assert tree_digest(first.out) == tree_digest(second.out)
    assert first.variant_students == ("alice", "bob")
    for student in ("alice", "bob"):
        assert f"grader/variants/{student}.toml" in first.grader_files
        for sheet in ("questions.md", "questions.html"):
            assert f"student/variants/{student}/{sheet}" in first.student_files
    bundle = tomllib.loads((first.grader_dir / "bundle.toml").read_text())
    assert bundle["bundle"]["variants"] == ["alice", "bob"]
    assert "variants/alice.toml" in bundle["files"]
    assert "variants/bob/questions.md" in bundle["release_files"]
    assert first.leaks == ()
