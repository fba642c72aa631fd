"""The hw4 master notebooks: clean, well marked, and valid Python both as solutions and as stubbed releases.

Executing them (full marks on the synthetic data) is `grader check-template`'s job.
"""

import ast

import nbformat
import pytest

from grader.templates.manifest import load_template
from grader.templates.markers import regions, remove_hidden, strip_solutions
from grader.templates.student_notebook import student_notebook
from tests.fixtures.template_copies import P1, P2, REFERENCE_TEMPLATE

QUESTIONS = {
    P1: ["p1.scratch", "p1.visualize", "p1.transfer", "p1.finetune", "p1.augment"],
    P2: ["p2.baseline", "p2.inception", "p2.residual"],
}


@pytest.fixture(scope="module", params=[P1, P2])
def master(request) -> tuple[str, nbformat.NotebookNode]:
    return request.param, nbformat.read(REFERENCE_TEMPLATE / request.param, as_version=4)


def test_the_template_lists_exactly_these_notebooks_and_questions():
    template = load_template(REFERENCE_TEMPLATE)
    assert [p.name for p in template.notebook_paths] == list(QUESTIONS)
    assert list(template.notebook_questions) == [q for qs in QUESTIONS.values() for q in qs]


def test_masters_are_valid_and_committed_without_outputs(master):
    _, notebook = master
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert notebook.metadata.kernelspec.name == "python3"


def test_each_master_has_solution_and_hidden_regions(master):
    name, notebook = master
    kinds = [
        region.kind
        for index, cell in enumerate(notebook.cells)
        for region in regions(cell.source, notebook=name, cell=index)
    ]
    assert kinds.count("solution") >= 5 and kinds.count("hidden") >= 2
    assert "stub" not in kinds  # a stub in a master would stop the solution from running


def test_solutions_and_releases_are_valid_python(master):
    """Solution code (hidden checks kept) parses, and so does every stubbed cell: stubs are indented right."""
    name, notebook = master
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            ast.parse(cell.source)  # markers are comments
            ast.parse(strip_solutions(remove_hidden(cell.source), notebook=name, cell=index))
    released = student_notebook(notebook, name=name).notebook
    for cell in released.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)


def test_every_question_and_its_artifact_contract_is_told_to_students(master):
    name, notebook = master
    released = student_notebook(notebook, name=name).notebook
    markdown = "\n".join(c.source for c in released.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in released.cells if c.cell_type == "code")
    for question_id in QUESTIONS[name]:
        assert f"## {question_id} — " in markdown
    for question_id in QUESTIONS[name]:
        if question_id != "p1.visualize":  # graded from its figures, not a saved model
            assert f'"{question_id}"' in code  # the given save(...) call names the artifact
    assert "artifacts/<id>.pt" in markdown and "HW4_DATA" in markdown and "logits" in markdown
    assert "raise NotImplementedError()" in markdown  # students are told what to replace
