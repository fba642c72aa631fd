"""Find concept answers written without a readable marker, by their content and their position.

`split_document` places answers by their markers. An answer whose marker is
missing or damaged (`ao)` for 20, a bare bullet) ends up inside the previous
answer's text, or before the first marker. For every concept question without
an answer, each block of the other answers (`answer_blocks`) is scored by how
much of that question's keywords it holds against the host question's; a block
clearly about the missing question is moved to it. The placement is *sure*
when the question fits the position too (q18 found between q17 and q19) and
the content is clear; otherwise the caller sends it to a person with the text
shown. This module must not grade: it only decides which text answers what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grader.reading.questions import answer_blocks
from grader.scoring.concepts import CompiledKeyPoint, relevance

MIN_RELEVANCE = 0.25  # share of the missing question's keyword groups a block must hit
MARGIN = 0.15  # ... more than the host question's share
SURE_RELEVANCE = 0.35  # a placement that fits the position is sure from this share on
MIN_WORDS = 6  # shorter blocks ("see above") are left where they are
DIGIT_SHARE = 0.3  # a block of an exact answer with this many numbers is that answer's working
PREAMBLE = "text before the first marker"


@dataclass(frozen=True)
class Placement:
    """Text placed on a question by its content: where it was found and how sure that is."""

    text: str
    found_in: str  # the question id whose text held it, or PREAMBLE
    sure: bool
    relevance: float
    damaged_marker: str | None = None
    #: Another question the text could answer as well (issue #20): shown beside this one to
    #: the person who decides, and the placement is then never sure.
    alternative: str | None = None


@dataclass(frozen=True)
class Placed:
    answers: dict[str, str]  # every answer, the placed blocks taken out of their hosts
    placements: dict[str, Placement]
    preamble: str  # what is left of the text before the first marker


def place_by_content(
    answers: Mapping[str, str],
    missing: Sequence[str],
    preamble: str,
    compiled: Mapping[str, tuple[CompiledKeyPoint, ...]],
    order: Sequence[str],
) -> Placed:
    """Move blocks clearly about a missing concept question onto it (see the module docstring)."""
    wanted = [qid for qid in missing if qid in compiled]
    kept = dict(answers)
    if not wanted:
        return Placed(kept, {}, preamble)
    rank = {qid: i for i, qid in enumerate(order)}
    present = sorted((q for q, t in answers.items() if t.strip()), key=lambda q: rank.get(q, 0))
    placements: dict[str, Placement] = {}
    hosts: list[tuple[str, str]] = [(PREAMBLE, preamble), *((q, answers[q]) for q in present)]
    left_preamble = preamble
    for host, text in hosts:
        blocks = answer_blocks(text)
        if not blocks:
            continue
        first = 0 if host == PREAMBLE else 1  # a host's first block is its own answer
        labels: list[str] = [host] * len(blocks)
        scores: list[float] = [0.0] * len(blocks)
        gap = _questions_between(host, present, order, rank)
        for i in range(first, len(blocks)):
            block = blocks[i]
            open_questions = [q for q in wanted if q not in placements]
            if not open_questions or len(block.text.split()) < MIN_WORDS or _numeric(block.text):
                continue
            host_share = relevance(block.text, compiled[host]) if host in compiled else 0.0
            share, best = max((relevance(block.text, compiled[q]), q) for q in open_questions)
            if share >= MIN_RELEVANCE and share >= host_share + MARGIN:
                labels[i], scores[i] = best, share
            elif i > first and labels[i - 1] != host and host_share < MIN_RELEVANCE:
                labels[i], scores[i] = labels[i - 1], scores[i - 1]  # the answer goes on
            elif block.damaged_marker and len(fits := [q for q in gap if q in open_questions]) == 1:
                labels[i], scores[i] = fits[0], share  # a damaged marker where one answer lacks
        for qid in dict.fromkeys(label for label in labels if label != host):
            text_of = "\n\n".join(
                b.text for b, label in zip(blocks, labels, strict=True) if label == qid
            )
            share = max(s for s, label in zip(scores, labels, strict=True) if label == qid)
            marker = next((b.damaged_marker for b, lab in zip(blocks, labels, strict=True)
                           if lab == qid and b.damaged_marker), None)  # fmt: skip
            rival = _rival(text_of, qid, share, compiled)
            placements[qid] = Placement(
                text_of, host, sure=qid in gap and share >= SURE_RELEVANCE and rival is None,
                relevance=round(share, 2), damaged_marker=marker, alternative=rival,
            )  # fmt: skip
        if any(label != host for label in labels):
            rest = "\n\n".join(
                b.text for b, label in zip(blocks, labels, strict=True) if label == host
            )
            if host == PREAMBLE:
                left_preamble = rest
            else:
                kept[host] = rest
    for qid, placement in placements.items():
        kept[qid] = placement.text
    return Placed(kept, placements, left_preamble)


def _rival(
    text: str, placed_on: str, share: float, compiled: Mapping[str, tuple[CompiledKeyPoint, ...]]
) -> str | None:
    """Another concept question the text is (nearly) as much about, or None."""
    others = [(relevance(text, points), q) for q, points in compiled.items() if q != placed_on]
    if not others:
        return None
    best, question = max(others)
    return question if best >= MIN_RELEVANCE and best >= share - MARGIN else None


def _questions_between(
    host: str, present: Sequence[str], order: Sequence[str], rank: Mapping[str, int]
) -> list[str]:
    """The questions the sheet puts between `host` and the next answered question."""
    start = -1 if host == PREAMBLE else rank[host]
    following = [rank[q] for q in present if rank[q] > start]
    end = min(following, default=len(order))
    return list(order[start + 1 : end])


def _numeric(text: str) -> bool:
    words = text.split()
    return (
        bool(words) and sum(any(c.isdigit() for c in w) for w in words) / len(words) > DIGIT_SHARE
    )
