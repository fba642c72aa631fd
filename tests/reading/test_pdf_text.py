import random

import pytest

from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.pdf_text import read_pdf_text


def test_reads_the_text_layer(text_pdf):
    text, warnings = read_pdf_text(text_pdf.read_bytes(), text_pdf)
    assert "1. The output is" in text
    assert "45 45" in text
    assert "126x126x16" in text
    assert warnings == ()


def test_pages_without_text_are_reported(half_scanned_pdf):
    text, warnings = read_pdf_text(half_scanned_pdf.read_bytes(), half_scanned_pdf)
    assert "45 45 54 54" in text
    assert warnings == ("PDF pages without text (scanned?): 2",)


def test_a_pdf_without_text_is_a_scan(scanned_pdf):
    with pytest.raises(UnreadableSubmission) as caught:
        read_pdf_text(scanned_pdf.read_bytes(), scanned_pdf)
    assert caught.value.kind == UnreadableKind.NO_TEXT_LAYER
    assert caught.value.message == "PDF has no text layer (looks scanned)"
    assert caught.value.hint == "grade by hand or submit a text PDF"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_are_a_corrupt_pdf(tmp_path, seed):
    data = random.Random(seed).randbytes(4096)
    path = tmp_path / "broken.pdf"
    with pytest.raises(UnreadableSubmission) as caught:
        read_pdf_text(data, path)
    assert caught.value.kind == "corrupt_pdf"
    assert caught.value.message.startswith("PDF cannot be read")


def test_a_truncated_pdf_is_corrupt_or_short(text_pdf):
    data = text_pdf.read_bytes()[:200]
    with pytest.raises(UnreadableSubmission) as caught:
        read_pdf_text(data, text_pdf)
    assert caught.value.kind in ("corrupt_pdf", "no_text_layer")
