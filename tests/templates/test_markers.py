"""Solution and hidden markers: every style authors write, stubs at the right indentation, broken markers named."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.templates.errors import TemplateError
from grader.templates.markers import (
    hidden_texts,
    is_stub_line,
    lenient_regions,
    regions,
    remove_hidden,
    solution_texts,
    strip_solutions,
)

SOLUTION_BEGINS = [
    "### BEGIN SOLUTION",
    "# BEGIN SOLUTION",
    "## begin solution",
    "###BEGIN SOLUTION",
    "  ### Begin Solution   ",
    "#\tBEGIN\tSOLUTION",
]
SOLUTION_ENDS = ["### END SOLUTION", "# end solution", "  ### End Solution  "]
HIDDEN_PAIRS = [
    ("# BEGIN HIDDEN", "# END HIDDEN"),
    ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
    ("# begin hidden", "#END HIDDEN"),
    ("  # Begin Hidden Test ", "# End Hidden"),
]


@pytest.mark.parametrize("begin", SOLUTION_BEGINS)
@pytest.mark.parametrize("end", SOLUTION_ENDS)
def test_every_solution_marker_style_is_stubbed(begin, end):
    source = f"x = 1\n{begin}\ny = secret()\n{end}\nprint(y)"
    assert strip_solutions(source) == (
        "x = 1\n# YOUR CODE HERE\nraise NotImplementedError()\nprint(y)"
        if not begin.startswith(" ")
        else "x = 1\n  # YOUR CODE HERE\n  raise NotImplementedError()\nprint(y)"
    )
    [region] = [r for r in regions(source) if r.kind == "solution"]
    assert (region.text, region.start_line, region.end_line) == ("y = secret()", 2, 4)


@pytest.mark.parametrize(("begin", "end"), HIDDEN_PAIRS)
def test_every_hidden_marker_style_is_removed(begin, end):
    source = f"train()\n\n{begin}\nassert accuracy > 0.7\n{end}"
    assert remove_hidden(source) == "train()"
    assert [r.kind for r in regions(source)] == ["hidden"]
    assert hidden_texts(new_notebook(cells=[new_code_cell(source)])) == ["assert accuracy > 0.7"]


def test_stubs_keep_the_indentation_of_their_begin_marker():
    source = (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        ### BEGIN SOLUTION\n"
        "        self.conv = nn.Conv2d(3, 8, 3)\n"
        "        ### END SOLUTION\n"
        "\n"
        "    def forward(self, x):\n"
        "\t### BEGIN SOLUTION\n"
        "\treturn self.conv(x)\n"
        "\t### END SOLUTION\n"
    )
    assert strip_solutions(source) == (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError()\n"
        "\n"
        "    def forward(self, x):\n"
        "\t# YOUR CODE HERE\n"
        "\traise NotImplementedError()\n"
    )


def test_markdown_solutions_become_an_answer_stub_and_html_comment_markers_work():
    source = (
        "Explain:\n<!-- BEGIN SOLUTION -->\nBecause pooling is invariant.\n<!-- END SOLUTION -->"
    )
    assert strip_solutions(source, cell_type="markdown") == "Explain:\nYOUR ANSWER HERE"


def test_strip_solutions_leaves_hidden_regions_and_remove_hidden_leaves_solutions():
    source = "### BEGIN SOLUTION\na = 1\n### END SOLUTION\n# BEGIN HIDDEN\nassert a\n# END HIDDEN"
    assert strip_solutions(source).endswith("# BEGIN HIDDEN\nassert a\n# END HIDDEN")
    assert remove_hidden(source) == "### BEGIN SOLUTION\na = 1\n### END SOLUTION"


def test_removing_a_hidden_region_in_the_middle_leaves_at_most_two_blank_lines():
    source = "a = 1\n\n\n# BEGIN HIDDEN\nassert a\n# END HIDDEN\n\n\nb = 2"
    assert remove_hidden(source) == "a = 1\n\n\nb = 2"


def test_existing_nbgrader_stubs_are_reported_as_stub_regions():
    source = "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    found = regions(source)
    assert [(r.kind, r.start_line, r.indent) for r in found] == [
        ("stub", 2, "    "),
        ("stub", 3, "    "),
    ]
    assert strip_solutions(source) == source
    assert is_stub_line("YOUR ANSWER HERE") and is_stub_line("raise NotImplementedError('later')")
    assert not is_stub_line("raise ValueError()")


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("x = 1\n### END SOLUTION", "line 2: '### END SOLUTION' has no BEGIN SOLUTION before it"),
        ("### BEGIN SOLUTION\nx = 1", "line 1: '### BEGIN SOLUTION' has no END SOLUTION"),
        ("# BEGIN HIDDEN\nassert x", "line 1: '# BEGIN HIDDEN' has no END HIDDEN"),
        (
            "### BEGIN SOLUTION\n# BEGIN HIDDEN\n# END HIDDEN\n### END SOLUTION",
            "line 2: '# BEGIN HIDDEN' inside the solution region opened at line 1",
        ),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
            "line 2: '### BEGIN SOLUTION' inside the solution region opened at line 1",
        ),
        (
            "# BEGIN HIDDEN\nassert x\n### END SOLUTION",
            "line 3: '### END SOLUTION' closes the hidden region opened at line 1",
        ),
        ("### BEGIN SOLUTON\nx = 1\n### END SOLUTION", "line 3: '### END SOLUTION' has no BEGIN"),
    ],
)
def test_unbalanced_or_nested_markers_name_the_notebook_cell_and_line(source, problem):
    with pytest.raises(TemplateError) as caught:
        strip_solutions(source, notebook="p1_cats_dogs.ipynb", cell=7)
    message = caught.value.one_line()
    assert message.startswith("p1_cats_dogs.ipynb: cell 7, ")
    assert problem in message
    assert "(fix: " in message
    with pytest.raises(TemplateError):
        remove_hidden(source)
    with pytest.raises(TemplateError):
        regions(source)


def test_solution_and_hidden_texts_of_a_notebook_name_the_cell_of_a_broken_marker():
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Task"),
            new_code_cell("### BEGIN SOLUTION\nmodel = Net()\n### END SOLUTION"),
            new_code_cell("# BEGIN HIDDEN\nassert model\n# END HIDDEN"),
            new_code_cell("whole = 'cell'", metadata={"tags": ["solution"]}),
            new_code_cell("check = 'all'", metadata={"tags": ["Hidden"]}),
        ]
    )
    assert solution_texts(notebook) == ["model = Net()", "whole = 'cell'"]
    assert hidden_texts(notebook) == ["assert model", "check = 'all'"]
    notebook.cells[2].source = "# BEGIN HIDDEN\nassert model"
    with pytest.raises(TemplateError, match="cell 2, line 1: '# BEGIN HIDDEN' has no END HIDDEN"):
        hidden_texts(notebook)


def test_lenient_regions_see_misspelt_markers_and_never_raise():
    found = lenient_regions("### BEGIN SOLUTON\nsecret = 42\n### END SOLUTON\n# BEGIN HIDEN\nx")
    assert [(r.kind, r.text, r.misspelt_marker) for r in found] == [
        ("solution", "secret = 42", "### BEGIN SOLUTON"),
        ("hidden", "x", "# BEGIN HIDEN"),
    ]
    assert lenient_regions("### END SOLUTION\n### BEGIN HIDDEN\n### BEGIN HIDDEN\ny") != []
    # Ordinary comments are not markers, even leniently.
    assert lenient_regions("# begin training\n# end of the loop\n# Begin hiding axes") == []
    assert lenient_regions("# Begin hidden layer setup\nh = zeros()\n# end hidden layer") == []
    assert lenient_regions("## BEGIN SOLUTIONS:\nx\n## ENDSOLUTION")[0].text == "x"


NO_MARKER_WORDS = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40).filter(
    lambda line: "begin" not in line.lower() and "end" not in line.lower()
)


@given(st.lists(NO_MARKER_WORDS))
def test_sources_without_markers_pass_through_unchanged(lines):
    source = "\n".join(lines)
    assert strip_solutions(source) == source
    assert remove_hidden(source) == source
    assert all(r.kind == "stub" for r in regions(source))
