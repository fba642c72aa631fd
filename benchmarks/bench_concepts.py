"""Benchmark: concept suggestions, measured where they were tuned and where they were not (#20).

Prints, per key point (agreement with the labels; the share of suggestions that are confident;
the share of confident suggestions that are wrong):
(a) the development corpus (tests/scoring/concept_corpus), where the rules were tuned, and its
    held-out part, which they were not tuned on (the confidences are calibrated on it);
(b) ../shared/concepts-external/answers.jsonl: 180 answers written independently of the rules,
    in real students' styles, labelled per key point. Never tuned on; measured only;
(c) a simulated class: staff decide k answers per question (k = 0, 5, 10, 20, drawn at
    random, five draws) and the suggestions for the rest, learnt from those decisions
    (`grader.scoring.concept_learning`), are scored, on the development corpus and the
    external answers together (38 answers per question);
a reliability table (stated confidence vs observed agreement) on (a) held-out and (b); and
the speed: suggestions for 500 students × 15 concept questions recomputed after one decision
(one question), and answers per second through `AnswerGrader.grade`.
Goals (issue #20), on (b): agreement ≥ 0.85, ≤ 5 % of confident suggestions wrong, ≥ half
confident; with 20 decided answers per question ≥ 0.95 agreement on the rest; recompute < 1 s.
    .venv/bin/python benchmarks/bench_concepts.py [--errors]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.rubric import load_rubric  # noqa: E402
from grader.scoring import concept_learning  # noqa: E402
from grader.scoring.answer_grader import AnswerGrader  # noqa: E402
from grader.scoring.concept_learning import RuleSuggestion  # noqa: E402
from grader.service.concept_review import ConceptAnswer, concept_view  # noqa: E402
from tests.scoring.concept_corpus import load_corpus  # noqa: E402
from tests.scoring.concept_corpus.held_out import HELD_OUT  # noqa: E402

EXTERNAL = ROOT.parent / "shared" / "concepts-external" / "answers.jsonl"
Labelled = Mapping[str, Sequence[tuple[str, tuple[bool, ...]]]]


@dataclass
class Figures:
    points: int = 0
    agreed: int = 0
    confident: int = 0
    confident_wrong: int = 0

    def add(self, covered: bool, label: bool, sure: bool) -> None:
        self.points += 1
        self.agreed += covered == label
        if sure:
            self.confident += 1
            self.confident_wrong += covered != label

    def line(self, name: str) -> str:
        agreement = self.agreed / self.points if self.points else 0.0
        confident = self.confident / self.points if self.points else 0.0
        wrong = self.confident_wrong / self.confident if self.confident else 0.0
        return f"{name:<34}{self.points:>6}{agreement:>11.3f}{confident:>11.3f}{wrong:>16.3f}"


HEADER = f"{'':<34}{'points':>6}{'agreement':>11}{'confident':>11}{'confident-wrong':>16}"


def external() -> dict[str, list[tuple[str, tuple[bool, ...]]]]:
    found: dict[str, list[tuple[str, tuple[bool, ...]]]] = {}
    for line in EXTERNAL.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        labels = tuple(bool(x) for x in record["key_points"])
        found.setdefault(record["question"], []).append((record["text"], labels))
    return found


def own(source: Mapping[str, Sequence]) -> dict[str, list[tuple[str, tuple[bool, ...]]]]:
    return {qid: [(a.text, a.labels) for a in answers] for qid, answers in source.items()}


def rules_of(grader: AnswerGrader, qid: str, text: str) -> tuple[RuleSuggestion, list[dict]]:
    evidence = grader.grade(qid, text).details["evidence"]
    suggestion = RuleSuggestion(
        tuple(bool(e["covered"]) for e in evidence), tuple(float(e["confidence"]) for e in evidence)
    )
    return suggestion, evidence


def measure(grader: AnswerGrader, corpus: Labelled, bins: dict[float, list[int]]) -> Figures:
    figures = Figures()
    for qid, answers in corpus.items():
        for text, labels in answers:
            suggestion, _ = rules_of(grader, qid, text)
            for covered, sure, label in zip(
                suggestion.covered, suggestion.confidence, labels, strict=True
            ):
                figures.add(covered, label, sure >= concept_learning.UNCERTAIN_BELOW)
                bins.setdefault(round(sure, 2), [0, 0])
                bins[round(sure, 2)][0] += 1
                bins[round(sure, 2)][1] += covered == label
    return figures


def simulate(grader: AnswerGrader, corpus: Labelled, k: int, draws: int = 5) -> Figures:
    figures = Figures()
    for qid, answers in corpus.items():
        texts = [text for text, _ in answers]
        labels = [label for _, label in answers]
        rules = [rules_of(grader, qid, text)[0] for text in texts]
        for draw in range(draws):
            if k >= len(answers):
                continue
            chosen = random.Random(f"{qid}-{draw}").sample(range(len(answers)), k)
            learned = concept_learning.learn(texts, rules, {i: labels[i] for i in chosen})
            for index, found in learned.items():
                for covered, sure, label in zip(
                    found.covered, found.confidence, labels[index], strict=True
                ):
                    figures.add(covered, label, sure >= concept_learning.UNCERTAIN_BELOW)
    return figures


def reliability(name: str, bins: dict[float, list[int]]) -> list[str]:
    lines = [f"reliability on {name}: stated confidence → observed agreement (suggestions)"]
    for sure in sorted(bins):
        count, agreed = bins[sure]
        lines.append(f"  {sure:.2f}: {agreed / count:.3f} ({agreed}/{count})")
    return lines


def recompute_speed(grader: AnswerGrader, corpus: Labelled) -> tuple[float, float]:
    """Seconds to recompute one question's suggestions after a decision, 500 students:
    the first time (every answer vectorised) and after a decision (texts cached)."""
    qid, answers = next(iter(corpus.items()))
    prepared = []
    for n in range(500):
        text, labels = answers[n % len(answers)]
        text = f"{text} (student {n})"  # 500 distinct answers
        suggestion, evidence = rules_of(grader, qid, text)
        points = tuple(float(e["points"]) for e in evidence)
        prepared.append(
            ConceptAnswer(f"s{n}", text, suggestion, points, labels if n < 20 else None)
        )
    started = time.perf_counter()
    concept_view(prepared)
    first = time.perf_counter() - started
    prepared[20] = ConceptAnswer(
        "s20",
        prepared[20].text,
        prepared[20].rules,
        prepared[20].points,
        answers[20 % len(answers)][1],
    )  # one more decision
    started = time.perf_counter()
    concept_view(prepared)
    return first, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    print(f"command: cd {ROOT} && .venv/bin/python benchmarks/bench_concepts.py")
    grader = AnswerGrader(load_rubric(ROOT / "rubrics" / "hw4.toml"))
    corpus, held, outside = own(load_corpus()), own(HELD_OUT), external()
    print(HEADER)
    own_bins: dict[float, list[int]] = {}
    held_bins: dict[float, list[int]] = {}
    outside_bins: dict[float, list[int]] = {}
    started = time.perf_counter()
    print(measure(grader, corpus, own_bins).line("(a) development corpus (tuned on)"))
    elapsed = time.perf_counter() - started
    print(measure(grader, held, held_bins).line("(a) held-out part (not tuned on)"))
    print(measure(grader, outside, outside_bins).line("(b) external answers (never tuned)"))
    both = {qid: [*corpus[qid], *outside.get(qid, [])] for qid in corpus}
    for k in (0, 5, 10, 20):
        print(simulate(grader, both, k).line(f"(c) class, {k:>2} decided per question"))
    for k in (0, 5, 10):
        print(simulate(grader, outside, k).line(f"(c) external only, {k:>2} decided"))
    print()
    print("\n".join(reliability("(a) held-out", held_bins)))
    print("\n".join(reliability("(b) external", outside_bins)))
    answers = sum(len(a) for a in corpus.values())
    first, again = recompute_speed(grader, corpus)
    print()
    print(
        f"speed: rules {answers / elapsed:.0f} answers/s; one question of 500 students "
        f"recomputed: {first:.2f} s the first time (vectorising), {again:.2f} s after a decision"
    )


if __name__ == "__main__":
    main()
