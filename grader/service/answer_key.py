"""The answer key use case: every accepted answer of each exact question, computed from the
rubric's question parameters.

Must not score or read submissions, and must not format for a terminal (callers render).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.reference import compute_key, load_parameters
from grader.reference.answer_key import to_jsonable
from grader.rubric import load_rubric
from grader.rubric.model import ExactQuestion


@dataclass(frozen=True)
class AcceptedAnswer:
    """One accepted answer: the convention it follows and its value as JSON-able lists."""

    convention: str
    value: Any


@dataclass(frozen=True)
class AnswerKey:
    """Accepted answers per exact question, in rubric order (concept questions have none)."""

    parameters_path: Path
    questions: dict[str, tuple[AcceptedAnswer, ...]]

    def as_json(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """{question: {"accepted": [{"convention": ..., "value": ...}]}}, as `grader key` prints it."""
        return {
            qid: {"accepted": [{"convention": a.convention, "value": a.value} for a in accepted]}
            for qid, accepted in self.questions.items()
        }


def answer_key(rubric_path: Path) -> AnswerKey:
    """Load the rubric, compute the key from its parameters file, and list what each question accepts."""
    rubric = load_rubric(rubric_path)
    keys = compute_key(load_parameters(rubric.parameters_path))
    questions = {
        qid: tuple(
            AcceptedAnswer(accepted.convention, to_jsonable(accepted.value))
            for accepted in keys[question.key].accepted
        )
        for qid, question in rubric.questions.items()
        if isinstance(question, ExactQuestion)
    }
    return AnswerKey(rubric.parameters_path, questions)
