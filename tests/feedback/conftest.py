"""Builders for StudentGrades and question metadata used by the report tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from grader.results import (
    GradedQuestion,
    Override,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    StudentGrades,
)
from grader.rubric import CatalogueQuestion, QuestionCatalogue


def make_catalogue(*rows: tuple[str, str, str, bool]) -> QuestionCatalogue:
    """A catalogue from (id, title, kind, show_expected) rows, in the order given."""
    return QuestionCatalogue(
        CatalogueQuestion(
            id=qid,
            title=title,
            kind=kind,
            part=Part.NOTEBOOKS if kind in ("accuracy", "figures") else Part.WRITTEN,
            points=2,
            order=order,
            show_expected=show,
        )
        for order, (qid, title, kind, show) in enumerate(rows)
    )


@pytest.fixture
def questions() -> QuestionCatalogue:
    return make_catalogue(
        ("q1", "Convolve I with F, no padding.", "matrix", True),
        ("q3", "Convolve I with F, 2-dilated, zero padding.", "matrix", False),
        ("q4", "Explain convolution as template matching.", "concept", False),
        ("q7", "Output size of 16 filters 3×3×32.", "shape", True),
        ("q11", "2×2 max pooling of I.", "tensor", True),
    )


def make_question(
    question_id: str,
    points: float = 2,
    max_points: float = 2,
    *,
    overridden: bool = False,
    override_reason: str = "",
    suggested_points: float | None = None,
    **fields: Any,
) -> GradedQuestion:
    """A GradedQuestion; with overridden=True, `points` are the person's and
    `suggested_points` the grader's."""
    fields.setdefault("status", Status.GRADED)
    if not overridden:
        return GradedQuestion(QuestionResult(question_id, points, max_points, **fields))
    grader_points = points if suggested_points is None else suggested_points
    return GradedQuestion(
        QuestionResult(question_id, grader_points, max_points, **fields),
        Override(points=points, reason=override_reason),
    )


StudentFactory = Callable[..., StudentGrades]


@pytest.fixture
def graded() -> Callable[..., GradedQuestion]:
    """Build a GradedQuestion: graded("q1", points=1, diagnosis=...); status defaults to graded."""
    return make_question


@pytest.fixture
def make_student() -> StudentFactory:
    def build(
        student_id: str = "s1",
        questions: tuple[GradedQuestion, ...] | None = None,
        problems: tuple[str, ...] = (),
    ) -> StudentGrades:
        if questions is None:
            questions = (make_question("q1"), make_question("q7"))
        return StudentGrades(
            student_id=student_id,
            run_id=1,
            source_path=f"written/{student_id}.md",
            problems=problems,
            questions=questions,
        )

    return build


@pytest.fixture
def full_student(make_student: StudentFactory) -> StudentGrades:
    """One student whose answers exercise every part of a report section."""
    return make_student(
        "s1",
        (
            make_question(
                "q1",
                points=1.5,
                answer_text="45 54\n44 81\n<script>alert('pwned')</script>",
                answer_read=[[45, 54], [44, 81]],
                diagnosis="arithmetic slip",
                feedback="One entry is off by one.",
                expected=[[45, 54], [45, 81]],
                details={"differing_entries": [{"index": [1, 0], "expected": "45", "got": "44"}]},
            ),
            make_question(
                "q3",
                answer_read=[[12, 18, 12], [18, 27, 18], [12, 18, 12]],
                convention="padding=2 (same)",
                feedback="Correct for padding 2.",
                expected=[[777, 778], [779, 780]],
                details={"differing_entries": [{"index": [0, 0], "expected": "777", "got": "12"}]},
            ),
            make_question(
                "q4",
                points=2,
                max_points=3,
                status=Status.NEEDS_REVIEW,
                review_reason=ReviewReason.CONCEPT,
                answer_text="The filter is a template <img src=x onerror=alert(1)>.",
                details={
                    "evidence": [
                        {
                            "key_point": "The filter acts as a template.",
                            "covered": True,
                            "keywords": ["template"],
                            "sentence": "The filter is a template <img src=x onerror=alert(1)>.",
                        },
                        {
                            "key_point": "High response where the patch resembles the template.",
                            "covered": False,
                            "keywords": [],
                            "sentence": None,
                        },
                    ],
                    "confidence": 0.9,
                },
            ),
            make_question(
                "q7",
                answer_read=[126, 126, 16],
                convention="no padding",
                expected=[126, 126, 16],
            ),
            make_question(
                "q11",
                points=1,
                answer_read={"R": [[1, 1], [1, 1]], "G": [[2, 2], [2, 2]], "B": [[2, 2], [4, 3]]},
                expected={"R": [[1, 1], [1, 1]], "G": [[2, 2], [2, 2]], "B": [[2, 2], [4, 4]]},
                details={"differing_entries": [{"index": ["B", 1, 1], "expected": 4, "got": 3}]},
                overridden=True,
                override_reason="channels labelled in the margin",
                suggested_points=0.5,
            ),
        ),
        problems=("file is not UTF-8; read as Windows-1252",),
    )
