import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from PIL import Image

from grader.reading import docx_text as docx_module
from grader.reading import extract_arrays, read_written_file, split_into_questions
from grader.reading.docx_numbering import format_number
from grader.reading.docx_text import read_docx_text
from grader.reading.errors import UnreadableKind, UnreadableSubmission
from tests.reading.helpers import as_ints

PATH = Path("written.docx")
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
M_NS = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'


def saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table(document, rows):
    grid = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            grid.cell(r, c).text = str(value)


def png(width=40, height=30) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "black").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_paragraphs_and_tables_in_document_order():
    document = docx.Document()
    document.add_paragraph("Q1 No padding:")
    table(document, [[45, 45], [54, 54]])
    document.add_paragraph("Q7 126 × 126 × 16")
    text, warnings = read_docx_text(saved(document), PATH)
    assert text == "Q1 No padding:\n\n| 45 | 45 |\n| 54 | 54 |\n\nQ7 126 × 126 × 16\n"
    assert warnings == ()
    (matrix,) = extract_arrays(split_into_questions(text, [1, 7])[1])
    assert as_ints(matrix.values) == [[45, 45], [54, 54]]


def test_a_channel_table_reads_as_labelled_matrices():
    document = docx.Document()
    channels = document.add_table(rows=3, cols=3)
    for c, (name, rows) in enumerate(
        [("R", ["1 1", "1 1"]), ("G", ["2 2", "2 2"]), ("B", ["2 2", "4 4"])]
    ):
        channels.cell(0, c).text = name
        for r, row in enumerate(rows, start=1):
            channels.cell(r, c).text = row
    text, _ = read_docx_text(saved(document), PATH)
    assert text == "| R | G | B |\n| 1 1 | 2 2 | 2 2 |\n| 1 1 | 2 2 | 4 4 |\n"
    found = {array.label: as_ints(array.values) for array in extract_arrays(text)}
    assert found == {"R": [[1, 1], [1, 1]], "G": [[2, 2], [2, 2]], "B": [[2, 2], [4, 4]]}


def test_word_list_numbers_become_question_markers():
    # The student types no numbers: Word draws them from the list style.
    document = docx.Document()
    for answer in ("The output is 45 45 / 54 54.", "Padded.", "Dilated."):
        document.add_paragraph(answer, style="List Number")
    document.add_paragraph("a bullet", style="List Bullet")
    text, _ = read_docx_text(saved(document), PATH)
    assert text == "1. The output is 45 45 / 54 54.\n2. Padded.\n3. Dilated.\n- a bullet\n"
    assert split_into_questions(text, [1, 2, 3]) == {
        1: "The output is 45 45 / 54 54.",
        2: "Padded.",
        3: "Dilated.\n- a bullet",
    }


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (3, "decimal", "3"),
        (3, "lowerLetter", "c"),
        (28, "lowerLetter", "bb"),
        (4, "upperLetter", "D"),
        (14, "lowerRoman", "xiv"),
        (9, "upperRoman", "IX"),
        (7, "decimalZero", "07"),
        (5, "ordinal-of-some-kind", "5"),
    ],
)
def test_list_counters_in_word_formats(value, number_format, shown):
    assert format_number(value, number_format) == shown


def test_struck_through_runs_are_marked_as_struck_out():
    document = docx.Document()
    paragraph = document.add_paragraph("Q2 ")
    paragraph.add_run("first try 6x6, ").font.strike = True
    paragraph.add_run("the result is 4x4")
    text, _ = read_docx_text(saved(document), PATH)
    assert text == "Q2 ~~first try 6x6,~~ the result is 4x4\n"
    assert split_into_questions(text, [2]) == {2: "the result is 4x4"}


def test_equations_matrix_fraction_and_power():
    document = docx.Document()
    rows = "".join(
        "<m:mr>" + "".join(f"<m:e><m:r><m:t>{v}</m:t></m:r></m:e>" for v in row) + "</m:mr>"
        for row in ([24, 24], [20, 20])
    )
    bracketed = (
        f"<m:oMathPara {M_NS}><m:oMath><m:d><m:dPr><m:begChr m:val='['/><m:endChr m:val=']'/>"
        f"</m:dPr><m:e><m:m>{rows}</m:m></m:e></m:d></m:oMath></m:oMathPara>"
    )
    document.add_paragraph("Q3")._p.append(parse_xml(bracketed))
    formula = (
        f"<m:oMath {M_NS}><m:d><m:e><m:f><m:num><m:r><m:t>128−3</m:t></m:r></m:num>"
        "<m:den><m:r><m:t>2</m:t></m:r></m:den></m:f></m:e></m:d><m:r><m:t>+1, </m:t></m:r>"
        "<m:sSup><m:e><m:r><m:t>2</m:t></m:r></m:e><m:sup><m:r><m:t>10</m:t></m:r></m:sup></m:sSup>"
        "</m:oMath>"
    )
    document.add_paragraph("Q8 ")._p.append(parse_xml(formula))
    text, _ = read_docx_text(saved(document), PATH)
    assert text == "Q3\n24 24\n20 20\n\nQ8 ((128-3)/2)+1, 2^10\n"
    (matrix,) = extract_arrays(split_into_questions(text, [3, 8])[3])
    assert as_ints(matrix.values) == [[24, 24], [20, 20]]


def test_tracked_changes_are_read_as_accepted():
    document = docx.Document()
    paragraph = document.add_paragraph("Q7 ")
    paragraph._p.append(
        parse_xml(
            f'<w:del {W_NS} w:id="1" w:author="s"><w:r><w:delText>64x64x16</w:delText></w:r></w:del>'
        )
    )
    paragraph._p.append(
        parse_xml(f'<w:ins {W_NS} w:id="2" w:author="s"><w:r><w:t>126x126x16</w:t></w:r></w:ins>')
    )
    text, warnings = read_docx_text(saved(document), PATH)
    assert text == "Q7 126x126x16\n"
    assert warnings == ("Word document has tracked changes: read with all changes accepted",)


def test_word_text_is_unicode_normalised():
    document = docx.Document()
    document.add_paragraph("Q7 １２６\u00a0×\u00a0１２６ × 16, the ﬁlter count − 0")
    text, _ = read_docx_text(saved(document), PATH)
    assert text == "Q7 126 × 126 × 16, the filter count - 0\n"


def test_pictures_beside_text_are_a_warning():
    document = docx.Document()
    document.add_paragraph("Q1 45 45 54 54, and the rest of my typed answers here.")
    document.add_picture(png())
    text, warnings = read_docx_text(saved(document), PATH)
    assert text.startswith("Q1 45 45 54 54")
    assert warnings == (
        "Word document holds 1 picture(s) the grader cannot read; an answer in a picture needs a person",
    )


def test_a_document_of_pictures_only_goes_to_a_person():
    document = docx.Document()
    document.add_paragraph("Heidi")
    document.add_picture(png())
    document.add_picture(png())
    with pytest.raises(UnreadableSubmission) as caught:
        read_docx_text(saved(document), PATH)
    assert caught.value.kind is UnreadableKind.NO_TEXT_LAYER
    assert caught.value.message.startswith("Word document holds only pictures")
    assert caught.value.hint == "grade by hand from the pictures, or ask for typed answers"


def test_an_empty_document_is_empty(tmp_path):
    path = tmp_path / "written.docx"
    path.write_bytes(saved(docx.Document()))
    with pytest.raises(UnreadableSubmission) as caught:
        read_written_file(path)
    assert caught.value.kind is UnreadableKind.EMPTY


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message", "hint_words"),
    [
        (b"Q1 45 45 just text", "file is not a Word .docx (not a zip archive)", "save it again"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "file is an old-style Word .doc or a password-protected document, not a .docx",
            "save it as .docx",
        ),
        (
            zip_of({"content.xml": b"<office/>", "mimetype": b"application/vnd.oasis"}),
            "file is a zip archive but not a Word document (no word/document.xml)",
            ".odt or .pages",
        ),
        (
            zip_of({"word/document.xml": b"<not closed", "[Content_Types].xml": b"<x/>"}),
            "Word document cannot be read",
            "save it again",
        ),
    ],
)
def test_files_that_are_not_word_documents(data, message, hint_words):
    with pytest.raises(UnreadableSubmission) as caught:
        read_docx_text(data, PATH)
    assert caught.value.kind is UnreadableKind.CORRUPT_DOCUMENT
    assert caught.value.message.startswith(message)
    assert hint_words in (caught.value.hint or "")
    assert caught.value.path == "written.docx"


def test_a_zip_bomb_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(docx_module, "MAX_UNPACKED_BYTES", 1000)
    document = docx.Document()
    document.add_paragraph("Q1 " + "45 " * 1000)
    with pytest.raises(UnreadableSubmission) as caught:
        read_docx_text(saved(document), PATH)
    assert caught.value.kind is UnreadableKind.TOO_LARGE
    assert "over the 1,000 bytes limit" in caught.value.message


def test_heidi_sample_reads_in_order():
    document = read_written_file(Path("submissions/heidi/written.docx"))
    assert document.source_kind == "docx" and document.warnings == ()
    lines = document.text.splitlines()
    assert lines[:7] == [
        "HW4 written answers (Heidi)",
        "1. Without padding:",
        "",
        "| 45 | 45 |",
        "| 54 | 54 |",
        "",
        "2. With zero padding ~~the output is 2 × 2~~ the output keeps the 4×4 size:",
    ]
    assert "8. (128 - 3)/2 + 1 = 63.5, so 63.5 × 63.5 × 16." in lines
    assert lines[-1].startswith("21. Grad-CAM shows")
