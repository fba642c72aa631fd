"""Concept suggestions that learn from the course's own decisions (issue #20).

Once staff decide some answers of a question (the key points they ticked), the suggestions for
the other answers of that question are recomputed: an answer that says what a decided answer
says gets the same key points. Answers are compared as TF-IDF vectors of character 3- to
5-grams of their normalised text (struck-out words and OCR markup dropped), which survives
paraphrase within the class's own vocabulary, misspellings and joined or split words; the
neighbours' decisions are combined with the rules' evidence (`concepts.suggest_key_points`):

- a point the rules are unsure about becomes covered (or not) when the closest decided answers
  are similar enough and agree; staff decisions on similar answers are positive evidence;
- a confident rule finding that the closest decided answers contradict becomes unsure;
- otherwise the rules' suggestion stands.

How far the result can be trusted is measured on the decisions themselves, leave-one-out
(`trust`). Sentence embeddings (all-MiniLM-L6-v2) were measured for this and did not help
enough to pay for their 650 MB install (see benchmarks/bench_concepts.py and the closing note
of #20). Pure functions over texts and labels; must not read the gradebook or set points.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

NGRAMS = (3, 4, 5)
DIMENSIONS = 1 << 13  # hashed n-gram features
#: A decided answer counts as a neighbour from this similarity up (cosine of TF-IDF vectors).
NEIGHBOUR_FROM = 0.25
#: ... and decides an unsure point from this one up, when its neighbours agree.
DECIDES_FROM = 0.4
NEIGHBOURS = 5
AGREE = 0.8  # share of the neighbours' weight that must say the same
SAME_ANSWER = 0.9  # practically the same text: the decision is taken over
LEARNED_CONFIDENCE = 0.85
SAME_CONFIDENCE = 0.95
UNSURE = 0.5
UNCERTAIN_BELOW = 0.7

_STRUCK = re.compile(r"~~.*?~~", re.DOTALL)
_MARKUP = re.compile(r"</?\w+>")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalised(text: str) -> str:
    """Lower-case words separated by single spaces: struck-out words and markup dropped."""
    text = _MARKUP.sub(" ", _STRUCK.sub(" ", text))
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


_counts_cache: dict[str, np.ndarray] = {}
MAX_CACHED = 50_000


def _counts(text: str) -> np.ndarray:
    """Hashed character n-gram counts of one text (cached: an answer is vectorised once)."""
    cached = _counts_cache.get(text)
    if cached is not None:
        return cached
    clean = normalised(text)
    indices = [
        hash(clean[start : start + size]) & (DIMENSIONS - 1)
        for size in NGRAMS
        for start in range(max(0, len(clean) - size + 1))
    ]
    counts = np.bincount(np.asarray(indices, dtype=np.int64), minlength=DIMENSIONS).astype(
        np.float32
    )
    if len(_counts_cache) >= MAX_CACHED:
        _counts_cache.clear()
    _counts_cache[text] = counts
    return counts


def vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit TF-IDF rows, one per text, the IDF taken over these texts."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    counts = np.stack([_counts(text) for text in texts])
    present = (counts > 0).sum(axis=0)
    idf = np.log((1 + len(texts)) / (1 + present)).astype(np.float32) + 1.0
    weighted = np.log1p(counts) * idf
    norms = np.linalg.norm(weighted, axis=1, keepdims=True)
    return weighted / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True)
class RuleSuggestion:
    """What the rules suggested for one answer: covered and confidence per key point."""

    covered: tuple[bool, ...]
    confidence: tuple[float, ...]


@dataclass(frozen=True)
class Learned:
    """The suggestion for one answer after learning from the decided ones."""

    covered: tuple[bool, ...]
    confidence: tuple[float, ...]
    how: tuple[str, ...]  # per point: "rules", "learned", "same answer", "contradicted"
    neighbours: tuple[tuple[int, float], ...]  # (decided answer's index, similarity), closest first

    @property
    def uncertain(self) -> tuple[bool, ...]:
        return tuple(c < UNCERTAIN_BELOW for c in self.confidence)


def _combine(
    rule: RuleSuggestion,
    neighbours: list[tuple[int, float]],
    decided: Mapping[int, tuple[bool, ...]],
) -> Learned:
    """One answer: its rules' suggestion, and its decided neighbours' key points."""
    covered, confidence, how = (
        list(rule.covered),
        list(rule.confidence),
        ["rules"] * len(rule.covered),
    )
    if not neighbours:
        return Learned(tuple(covered), tuple(confidence), tuple(how), ())
    closest, strength = neighbours[0]
    if strength >= SAME_ANSWER:  # the same answer, decided: its decision is the suggestion
        labels = decided[closest]
        return Learned(
            tuple(labels),
            tuple(SAME_CONFIDENCE for _ in labels),
            tuple("same answer" for _ in labels),
            tuple(neighbours),
        )
    weights = np.array([similarity for _, similarity in neighbours])
    for point in range(len(covered)):
        votes = np.array([decided[index][point] for index, _ in neighbours], dtype=float)
        share = float(votes @ weights / weights.sum())
        agreed = share >= AGREE or share <= 1 - AGREE
        says = share >= AGREE
        sure = confidence[point] >= UNCERTAIN_BELOW
        if sure and strength >= DECIDES_FROM and agreed and says != covered[point]:
            confidence[point], how[point] = UNSURE, "contradicted"
        elif not sure and strength >= DECIDES_FROM and agreed:
            covered[point], confidence[point], how[point] = says, LEARNED_CONFIDENCE, "learned"
    return Learned(tuple(covered), tuple(confidence), tuple(how), tuple(neighbours))


def learn(
    texts: Sequence[str],
    rules: Sequence[RuleSuggestion],
    decided: Mapping[int, tuple[bool, ...]],
) -> dict[int, Learned]:
    """The suggestion for every answer not in `decided` (index → key points ticked)."""
    open_ = [i for i in range(len(texts)) if i not in decided]
    if not decided:
        return {i: Learned(rules[i].covered, rules[i].confidence, ("rules",) * len(rules[i].covered), ()) for i in open_}  # fmt: skip
    rows = vectors(texts)
    known = sorted(decided)
    similarity = rows[open_] @ rows[known].T if open_ else np.zeros((0, len(known)))
    learned: dict[int, Learned] = {}
    for row, index in enumerate(open_):
        order = np.argsort(-similarity[row])[:NEIGHBOURS]
        neighbours = [
            (known[j], round(float(similarity[row, j]), 3))
            for j in order
            if similarity[row, j] >= NEIGHBOUR_FROM
        ]
        learned[index] = _combine(rules[index], neighbours, decided)
    return learned


@dataclass(frozen=True)
class Trust:
    """How the suggestions fared on the decided answers, each left out in turn."""

    decided: int  # answers
    points: int  # key-point decisions compared
    agreed: int
    confident: int
    confident_agreed: int

    @property
    def agreement(self) -> float:
        return self.agreed / self.points if self.points else 0.0

    @property
    def confident_agreement(self) -> float:
        return self.confident_agreed / self.confident if self.confident else 0.0

    def sentence(self) -> str:
        """For the review page: how far a suggestion can be trusted, so far."""
        if self.decided < 2:
            return "Too few decisions yet to say how far the suggestions can be trusted."
        return (
            f"Measured on the {self.decided} answers decided so far (each left out in turn): "
            f"the suggestions agreed on {self.agreed} of {self.points} key points; the "
            f"confident ones on {self.confident_agreed} of {self.confident}."
        )


def trust(
    texts: Sequence[str], rules: Sequence[RuleSuggestion], decided: Mapping[int, tuple[bool, ...]]
) -> Trust:
    """Leave-one-out over the decided answers: each is suggested from the others."""
    agreed = confident = confident_agreed = points = 0
    if len(decided) >= 2:
        indices = sorted(decided)
        sub_texts = [texts[i] for i in indices]
        sub_rules = [rules[i] for i in indices]
        labels = [decided[i] for i in indices]
        rows = vectors(sub_texts)
        similarity = rows @ rows.T
        np.fill_diagonal(similarity, -1.0)
        for position in range(len(indices)):
            order = np.argsort(-similarity[position])[:NEIGHBOURS]
            neighbours = [
                (int(j), float(similarity[position, j]))
                for j in order
                if similarity[position, j] >= NEIGHBOUR_FROM
            ]
            others = {j: labels[j] for j, _ in neighbours}
            result = _combine(sub_rules[position], neighbours, others)
            for point, label in enumerate(labels[position]):
                points += 1
                agreed += result.covered[point] == label
                if result.confidence[point] >= UNCERTAIN_BELOW:
                    confident += 1
                    confident_agreed += result.covered[point] == label
    return Trust(len(decided), points, agreed, confident, confident_agreed)
