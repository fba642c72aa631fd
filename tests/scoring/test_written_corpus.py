"""Reading fidelity, never a silent zero: the written-answer corpus graded as a careful TA would.

Each entry of tests/scoring/written_corpus.py is one test: the points (unless a person
decides), the status and, when given, the accepted convention. An entry with a
`known_gap` runs as a strict xfail: the grader does not read it as a TA would yet.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from grader.results import Status
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader
from tests.scoring.written_corpus import (
    ANSWERS,
    DOCUMENTS,
    MIN_ENTRIES,
    MIN_PER_STYLE,
    STYLES,
    WrittenAnswer,
    WrittenDocument,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def grader() -> AnswerGrader:
    return AnswerGrader(load_rubric(ROOT / "rubrics/hw4.toml"))


def _params(entries: tuple[WrittenAnswer, ...] | tuple[WrittenDocument, ...]) -> list:
    return [
        pytest.param(
            entry,
            id=entry.id,
            marks=pytest.mark.xfail(strict=True, reason=entry.known_gap) if entry.known_gap else (),
        )
        for entry in entries
    ]


@pytest.mark.parametrize("entry", _params(ANSWERS))
def test_answer_is_graded_as_a_ta_would(grader, entry: WrittenAnswer):
    result = grader.grade(entry.question, entry.text)
    seen = (
        f"{entry.id} ({entry.style}): got {result.points} {result.status.value}, "
        f"convention {result.convention!r}, diagnosis {result.diagnosis!r}, "
        f"read {result.answer_read!r}"
    )
    assert result.status is Status(entry.status), seen
    if entry.points is not None:
        assert result.points == pytest.approx(entry.points, abs=0.01), seen
    if entry.convention is not None:
        assert entry.convention in (result.convention or ""), seen


@pytest.mark.parametrize("entry", _params(DOCUMENTS))
def test_document_reads_every_answer(grader, entry: WrittenDocument):
    document = grader.grade_document(entry.text)
    results = {result.question_id: result for result in document.results}
    missing = [qid for qid in entry.answered if results[qid].status is Status.MISSING]
    assert missing == [], f"{entry.id}: readable answers marked missing: {missing}"
    for qid, points in entry.exact_points:
        result = results[qid]
        seen = f"{entry.id} {qid}: got {result.points} {result.status.value}, read {result.answer_read!r}"
        assert result.status is Status.GRADED, seen
        assert result.points == pytest.approx(points, abs=0.01), seen


def test_corpus_is_large_and_covers_every_style():
    assert len(ANSWERS) >= MIN_ENTRIES
    per_style = Counter(entry.style for entry in ANSWERS)
    thin = {style: per_style[style] for style in STYLES if per_style[style] < MIN_PER_STYLE}
    assert thin == {}, f"styles with fewer than {MIN_PER_STYLE} entries: {thin}"
    assert set(per_style) <= set(STYLES), set(per_style) - set(STYLES)
    ids = [entry.id for entry in (*ANSWERS, *DOCUMENTS)]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert {entry.question for entry in ANSWERS} == {"q1", "q2", "q3", "q7", "q8", "q11"}
    assert {entry.status for entry in ANSWERS} == {"graded", "needs_review", "missing"}
    assert len(DOCUMENTS) >= 10
