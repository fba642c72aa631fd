import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reading import split_into_questions

ALL = range(1, 22)


@pytest.mark.parametrize(
    "marker",
    [
        "7,",
        "7.",
        "7)",
        "(7)",
        "- 7.",
        "* 7.",
        "Q7",
        "Q7.",
        "Q 7:",
        "q7)",
        "Question 7",
        "Question 7:",
        "**7.**",
        "**Q7**",
        "## 7.",
        "### Question 7",
        "\\section*{Question 7}",
        "Problem 7",
    ],
)
def test_every_marker_style(marker):
    text = f"6. previous answer\n{marker} 126x126x16\n8. next answer\n"
    answers = split_into_questions(text, ALL)
    assert answers[7] == "126x126x16"
    assert answers[6] == "previous answer"
    assert answers[8] == "next answer"


def test_answers_span_lines_and_exclude_markers():
    text = "Name: Ada\n\nQ1\nThe output is\n45 45\n54 54\n\nQ2\n18 27 27 18\n"
    answers = split_into_questions(text, ALL)
    assert answers == {1: "The output is\n45 45\n54 54", 2: "18 27 27 18"}


def test_stray_numbers_between_answers_are_not_markers():
    text = (
        "1. The output is\n9, 18, 18\n9, 18, 18\n3\nFigure 2.\n"
        "2. padded\n1. 2 3\n18, 27\n"
        "3. dilated\n4, 6, 4\n"
        "4. Template matching compares the filter with each patch.\n"
    )
    answers = split_into_questions(text, ALL)
    assert set(answers) == {1, 2, 3, 4}
    assert answers[1] == "The output is\n9, 18, 18\n9, 18, 18\n3\nFigure 2."
    assert answers[2] == "padded\n1. 2 3\n18, 27"
    assert answers[3] == "dilated\n4, 6, 4"
    assert answers[4].startswith("Template matching")


def test_grid_row_inside_q1_does_not_become_question_9():
    text = "1, 9, 18, 18\n9, 18, 18\n2, the padded output\n3, dilated\n"
    answers = split_into_questions(text, ALL)
    assert sorted(answers) == [1, 2, 3]
    assert answers[1] == "9, 18, 18\n9, 18, 18"


def test_numbered_lists_inside_answers_stay_in_the_answer():
    text = (
        "Q12 Pooling reduces size.\n"
        "Q13 Augmentation:\n1. rotate\n2. flip\n3. zoom\n"
        "Q14 Transfer learning reuses features.\n"
    )
    answers = split_into_questions(text, ALL)
    assert answers[13] == "Augmentation:\n1. rotate\n2. flip\n3. zoom"
    assert set(answers) == {12, 13, 14}


def test_numbered_list_in_first_answer_loses_to_the_real_markers():
    text = (
        "1. Steps:\n1. pad\n2. multiply\n3. sum\n2. padded output\n3. dilated output\n4. matching\n"
    )
    answers = split_into_questions(text, ALL)
    assert answers[2] == "padded output"
    assert answers[3] == "dilated output"
    assert answers[1].endswith("3. sum")


def test_skipped_questions_are_absent_and_late_answers_still_found():
    text = "1. a\n2. b\n21. Grad-CAM weights the feature maps by pooled gradients.\n"
    answers = split_into_questions(text, ALL)
    assert sorted(answers) == [1, 2, 21]


@pytest.mark.parametrize(
    "answer", ["126 × 126 × 16", "126, 126, 16", "(126, 126, 16)", "126x126x16"]
)
def test_answer_on_the_marker_line_after_skipped_questions(answer):
    text = f"1.\n45 45\n54 54\n\n7. {answer}\n"
    assert split_into_questions(text, ALL) == {1: "45 45\n54 54", 7: answer}


def test_struck_out_text_is_removed_first():
    text = "7. ~~128x128x16~~ 126x126x16\n~~8. 64x64x16~~\n8. 63x63x16\n"
    assert split_into_questions(text, ALL) == {7: "126x126x16", 8: "63x63x16"}


def test_only_requested_numbers_and_decimals_are_not_markers():
    text = "1. a\n7.5 is not a marker\n2. b\n"
    assert split_into_questions(text, [1, 2]) == {1: "a\n7.5 is not a marker", 2: "b"}
    assert split_into_questions(text, []) == {}
    assert split_into_questions("no markers at all", ALL) == {}


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from(["1.", "Q7", "(3)", "9, 18", "\n", " ", "text", "~~", "## 2.", "21)"]),
            max_size=40,
        ).map("".join),
    )
)
def test_never_raises_on_arbitrary_text(text):
    answers = split_into_questions(text, ALL)
    assert set(answers) <= set(ALL)
    assert list(answers) == sorted(answers)
