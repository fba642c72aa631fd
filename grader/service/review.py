"""The review queue use case: what waits for a person, per student and question.

Job: from current grades (overrides applied), list every question that needs a
person's attention (errors, unreadable or ambiguous answers, scans) and every
concept suggestion awaiting routine confirmation, with the grader's suggested
points. Must not change grades (`set_override` does) or print.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from grader.results import ReviewReason, Status
from grader.rubric import load_rubric
from grader.service.gradebooks import open_existing
from grader.storage import GradebookTarget


class ReviewKind(StrEnum):
    """Why an item is in the queue: a person must act, or a suggestion needs a routine yes."""

    attention = "attention"
    confirm = "confirm"


@dataclass(frozen=True)
class ReviewItem:
    """One question of one student that waits for a person."""

    student_id: str
    question_id: str
    title: str
    kind: ReviewKind
    status: Status
    review_reason: ReviewReason | None
    suggested_points: float  # what the grader gave; `grader override` confirms or changes it
    max_points: float
    feedback: str

    def as_json(self) -> dict[str, Any]:
        return {
            "student": self.student_id,
            "question": self.question_id,
            "title": self.title,
            "kind": self.kind.value,
            "status": self.status.value,
            "review_reason": self.review_reason.value if self.review_reason else None,
            "suggested_points": self.suggested_points,
            "max_points": self.max_points,
            "feedback": self.feedback,
        }


def review_queue(
    db: GradebookTarget, *, rubric: Path, student: str | None = None
) -> list[ReviewItem]:
    """Items awaiting a person, students in id order and questions in rubric order."""
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    items: list[ReviewItem] = []
    for grades in gradebook.latest_grades(student, catalogue=catalogue):
        for question in grades.questions:
            if question.needs_attention:
                kind = ReviewKind.attention
            elif question.awaits_confirmation:
                kind = ReviewKind.confirm
            else:
                continue
            items.append(
                ReviewItem(
                    student_id=grades.student_id,
                    question_id=question.question_id,
                    title=catalogue.describe(question.question_id).title,
                    kind=kind,
                    status=question.status,
                    review_reason=question.review_reason,
                    suggested_points=question.result.points,
                    max_points=question.max_points,
                    feedback=question.feedback,
                )
            )
    return items
