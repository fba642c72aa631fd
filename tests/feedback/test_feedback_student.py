"""Per-student reports: content of each question section, escaping, what is hidden."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.feedback import render_student_html, render_student_markdown
from grader.results import ReviewReason, Status, StudentGrades
from tests.feedback.conftest import make_catalogue, make_question


class MatrixCells(HTMLParser):
    """Collects (section id, cell text, highlighted?) for every matrix cell of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.section: str | None = None
        self.cell: list[str] | None = None
        self.differs = False
        self.cells: list[tuple[str | None, str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self.section = attributes.get("id")
        elif tag == "td":
            self.cell = []
            self.differs = "differs" in (attributes.get("class") or "").split()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.cells.append((self.section, "".join(self.cell), self.differs))
            self.cell = None


def cells_of(page: str) -> list[tuple[str | None, str, bool]]:
    parser = MatrixCells()
    parser.feed(page)
    return parser.cells


def section(markdown: str, question_id: str) -> str:
    """The Markdown of one question section, from its heading to the next."""
    match = re.search(rf"^## {question_id}\b.*?(?=^## |\Z)", markdown, flags=re.M | re.S)
    assert match, f"no section for {question_id}"
    return match.group(0)


def test_html_escapes_student_text(full_student, questions):
    page = render_student_html(full_student, questions)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_html_is_self_contained(full_student, questions):
    page = render_student_html(full_student, questions)
    assert "<style>" in page
    for external in ("http://", "https://", "<link", "<script", "url(", "@import"):
        assert external not in page
    assert "Content-Security-Policy" in page


def test_header_shows_total_problems_and_review_count(full_student, questions):
    for page in (
        render_student_html(full_student, questions),
        render_student_markdown(full_student, questions),
    ):
        assert "Feedback for s1" in page
        assert "Total: 8.5 / 11" in page
        assert "file is not UTF-8; read as Windows-1252" in page
        assert "1 answer awaiting review by a person" in page


def test_expected_answer_only_when_rubric_allows(full_student, questions):
    html_page = render_student_html(full_student, questions)
    markdown = render_student_markdown(full_student, questions)
    # q3's expected answer (777…) must stay hidden; q1's and q7's are shown.
    for page in (html_page, markdown):
        assert "777" not in page
    assert "Expected answer" not in section(markdown, "q3")
    assert "Expected answer:" in section(markdown, "q1")
    assert "Expected answer:\n\n126 × 126 × 16" in section(markdown, "q7")
    q1_cells = [text for sid, text, _ in cells_of(html_page) if sid == "q-q1"]
    assert q1_cells == ["45", "54", "44", "81", "45", "54", "45", "81"]  # answer, then expected


def test_differing_entry_hides_expected_value_when_rubric_hides_answer(full_student, questions):
    q3 = section(render_student_markdown(full_student, questions), "q3")
    assert "- row 1, column 1: got 12" in q3
    page = render_student_html(full_student, questions)
    assert "row 1, column 1: got <code>12</code>" in page
    assert "777" not in page and "777" not in q3


def test_unknown_question_hides_expected(graded, make_student, questions):
    student = make_student("s1", (graded("p9", expected=[[31337]], feedback="ok"),))
    assert "31337" not in render_student_html(student, questions)
    assert "31337" not in render_student_markdown(student, questions)
    assert "## p9" in render_student_markdown(student, questions)


def test_convention_and_diagnosis_shown(full_student, questions):
    html_page = render_student_html(full_student, questions)
    markdown = render_student_markdown(full_student, questions)
    for page in (html_page, markdown):
        assert "accepted convention: padding=2 (same)" in page
        assert "accepted convention: no padding" in page
        assert "likely mistake: arithmetic slip" in page
    assert "likely mistake" not in section(markdown, "q3")


def test_differing_entries_highlighted_in_html(full_student, questions):
    cells = cells_of(render_student_html(full_student, questions))
    highlighted = [(sid, text) for sid, text, differs in cells if differs]
    # The answer's wrong cell and the expected answer's cell at the same place.
    assert highlighted == [
        ("q-q1", "44"),
        ("q-q1", "45"),
        ("q-q3", "12"),  # q3's expected answer is hidden: only the student's cell is marked
        ("q-q11", "3"),
        ("q-q11", "4"),
    ]
    page = render_student_html(full_student, questions)
    assert "row 2, column 1: expected <code>45</code>, got <code>44</code>" in page
    assert "channel B, row 2, column 2: expected <code>4</code>, got <code>3</code>" in page


def test_differing_entries_marked_in_markdown(full_student, questions):
    q1 = section(render_student_markdown(full_student, questions), "q1")
    assert "```text\n  45    54\n[44]    81\n```" in q1
    assert "- row 2, column 1: expected 45, got 44" in q1
    q11 = section(render_student_markdown(full_student, questions), "q11")
    assert "channel B:\n  2    2\n  4  [3]" in q11


def test_status_words(graded, make_student, questions):
    student = make_student(
        "s1",
        (
            graded("q1"),
            graded("q3", status=Status.NEEDS_REVIEW, review_reason=ReviewReason.UNREADABLE),
            graded("q4", points=0, status=Status.MISSING),
            graded(
                "q7", points=0, status=Status.ERROR, feedback="The reader failed on this answer."
            ),
        ),
    )
    markdown = render_student_markdown(student, questions)
    assert "**2 / 2** — graded" in section(markdown, "q1")
    assert (
        "— needs review — a person will confirm (the answer could not be read with confidence)"
        in section(markdown, "q3")
    )
    assert "— missing" in section(markdown, "q4")
    assert "No answer was found for this question." in section(markdown, "q4")
    assert "— error" in section(markdown, "q7")
    assert "The reader failed on this answer." in section(markdown, "q7")
    page = render_student_html(student, questions)
    assert (
        '<span class="badge status-needs_review">needs review — a person will confirm</span>'
        in page
    )


def test_concept_key_points_with_evidence(full_student, questions):
    q4 = section(render_student_markdown(full_student, questions), "q4")
    assert (
        "- [x] covered: The filter acts as a template. — evidence: "
        "“The filter is a template \\<img src=x onerror=alert(1)\\>.” (keywords: template)"
    ) in q4
    assert "- [ ] not found: High response where the patch resembles the template." in q4
    page = render_student_html(full_student, questions)
    assert '<li class="covered">covered: The filter acts as a template.' in page
    assert '<li class="not-covered">not found: High response' in page


def test_override_note(full_student, questions):
    expected_note = "A person graded this answer: 1 of 2 points (channels labelled in the margin)."
    page = render_student_html(full_student, questions)
    assert f'<p class="feedback decision">{expected_note}</p>' in page
    assert "The grader had suggested 0.5 points." in page
    q11 = section(render_student_markdown(full_student, questions), "q11")
    assert expected_note in q11 and "The grader had suggested 0.5 points." in q11
    assert "A person graded" not in section(render_student_markdown(full_student, questions), "q1")


def test_shape_and_channels_rendered(full_student, questions):
    page = render_student_html(full_student, questions)
    assert "<code>126 × 126 × 16</code>" in page
    for channel in ("R", "G", "B"):
        assert f"<caption>channel {channel}</caption>" in page


def test_questions_in_rubric_order_then_unknown(graded, make_student, questions):
    student = make_student("s1", (graded("zz"), graded("q11"), graded("q1"), graded("q3")))
    headings = re.findall(r"^## (\S+?)[:\s]", render_student_markdown(student, questions), re.M)
    assert headings == ["q1", "q3", "q11", "zz"]


def test_markdown_fence_cannot_be_closed_by_student(graded, make_student, questions):
    answer = "before\n```\n# not a heading\n````\nafter"
    student = make_student("s1", (graded("q4", answer_text=answer),))
    markdown = render_student_markdown(student, questions)
    assert f"`````text\n{answer}\n`````" in markdown


def test_markdown_escapes_inline_student_text(graded, make_student, questions):
    student = make_student(
        "[click](javascript:alert(1)) <b>",
        (graded("q1", diagnosis="*bold* `code`"),),
        problems=("- not a list item",),
    )
    markdown = render_student_markdown(student, questions)
    assert "# Feedback for \\[click\\](javascript:alert(1)) \\<b\\>" in markdown
    assert "likely mistake: \\*bold\\* \\`code\\`" in markdown
    assert "- \\- not a list item" in markdown


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    answer_text=st.text(max_size=60),
    answer_read=json_values,
    expected=json_values,
    details=st.dictionaries(
        st.sampled_from(["differing_entries", "evidence", "confidence", "other"]), json_values
    ),
    status=st.sampled_from(list(Status)),
    review_reason=st.none() | st.sampled_from(list(ReviewReason)),
)
def test_reports_never_crash_and_never_leak_markup(
    answer_text, answer_read, expected, details, status, review_reason
):
    questions = make_catalogue(("q1", "Convolve <I> with F.", "matrix", True))
    question = make_question(
        "q1",
        points=1,
        max_points=2,
        status=status,
        answer_text=f"{answer_text}<script>x</script>",
        answer_read=answer_read,
        expected=expected,
        details=details,
        review_reason=review_reason,
    )
    student = StudentGrades("s1", 1, None, (), (question,))
    page = render_student_html(student, questions)
    assert "<script" not in page
    assert render_student_markdown(student, questions).startswith("# Feedback for s1")


def test_model_question_shows_measurement_flags_and_traceback():
    details = {
        "accuracy": 0.8123, "threshold": 0.85, "zero_at": 0.6, "inference_seconds": 0.42,
        "reported_accuracy": 0.95, "flags": ["reported_accuracy_gap"],
        "failed_cell": 6, "traceback": "RuntimeError: <boom>",
    }  # fmt: skip
    grades = StudentGrades(
        "s1", 1, None, (),
        (make_question("p1.scratch", 4.2, 6, feedback="Measured.", details=details),),
    )  # fmt: skip
    infos = make_catalogue(("p1.scratch", "scratch CNN", "accuracy", False))
    markdown = render_student_markdown(grades, infos)
    assert (
        "measured accuracy on the hidden test split: **0.812** (full credit at ≥ 0.85, none at ≤ 0.60)"
        in markdown
    )
    assert "inference time: 0.42 s" in markdown and "accuracy you reported: 0.950" in markdown
    # the flag in words, not its stored name
    assert "- the accuracy your notebook reports differs from the one measured" in markdown
    assert "reported\\_accuracy\\_gap" not in markdown
    assert "The notebook stopped at cell 7" in markdown and "RuntimeError: <boom>" in markdown
    page = render_student_html(grades, infos)
    assert "RuntimeError: &lt;boom&gt;" in page and "<boom>" not in page
