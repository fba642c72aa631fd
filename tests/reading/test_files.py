import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import SubmissionReadError
from grader.reading import (
    UnreadableKind,
    UnreadableSubmission,
    WrittenDocument,
    read_written_file,
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("answers.md", "markdown"),
        ("answers.markdown", "markdown"),
        ("answers.txt", "text"),
        ("answers.tex", "latex"),
        ("ANSWERS.TXT", "text"),
    ],
)
def test_text_files_by_suffix(tmp_path, name, kind):
    path = tmp_path / name
    path.write_bytes(b"Q1\r\n45 45\r\n54 54\r\n")
    assert read_written_file(path) == WrittenDocument("Q1\n45 45\n54 54\n", kind, ())


def test_pdf_with_text_layer(text_pdf):
    document = read_written_file(text_pdf)
    assert document.source_kind == "pdf"
    assert "126x126x16" in document.text
    assert document.warnings == ()


def test_non_utf8_file_is_read_with_a_warning(tmp_path):
    path = tmp_path / "answers.txt"
    path.write_bytes("Q7 126 × 126 × 16\n".encode("cp1252"))
    document = read_written_file(path)
    assert document.text == "Q7 126 × 126 × 16\n"
    assert document.warnings == ("file is not UTF-8; read as Windows-1252",)


def _read_error(path, **options) -> UnreadableSubmission:
    with pytest.raises(UnreadableSubmission) as caught:
        read_written_file(path, **options)
    assert isinstance(caught.value, SubmissionReadError)
    assert caught.value.path == str(path)
    assert caught.value.hint
    return caught.value


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "])
def test_empty_files(tmp_path, content):
    path = tmp_path / "answers.md"
    path.write_bytes(content)
    error = _read_error(path)
    assert error.kind == UnreadableKind.EMPTY == "empty"
    assert error.message == "file is empty"


def test_empty_pdf_is_empty(tmp_path):
    path = tmp_path / "answers.pdf"
    path.write_bytes(b"")
    assert _read_error(path).kind == "empty"


def test_whitespace_only_utf16_file_is_empty(tmp_path):
    path = tmp_path / "answers.txt"
    path.write_bytes("   \n  ".encode("utf-16"))
    assert _read_error(path).kind == "empty"


def test_binary_file(tmp_path):
    path = tmp_path / "answers.txt"
    path.write_bytes(bytes(range(256)) * 8)
    error = _read_error(path)
    assert error.kind == "binary"
    assert "binary" in error.message


def test_too_large_is_decided_from_size_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "answers.md"
    path.write_bytes(b"Q1 45 45\n" * 256)

    def refuse_to_open(*args, **kwargs):
        raise AssertionError("the file was opened before its size was checked")

    monkeypatch.setattr(Path, "open", refuse_to_open)
    error = _read_error(path, max_bytes=1024)
    assert error.kind == "too_large"
    assert error.message == "file is 2,304 bytes, over the 1,024 bytes limit"


def test_default_limit_is_ten_megabytes(tmp_path):
    path = tmp_path / "answers.txt"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    error = _read_error(path)
    assert error.kind == "too_large"
    assert error.message == "file is 10.0 MB, over the 10.0 MB limit"


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "answers.pdf"
    path.write_bytes(random.Random(7).randbytes(3000))
    error = _read_error(path)
    assert error.kind == "corrupt_pdf"
    assert "re-export" in (error.hint or "")


def test_scanned_pdf(scanned_pdf):
    error = _read_error(scanned_pdf)
    assert error.kind == "no_text_layer"
    assert error.one_line() == (
        f"{scanned_pdf}: PDF has no text layer (looks scanned)"
        " (fix: grade by hand or submit a text PDF)"
    )


@pytest.mark.parametrize("name", ["answers.odt", "answers.pages", "answers.rtf", "answers"])
def test_unsupported_types(tmp_path, name):
    path = tmp_path / name
    path.write_text("Q1 45")
    error = _read_error(path)
    assert error.kind == "unsupported_type"
    assert error.hint == "submit a .md, .txt, .tex, .pdf (with text), .docx or .ipynb file"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("answers.docx", "file is not a Word .docx (not a zip archive)"),
        ("answers.ipynb", "notebook is not valid JSON (damaged or cut short)"),
    ],
)
def test_docx_and_notebook_are_read_by_their_own_reader(tmp_path, name, message):
    path = tmp_path / name
    path.write_text("Q1 45")  # neither a zip nor JSON: the format's own reader says so
    error = _read_error(path)
    assert error.kind == "corrupt_document"
    assert error.message == message


def test_missing_file_and_folder(tmp_path):
    assert _read_error(tmp_path / "nope.md").kind == "missing"
    folder = tmp_path / "folder.md"
    folder.mkdir()
    assert _read_error(folder).kind == "missing"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2048), st.sampled_from([".md", ".txt", ".tex", ".pdf"]))
def test_any_bytes_give_a_document_or_an_unreadable_submission(tmp_path, data, suffix):
    path = tmp_path / f"answers{suffix}"
    path.write_bytes(data)
    try:
        document = read_written_file(path)
    except UnreadableSubmission as error:
        assert error.kind in set(UnreadableKind)
        return
    assert document.text.strip()
    assert "\r" not in document.text and "\x00" not in document.text
