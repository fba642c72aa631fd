"""A development corpus of concept answers, hand-labelled per key point, for the concept matcher.

At least 25 answers per concept question of rubrics/hw4.toml (q4–q6, q9, q10,
q12–q21), written for this project the ways students write: long prose, terse
bullets, OCR noise and misspellings, partial answers, wrong-but-fluent answers
that use the right words, answers to a neighbouring question, negations and
contrasts, and (q10) early and deep layers swapped. Each answer carries one
label per key point, in rubric order, as a careful TA grades it from the key
point texts of shared/hw4-concept-keypoints.md: "1" covered, "0" not.

The labels were written before the matcher was tuned and are never changed
to suit it; where the matcher disagrees, the benchmark counts an error. This
package holds data only: it must not import the grader.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

#: How an answer is written; "wrong" is a wrong-but-fluent answer (the worst place for a
#: "covered" suggestion, measured on its own), "neighbour" answers another question.
STYLES = frozenset(
    {
        "prose",
        "bullets",
        "terse",
        "short",
        "ocr",
        "partial",
        "wrong",
        "neighbour",
        "negation",
        "contrast",
        "swap",
    }
)


@dataclass(frozen=True)
class LabelledAnswer:
    text: str
    labels: tuple[bool, ...]  # one per key point, in rubric order
    style: str

    @property
    def wrong_but_fluent(self) -> bool:
        """Answers whose "covered" suggestions are the worst error: wrong, swapped, off-question."""
        return self.style in {"wrong", "neighbour", "swap"} or (
            self.style == "negation" and not any(self.labels)
        )


def A(text: str, labels: str, style: str) -> LabelledAnswer:
    """One labelled answer: `labels` is a string of 0/1, one digit per key point."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    if set(labels) - {"0", "1"}:
        raise ValueError(f"labels must be 0/1 digits, got {labels!r}")
    return LabelledAnswer(text, tuple(c == "1" for c in labels), style)


QUESTION_IDS = (
    "q4",
    "q5",
    "q6",
    "q9",
    "q10",
    "q12",
    "q13",
    "q14",
    "q15",
    "q16",
    "q17",
    "q18",
    "q19",
    "q20",
    "q21",
)


def load_corpus() -> dict[str, tuple[LabelledAnswer, ...]]:
    """Every question's labelled answers, by question id."""
    return {qid: import_module(f"{__name__}.q{int(qid[1:]):02d}").ANSWERS for qid in QUESTION_IDS}
