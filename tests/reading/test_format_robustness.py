"""Whatever bytes a student hands in as .docx or .ipynb: a document or an UnreadableSubmission, nothing else."""

import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.reading import UnreadableKind, UnreadableSubmission, read_written_file

HEIDI = Path("submissions/heidi/written.docx")
IVAN = Path("submissions/ivan/written.ipynb")


def read_or_refuse(path: Path) -> None:
    try:
        document = read_written_file(path)
    except UnreadableSubmission as error:
        assert error.kind in set(UnreadableKind)
        assert error.hint
        return
    assert document.text.strip()
    assert "\r" not in document.text and "\x00" not in document.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2048), st.sampled_from([".docx", ".ipynb"]))
def test_any_bytes(tmp_path, data, suffix):
    path = tmp_path / f"written{suffix}"
    path.write_bytes(data)
    read_or_refuse(path)


@pytest.mark.parametrize("seed", range(8))
def test_a_damaged_word_document(tmp_path, seed):
    data = bytearray(HEIDI.read_bytes())
    rng = random.Random(seed)
    for _ in range(20):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = tmp_path / "written.docx"
    path.write_bytes(bytes(data))
    read_or_refuse(path)


@pytest.mark.parametrize("seed", range(4))
def test_a_word_document_with_a_damaged_body(tmp_path, seed):
    rng = random.Random(seed)
    source = zipfile.ZipFile(HEIDI)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "word/document.xml":
                cut = rng.randrange(len(content))
                content = content[:cut] + content[cut + rng.randrange(1, 200) :]
            target.writestr(member, content)
    path = tmp_path / "written.docx"
    path.write_bytes(out.getvalue())
    read_or_refuse(path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "cells",
                        "cell_type",
                        "source",
                        "attachments",
                        "nbformat",
                        "worksheets",
                        "level",
                        "input",
                        "metadata",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_any_json_as_a_notebook(tmp_path, value):
    path = tmp_path / "written.ipynb"
    path.write_text(json.dumps(value))
    read_or_refuse(path)


def test_the_ivan_sample_survives_a_cut(tmp_path):
    data = IVAN.read_bytes()
    path = tmp_path / "written.ipynb"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableSubmission) as caught:
        read_written_file(path)
    assert caught.value.message == "notebook is not valid JSON (damaged or cut short)"
