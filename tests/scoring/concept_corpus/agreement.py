"""Agreement of the grader's concept suggestions with the corpus labels (for tests and benchmark).

Runs every labelled answer through `AnswerGrader.grade`, the path a real
submission takes, and compares each key point's suggested "covered" with the
label. Must not change the grader or the labels; it only counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.scoring.answer_grader import AnswerGrader
from tests.scoring.concept_corpus import LabelledAnswer


@dataclass
class Tally:
    """Key-point decisions counted for one question, or for all."""

    decisions: int = 0
    agreed: int = 0
    uncertain: int = 0
    sure: int = 0  # decisions not marked uncertain
    sure_agreed: int = 0
    wrong_answer_negatives: int = 0  # key points of wrong-but-fluent answers labelled not covered
    wrong_answer_covered: int = 0  # ... that the grader suggested covered anyway
    negatives: int = 0
    false_covered: int = 0
    errors: list[tuple[str, int, int]] = field(default_factory=list)  # (question, answer, point)

    def add(self, other: Tally) -> None:
        for name in ("decisions", "agreed", "uncertain", "sure", "sure_agreed",
                     "wrong_answer_negatives", "wrong_answer_covered", "negatives",
                     "false_covered"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)

    @property
    def agreement(self) -> float:
        return self.agreed / self.decisions if self.decisions else 1.0

    @property
    def sure_agreement(self) -> float:
        return self.sure_agreed / self.sure if self.sure else 1.0

    @property
    def wrong_covered_rate(self) -> float:
        if not self.wrong_answer_negatives:
            return 0.0
        return self.wrong_answer_covered / self.wrong_answer_negatives

    @property
    def false_covered_rate(self) -> float:
        return self.false_covered / self.negatives if self.negatives else 0.0

    @property
    def uncertain_share(self) -> float:
        return self.uncertain / self.decisions if self.decisions else 0.0


def measure(
    grader: AnswerGrader, corpus: Mapping[str, tuple[LabelledAnswer, ...]]
) -> tuple[dict[str, Tally], Tally]:
    """Per-question tallies and their total."""
    per_question: dict[str, Tally] = {}
    total = Tally()
    for qid, answers in corpus.items():
        tally = Tally()
        for index, answer in enumerate(answers):
            evidence = grader.grade(qid, answer.text).details["evidence"]
            if len(evidence) != len(answer.labels):
                raise ValueError(f"{qid} answer {index}: {len(answer.labels)} labels")
            for point, (item, label) in enumerate(zip(evidence, answer.labels, strict=True)):
                covered = item["covered"] is True
                tally.decisions += 1
                tally.agreed += covered == label
                tally.uncertain += item["uncertain"] is True
                if item["uncertain"] is not True:
                    tally.sure += 1
                    tally.sure_agreed += covered == label
                if not label:
                    tally.negatives += 1
                    tally.false_covered += covered
                    if answer.wrong_but_fluent:
                        tally.wrong_answer_negatives += 1
                        tally.wrong_answer_covered += covered
                if covered != label:
                    tally.errors.append((qid, index, point + 1))
        per_question[qid] = tally
        total.add(tally)
    return per_question, total
