"""The HW4 key computed from reference/hw4/parameters.toml: accepted conventions and named mistakes."""

from pathlib import Path

import pytest

from grader.errors import ParametersError
from grader.reference import compute_key, load_parameters
from grader.reference.answer_key import to_jsonable

PARAMETERS = Path("reference/hw4/parameters.toml")


@pytest.fixture(scope="module")
def key():
    return compute_key(load_parameters(PARAMETERS))


def accepted(key, qid):
    return {a.convention: to_jsonable(a.value) for a in key[qid].accepted}


def test_q1_no_padding(key):
    # R contributes 9, G 18, B 3·(rows summed): 18 for rows 1–3, 27 for rows 2–4.
    assert accepted(key, "q1") == {"no padding": [[45, 45], [54, 54]]}


def test_q2_zero_padding_same_size(key):
    assert accepted(key, "q2") == {
        "padding=1 (same)": [[18, 27, 27, 18], [30, 45, 45, 30], [36, 54, 54, 36], [26, 39, 39, 26]]
    }


def test_q3_dilated_accepts_both_paddings(key):
    assert accepted(key, "q3") == {
        "padding=1": [[24, 24], [20, 20]],
        "padding=2 (same)": [
            [20, 20, 20, 20],
            [24, 24, 24, 24],
            [20, 20, 20, 20],
            [24, 24, 24, 24],
        ],
    }


def test_q7_q8_shapes_valid_and_same(key):
    assert accepted(key, "q7") == {
        "valid": [126, 126, 16],
        "same": [128, 128, 16],
        "valid, channels first (C×H×W)": [16, 126, 126],
        "same, channels first (C×H×W)": [16, 128, 128],
    }
    assert accepted(key, "q8") == {
        "valid": [63, 63, 16],
        "same": [64, 64, 16],
        "valid, channels first (C×H×W)": [16, 63, 63],
        "same, channels first (C×H×W)": [16, 64, 64],
    }


def test_q11_max_pool_channel_first(key):
    assert accepted(key, "q11") == {
        "2×2 max pooling, stride 2": [[[1, 1], [1, 1]], [[2, 2], [2, 2]], [[2, 2], [4, 4]]]
    }
    assert key["q11"].channel_names == ("R", "G", "B")


def test_mistakes_are_computed_not_typed(key):
    mistakes = {m.name: to_jsonable(m.value) for m in key["q2"].mistakes}
    assert mistakes["padding forgotten"] == [[45, 45], [54, 54]]
    assert mistakes["only the B channel used (image treated as a 2-D matrix)"][0] == [6, 9, 9, 6]
    q8 = {m.name: to_jsonable(m.value) for m in key["q8"].mistakes}
    assert q8["output size not floored (not an integer)"] == ["127/2", "127/2", 16]
    stride_ignored = [
        to_jsonable(m.value) for m in key["q8"].mistakes if m.name == "stride ignored"
    ]
    assert stride_ignored == [[126, 126, 16], [128, 128, 16]]


def test_key_follows_the_parameters(tmp_path):
    """Change the image in the parameters file and the key changes with it."""
    text = PARAMETERS.read_text().replace(
        "[2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]",
        "[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]",
    )
    changed = tmp_path / "parameters.toml"
    changed.write_text(text)
    key = compute_key(load_parameters(changed))
    assert to_jsonable(key["q1"].accepted[0].value) == [[27, 27], [36, 36]]


def test_bad_parameters_name_the_file_and_field(tmp_path):
    broken = tmp_path / "parameters.toml"
    broken.write_text(
        PARAMETERS.read_text().replace('operation = "conv_shape"', 'operation = "conv3d"', 1)
    )
    with pytest.raises(ParametersError) as info:
        load_parameters(broken)
    assert str(broken) in info.value.one_line()
    assert "questions.q7" in info.value.one_line()
