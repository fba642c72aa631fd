"""Property tests of reading a whole written document: it never crashes, every question gets one
status, and correct answers with markers reordered or decorated are never `missing`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.results import Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = (ROOT / "reference/hw4/written_solution.md").read_text(encoding="utf-8")
ANSWERS = SOLUTION[SOLUTION.index("\n1. ") + 1 :]
BLOCKS = {
    int(block.split(".", 1)[0]): block.split(".", 1)[1].strip()
    for block in re.split(r"(?m)^(?=\d{1,2}\. )", ANSWERS)
    if block.strip()
}
EXACT = {1: "q1", 2: "q2", 3: "q3", 7: "q7", 8: "q8", 11: "q11"}
DECORATIONS = [
    "{n}.",
    "{n})",
    "({n})",
    "Q{n}",
    "Q{n}.",
    "Q.{n}",
    "Question {n}:",
    "**Q{n}.**",
    "## {n}.",
    "### Problem {n}",
    "\\noindent\\textbf{{Q{n}.}}",
    "\\item[{n}.]",
    "\\section*{{Question {n}}}",
    "Ans {n}:",
]


@pytest.fixture(scope="module")
def grader() -> AnswerGrader:
    return AnswerGrader(load_rubric(ROOT / "rubrics/hw4.toml"))


PIECES = st.sampled_from(
    ["1.", "Q7", "(3)", "9, 18", "45 45", "\n", " ", "text", "~~", "## 2.", "21)", "\\item[",
     "ll)", "126 x 126 x 16", "|", "---", "R:", "tensor([[", "]])", "\\textbf{", "}", "$"]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.text(max_size=400), st.lists(PIECES, max_size=60).map("".join)))
def test_any_text_gives_every_question_exactly_one_status(grader, text):
    document = grader.grade_document(text)
    ids = [r.question_id for r in document.results]
    assert ids == list(grader.question_ids)
    assert all(isinstance(r.status, Status) for r in document.results)
    assert all(0 <= r.points <= r.max_points for r in document.results)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(sorted(BLOCKS)),
    decoration=st.sampled_from(DECORATIONS),
    blank_lines=st.integers(min_value=1, max_value=3),
)
def test_correct_answers_reordered_or_decorated_are_never_missing(
    grader, order, decoration, blank_lines
):
    separator = "\n" * blank_lines
    text = separator.join(f"{decoration.format(n=n)} {BLOCKS[n]}" for n in order)
    document = grader.grade_document(text)
    results = {r.question_id: r for r in document.results}
    assert not [qid for qid, r in results.items() if r.status is Status.MISSING]
    for qid in EXACT.values():
        # Right value: full points, confidently or suggested to a person.
        assert results[qid].points == results[qid].max_points, (qid, results[qid].feedback)
