import codecs
from pathlib import Path

import pytest

from grader.reading.decoding import decode_text, normalise_text
from grader.reading.errors import UnreadableSubmission

PATH = Path("answers.txt")


def test_plain_utf8_is_read_without_warnings():
    assert decode_text("Q1 45 × 45\r\nQ2 done\r".encode(), PATH) == ("Q1 45 × 45\nQ2 done\n", ())


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_byte_order_marks_are_honoured(encoding):
    text = "Q7 126 × 126 × 16\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    assert decode_text(data, PATH) == (text, ())


def test_utf16_without_byte_order_mark_is_recognised():
    text, warnings = decode_text("Q7 126x126x16\n".encode("utf-16-le"), PATH)
    assert text == "Q7 126x126x16\n"
    assert warnings == ("file is UTF-16-LE without a byte-order mark; read as UTF-16-LE",)


def test_windows_1252_is_read_with_a_warning():
    text, warnings = decode_text("Q7 126 × 126 – “same” padding\n".encode("cp1252"), PATH)
    assert text == "Q7 126 × 126 – “same” padding\n"
    assert warnings == ("file is not UTF-8; read as Windows-1252",)


def test_bytes_undefined_in_windows_1252_fall_back_to_latin1():
    data = b"Q1 caf\xe9 \x81 45 and the rest of a longer answer\n"
    text, warnings = decode_text(data, PATH)
    assert text == "Q1 café \x81 45 and the rest of a longer answer\n"
    assert warnings == ("file is not UTF-8; read as Latin-1",)


def test_a_stray_nul_is_removed_with_a_warning():
    data = b"Q1 45 45\n" * 20 + b"\x00" + b"Q2 done\n"
    text, warnings = decode_text(data, PATH)
    assert "\x00" not in text and text.endswith("Q2 done\n")
    assert warnings == ("removed 1 NUL byte(s) from the file",)


def test_nul_bytes_mean_binary():
    with pytest.raises(UnreadableSubmission) as caught:
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), PATH)
    assert caught.value.kind == "binary"
    assert "image" in (caught.value.hint or "")


def test_mostly_non_printable_means_binary():
    data = bytes(range(1, 32)) * 10 + b"some text"
    with pytest.raises(UnreadableSubmission) as caught:
        decode_text(data, PATH)
    assert caught.value.kind == "binary"
    assert caught.value.message == "file is binary (mostly non-printable characters), not text"


def test_a_docx_gets_a_hint_to_export():
    with pytest.raises(UnreadableSubmission) as caught:
        decode_text(b"PK\x03\x04" + bytes(range(256)) * 4, PATH)
    assert "docx" in (caught.value.hint or "")


def test_normalise_text():
    assert normalise_text("\ufeffa\r\nb\rc\x00d") == "a\nb\ncd"
