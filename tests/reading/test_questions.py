import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reading import split_into_questions
from grader.reading.questions import split_document

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


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("\\noindent\\textbf{Q1.}", "\\noindent\\textbf{Q2.}"),
        ("\\item[1.]", "\\item[2.]"),
        ("**Q1.**", "**Q2.**"),
        ("### Problem 1", "### Problem 2"),
        ("\\section*{Question 1}", "\\section*{Question 2}"),
        ("\\subsection{Question 1}", "\\subsection{Question 2}"),
        ("Ans 1:", "Ans 2:"),
        ("Q.1", "Q.2"),
        ("1 -", "2 -"),
        ("\\noindent 1.", "\\noindent 2."),
    ],
)
def test_markers_after_latex_or_markdown_decoration(first, second):
    text = f"{first} 45 54\n44 81\n{second} the padded output\n"
    split = split_document(text, ALL)
    assert split.answers == {1: "45 54\n44 81", 2: "the padded output"}
    assert split.markers_found == 2 and split.unassigned == ()


def test_latex_commands_that_are_not_markers_stay_in_the_answer():
    text = "1. result\n\\begin{bmatrix}\n9 & 18 \\\\\n\\frac{1}{2} & 3\n\\end{bmatrix}\n2. next\n"
    answers = split_into_questions(text, ALL)
    assert answers[1] == "result\n\\begin{bmatrix}\n9 & 18 \\\\\n\\frac{1}{2} & 3\n\\end{bmatrix}"
    assert answers[2] == "next"


@pytest.mark.parametrize(
    ("text", "number", "expected"),
    [
        ("9. a\n10. b\nll) c\n12. d\n", 11, "c"),
        ("l) a\n2) b\n3) c\n", 1, "a"),
        ("19. x\n2O. y\n21. z\n", 20, "y"),
        ("I. a\n2. b\n", 1, "a"),
    ],
)
def test_ocr_letters_in_markers_count_where_a_neighbour_confirms(text, number, expected):
    split = split_document(text, ALL)
    assert split.answers[number] == expected
    assert split.ocr_markers == {number}


def test_ocr_letters_without_a_confirming_neighbour_are_not_markers():
    split = split_document("1. The answer is small.\nIl. So. is prose\n7. 126x126x16\n", ALL)
    assert split.answers == {1: "The answer is small.\nIl. So. is prose", 7: "126x126x16"}
    assert split.ocr_markers == frozenset()


def test_answers_out_of_numeric_order_are_not_swallowed():
    text = (
        "Q1 a\nQ2 b\nQ3 c\nQ11 R: 1 1 / 1 1\nQ7 126x126x16\nQ8 63x63x16\nQ9 1x1 conv\n"
        "Q10 edges then objects\nQ12 pooling\n"
    )
    split = split_document(text, ALL)
    assert split.answers[11] == "R: 1 1 / 1 1"
    assert split.answers[3] == "c" and split.answers[7] == "126x126x16"
    assert split.out_of_order == {11}
    assert list(split.answers) == sorted(split.answers)


def test_two_first_answers_swapped():
    split = split_document("Q2 padded\nQ1 not padded\nQ3 dilated\n", ALL)
    assert split.answers == {1: "not padded", 2: "padded", 3: "dilated"}
    assert len(split.out_of_order) == 1


def test_numbered_list_inside_an_answer_is_not_taken_for_out_of_order_answers():
    text = "Q12 Pooling reduces size.\nQ13 Augmentation:\n1. rotate\n2. flip\nQ14 Transfer.\n"
    split = split_document(text, ALL)
    assert split.answers == {
        12: "Pooling reduces size.",
        13: "Augmentation:\n1. rotate\n2. flip",
        14: "Transfer.",
    }
    assert split.out_of_order == frozenset()


def test_text_before_the_first_marker_is_unassigned_not_lost():
    split = split_document("Name: Ada Lovelace\nID 123\n\n1. a\n2. b\n", ALL)
    assert split.unassigned == ("Name: Ada Lovelace\nID 123",)
    assert split.answers == {1: "a", 2: "b"}
    nothing = split_document("The output is 45 45 54 54 and the shape 126x126x16.", ALL)
    assert nothing.answers == {} and nothing.markers_found == 0
    assert nothing.unassigned == ("The output is 45 45 54 54 and the shape 126x126x16.",)


@pytest.mark.parametrize("heading", ["Question 7 and 8", "Q7 & Q8:", "7. and 8.", "Q7-8", "7 & 8:"])
def test_one_heading_for_two_questions_with_sub_parts_maps_them(heading):
    text = f"6. x\n{heading}\n(a) 126x126x16\n(b) 63x63x16\n9. y\n"
    split = split_document(text, ALL)
    assert split.answers[7] == "126x126x16" and split.answers[8] == "63x63x16"
    assert split.shared == {}


def test_one_heading_for_two_questions_without_sub_parts_is_shared():
    split = split_document("6. x\nQ7 & Q8: 126x126x16 and 63x63x16\n9. y\n", ALL)
    assert split.answers[7] == split.answers[8] == "126x126x16 and 63x63x16"
    assert split.shared == {8: 7}
