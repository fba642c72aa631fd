"""Question metadata the reports need, and the order questions and students are shown in.

This module only describes questions for display. It must not score, read
answers or know the rubric file format: the caller builds `QuestionInfo`
from whatever rubric it loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_DIGIT_RUNS = re.compile(r"([0-9]+)")


@dataclass(frozen=True)
class QuestionInfo:
    """What a report shows about a question besides the student's result."""

    question_id: str
    title: str  # e.g. "Convolve I with F, no padding."
    kind: str  # "matrix" | "tensor" | "shape" | "concept" | "model"
    show_expected: bool  # the rubric allows showing the expected answer


def unknown_question(question_id: str) -> QuestionInfo:
    """Metadata for a question the caller did not describe: no title, expected answer hidden."""
    return QuestionInfo(question_id=question_id, title="", kind="unknown", show_expected=False)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts q2 before q10 and s9 before s10; ties broken by the exact text."""
    parts = _DIGIT_RUNS.split(text)
    # re.split with one group alternates text (even positions) and digit runs (odd positions),
    # so every position compares like with like.
    key = tuple((1, int(part)) if i % 2 else (0, part.lower()) for i, part in enumerate(parts))
    return (*key, (0, text))


def ordered_question_ids(
    present_ids: Iterable[str], questions: Mapping[str, QuestionInfo]
) -> list[str]:
    """Question ids in rubric order (the mapping's order), then unknown ids in natural order."""
    present = set(present_ids)
    known = [qid for qid in questions if qid in present]
    unknown = sorted(present.difference(questions), key=natural_key)
    return known + unknown
