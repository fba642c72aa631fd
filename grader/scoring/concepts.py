"""Suggest which key points a concept answer covers, with evidence (keyword hits, best sentence).

Keyword/synonym matching, not embeddings: measured on real answers it agreed
with hand grades far better (see shared/hw4-concept-keypoints.md). The result
is only a suggestion; every concept answer goes to a person to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grader.rubric.model import ConceptQuestion, KeyPoint

SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
NON_WORD = re.compile(r"[^a-z0-9×]+")


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, with hyphens and punctuation dropped."""
    return " " + NON_WORD.sub(" ", text.lower()).strip() + " "


@dataclass(frozen=True)
class KeywordGroup:
    """Synonyms as normalised needles: " word " for whole words, " stem" for a trailing *."""

    needles: tuple[str, ...]

    def find(self, text: str) -> str | None:
        """The word of `text` (normalised, space-padded) that matched, or None."""
        for needle in self.needles:
            index = text.find(needle)
            if index >= 0:
                return text[index + 1 : text.index(" ", index + len(needle) - 1)].strip()
        return None


def _needle(keyword: str) -> str:
    words = normalise(keyword.rstrip("*")).strip()
    # Plain substring search on space-padded text is word-bounded and far faster than regexes.
    return f" {words}" if keyword.endswith("*") else f" {words} "


@dataclass(frozen=True)
class CompiledKeyPoint:
    """A key point with its keyword groups ready for matching."""

    key_point: KeyPoint
    groups: tuple[KeywordGroup, ...]


def compile_key_points(question: ConceptQuestion) -> tuple[CompiledKeyPoint, ...]:
    return tuple(
        CompiledKeyPoint(
            kp, tuple(KeywordGroup(tuple(_needle(w) for w in group)) for group in kp.keywords)
        )
        for kp in question.key_points
    )


@dataclass(frozen=True)
class ConceptSuggestion:
    suggested_points: float
    covered: tuple[bool, ...]
    evidence: tuple[dict[str, Any], ...]
    word_count: int


def suggest_key_points(
    answer: str, compiled: tuple[CompiledKeyPoint, ...], *, has_shape_example: bool = False
) -> ConceptSuggestion:
    """Which key points the answer covers; evidence lists the hits and the sentence that matched best."""
    text = normalise(answer)
    sentences = [(raw.strip(), normalise(raw)) for raw in SENTENCE_END.split(answer) if raw.strip()]
    covered: list[bool] = []
    evidence: list[dict[str, Any]] = []
    points = 0.0
    for point in compiled:
        hits = [group.find(text) for group in point.groups]
        is_covered = all(hit is not None for hit in hits)
        if not is_covered and point.key_point.shape_example and has_shape_example:
            is_covered = True
            hits = [hit or "(shape example)" for hit in hits]
        best_sentence, best_count = "", 0
        for raw, sentence in sentences:
            count = sum(1 for group in point.groups if group.find(sentence) is not None)
            if count > best_count:
                best_sentence, best_count = " ".join(raw.split()), count
        covered.append(is_covered)
        if is_covered:
            points += point.key_point.points
        evidence.append(
            {
                "key_point": point.key_point.text,
                "points": point.key_point.points,
                "covered": is_covered,
                "keywords": [hit for hit in hits if hit],
                "sentence": best_sentence,
            }
        )
    return ConceptSuggestion(round(points, 2), tuple(covered), tuple(evidence), len(text.split()))
