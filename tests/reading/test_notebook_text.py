import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from grader.reading import read_written_file, split_into_questions
from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.notebook_text import CODE_CELL_LINE, read_notebook_text

PATH = Path("written.ipynb")


def notebook_bytes(*cells) -> bytes:
    return nbformat.writes(new_notebook(cells=list(cells))).encode()


def test_markdown_cells_in_order_and_code_cells_left_out():
    code = new_code_cell("# 1. the real answer is below\nprint([[45, 45], [54, 54]])")
    code.outputs = [new_output("stream", name="stdout", text="7. 64x64x16\n")]
    data = notebook_bytes(
        new_markdown_cell("# HW4 — written part"),
        code,
        new_markdown_cell("## 1.\nNo padding:\n\n    45 45\n    54 54"),
        new_raw_cell("7. 126x126x16"),
    )
    text, warnings = read_notebook_text(data, PATH)
    assert text == (
        "# HW4 — written part\n\n"
        f"{CODE_CELL_LINE}\n\n"
        "## 1.\nNo padding:\n\n    45 45\n    54 54\n\n"
        "7. 126x126x16"
    )
    assert warnings == (
        "notebook has 1 code cell(s): code and outputs are not read as written answers",
    )
    answers = split_into_questions(text, [1, 7])
    assert answers == {1: "No padding:\n\n    45 45\n    54 54", 7: "126x126x16"}


def test_source_as_a_list_of_lines_and_unicode_normalised():
    raw = {
        "nbformat": 4,
        "nbformat_minor": 2,  # before cell ids
        "metadata": {},
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": ["Q7 １２６ × 126\n", "× 16 − the ﬁrst"],
            }
        ],
    }
    text, warnings = read_notebook_text(json.dumps(raw).encode(), PATH)
    assert text == "Q7 126 × 126\n× 16 - the first"
    assert warnings == ()


def test_pictures_in_markdown_are_counted_and_their_data_dropped():
    picture = "![photo of q11](data:image/png;base64,iVBORw0KGgo1234567890AAAA==)"
    cell = new_markdown_cell(f"Q11 see the photo {picture}\n\nQ7 126x126x16, no padding at all")
    cell["attachments"] = {"scan.png": {"image/png": "iVBORw0KGgo="}}
    text, warnings = read_notebook_text(notebook_bytes(cell), PATH)
    assert text == "Q11 see the photo ![photo of q11](data:...)\n\nQ7 126x126x16, no padding at all"
    assert warnings == (
        "notebook holds 2 picture(s) in Markdown cells the grader cannot read;"
        " an answer in a picture needs a person",
    )


def test_a_notebook_of_pictures_only_goes_to_a_person():
    data = notebook_bytes(new_markdown_cell("![](data:image/png;base64,iVBORw0KGgo=)"))
    with pytest.raises(UnreadableSubmission) as caught:
        read_notebook_text(data, PATH)
    assert caught.value.kind is UnreadableKind.NO_TEXT_LAYER
    assert caught.value.message == "notebook's Markdown cells hold only pictures, no typed answers"


def test_a_notebook_with_only_code_has_no_written_answers():
    data = notebook_bytes(new_code_cell("x = 1"), new_markdown_cell("# Ivan"))
    with pytest.raises(UnreadableSubmission) as caught:
        read_notebook_text(data, PATH)
    assert caught.value.kind is UnreadableKind.EMPTY
    assert caught.value.one_line() == (
        "written.ipynb: notebook has no written answers in Markdown cells"
        " (1 code cell(s), which are not read as answers)"
        " (fix: write the answers in Markdown cells, or hand in a .md, .docx or .pdf file)"
    )


def test_nbformat_3_worksheets_and_heading_cells():
    raw = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "heading", "level": 2, "metadata": {}, "source": "7."},
                    {
                        "cell_type": "markdown",
                        "metadata": {},
                        "source": "126 × 126 × 16, no padding",
                    },
                    {"cell_type": "code", "input": "print(8)", "outputs": [], "metadata": {}},
                ]
            }
        ],
    }
    text, _ = read_notebook_text(json.dumps(raw).encode(), PATH)
    assert text == f"## 7.\n\n126 × 126 × 16, no padding\n\n{CODE_CELL_LINE}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'{"cells": [{"cell_type": "markdown", "source": "1. 45',
            "notebook is not valid JSON (damaged or cut short)",
        ),
        (b"\xff\xfe\x00garbage", "file is not UTF-8 text, so not a Jupyter notebook"),
        (b"[1, 2, 3]", "file is JSON but not a Jupyter notebook (it has no cells)"),
        (b'{"metadata": {}}', "file is JSON but not a Jupyter notebook (it has no cells)"),
        (b'{"nbformat": 4, "cells": 5}', "notebook has no list of cells"),
        (
            b'{"nbformat": 2, "worksheets": []}',
            "notebook format 2 is not read (only nbformat 3 and 4)",
        ),
        (b"[" * 100_000, "notebook JSON is nested too deeply to read"),
    ],
)
def test_a_corrupt_notebook_names_the_file_and_the_fix(data, message):
    with pytest.raises(UnreadableSubmission) as caught:
        read_notebook_text(data, PATH)
    error = caught.value
    assert error.kind is UnreadableKind.CORRUPT_DOCUMENT
    assert error.message == message
    assert error.one_line() == (
        f"written.ipynb: {message} (fix: open it in Jupyter and save it again (File > Save),"
        " or hand in the answers as .md or .pdf)"
    )


def test_ivan_sample_reads_markdown_only():
    document = read_written_file(Path("submissions/ivan/written.ipynb"))
    assert document.source_kind == "notebook"
    assert document.warnings == (
        "notebook has 2 code cell(s): code and outputs are not read as written answers",
    )
    assert document.text.startswith(
        f"# HW4 written part — Ivan\n\n{CODE_CELL_LINE}\n\n## 1.\nNo padding:"
    )
    assert "torch" not in document.text
    assert document.text.count(CODE_CELL_LINE) == 2
