"""The answer key use case: every accepted answer of each computed question, from the rubric's
question parameters, shown the way its kind shows it.

Must not score or read submissions, and must not format for a terminal (callers render).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.kinds.base import shown_decimals
from grader.kinds.table import kind_of
from grader.reference.values import to_jsonable
from grader.rubric import load_rubric


@dataclass(frozen=True)
class AcceptedAnswer:
    """One accepted answer: the convention it follows, its value as JSON-able lists, and as text."""

    convention: str
    value: Any
    text: str = ""


@dataclass(frozen=True)
class AnswerKey:
    """Accepted answers per computed question, in rubric order (concept questions have none)."""

    parameters_path: Path
    questions: dict[str, tuple[AcceptedAnswer, ...]]
    tolerances: dict[str, float]  # questions compared within a tolerance
    kinds: dict[str, str]
    warnings: tuple[str, ...] = ()  # doubts about the rubric that do not stop it
    mistakes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # names for partial.mistakes

    def as_json(self) -> dict[str, dict[str, Any]]:
        """{question: {"accepted": [{"convention": ..., "value": ...}], "mistakes": [names]}}, as
        `grader key` prints it (and "tolerance" for a question compared within one)."""
        printed: dict[str, dict[str, Any]] = {}
        for qid, accepted in self.questions.items():
            entry: dict[str, Any] = {
                "accepted": [{"convention": a.convention, "value": a.value} for a in accepted]
            }
            if qid in self.tolerances:
                entry["tolerance"] = self.tolerances[qid]
            entry["mistakes"] = list(self.mistakes.get(qid, ()))
            printed[qid] = entry
        return printed


def answer_key(rubric_path: Path) -> AnswerKey:
    """Load the rubric, compute the key from its parameters file, and list what each question accepts."""
    rubric = load_rubric(rubric_path)
    keys = rubric.keys
    questions: dict[str, tuple[AcceptedAnswer, ...]] = {}
    tolerances: dict[str, float] = {}
    kinds: dict[str, str] = {}
    mistakes: dict[str, tuple[str, ...]] = {}
    for qid, question in rubric.questions.items():
        kind = kind_of(question.kind)
        if not kind.computed:
            continue
        key = keys[question.key]  # type: ignore[attr-defined]
        decimals = shown_decimals(key, question)  # type: ignore[arg-type]
        texts = dict(kind.describe_key(key, question))
        questions[qid] = tuple(
            AcceptedAnswer(
                a.convention, to_jsonable(a.value, decimals), texts.get(a.convention, "")
            )
            for a in key.accepted
        )
        kinds[qid] = kind.name
        mistakes[qid] = key.mistake_names
        tolerance = getattr(question, "tolerance", None)
        if tolerance is not None:
            tolerances[qid] = tolerance
    return AnswerKey(
        rubric.parameters_path, questions, tolerances, kinds, rubric.warnings, mistakes
    )
