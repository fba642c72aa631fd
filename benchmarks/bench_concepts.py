"""Benchmark: concept suggestions against the hand-labelled corpus (tests/scoring/concept_corpus).

Prints per-question and overall agreement per key point, agreement on the
suggestions not marked uncertain, the wrong-"covered" rate on wrong-but-fluent
answers (measured on its own: the worst error), the false-"covered" rate on all
answers, the share marked uncertain, the held-out answers' figures and the
speed. Goal: >= 0.95 agreement, <= 2 % wrong "covered", <= 20 % uncertain.
    .venv/bin/python benchmarks/bench_concepts.py [--errors]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.rubric import load_rubric  # noqa: E402
from grader.scoring.answer_grader import AnswerGrader  # noqa: E402
from tests.scoring.concept_corpus import load_corpus  # noqa: E402
from tests.scoring.concept_corpus.agreement import Tally, measure  # noqa: E402
from tests.scoring.concept_corpus.held_out import HELD_OUT  # noqa: E402


def _line(name: str, tally: Tally) -> str:
    return (
        f"{name:<9}{tally.decisions:>6}{tally.agreement:>10.3f}{tally.sure_agreement:>8.3f}"
        f"{tally.wrong_covered_rate:>10.3f}{tally.false_covered_rate:>9.3f}"
        f"{tally.uncertain_share:>10.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    grader = AnswerGrader(load_rubric(ROOT / "rubrics" / "hw4.toml"))
    corpus = load_corpus()
    started = time.perf_counter()
    per_question, total = measure(grader, corpus)
    elapsed = time.perf_counter() - started
    answers = sum(len(a) for a in corpus.values())
    print(f"{'question':<9}{'points':>6}{'agreement':>10}{'sure':>8}{'wrong-cov':>10}"
          f"{'false-cov':>9}{'uncertain':>10}")  # fmt: skip
    for qid, tally in per_question.items():
        print(_line(qid, tally))
    print(_line("overall", total))
    _, held = measure(grader, HELD_OUT)
    print(_line("held-out", held))
    print(
        f"\n{answers} answers, {total.decisions} key-point decisions; "
        f"wrong-but-fluent negatives: {total.wrong_answer_covered} of "
        f"{total.wrong_answer_negatives} suggested covered"
    )
    print(f"speed: {answers / elapsed:.0f} answers/s (first run, caches cold)")
    if args.errors:
        for qid, index, point in total.errors + held.errors:
            text = (
                corpus[qid][index] if (qid, index, point) in total.errors else HELD_OUT[qid][index]
            ).text
            print(f"{qid} #{index} key point {point}: {' '.join(text.split())[:110]}")


if __name__ == "__main__":
    main()
