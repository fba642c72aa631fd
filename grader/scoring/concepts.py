"""Suggest which key points a concept answer covers, each with a confidence and its evidence.

Keyword/synonym rules: a key point is covered when all its keyword groups hit in one clause
(`concept_matching`). Each suggestion carries a confidence; below UNCERTAIN_BELOW it is
marked uncertain, so a review page shows it first and never lets it be confirmed in bulk.
A point the rules do not find is unsure unless something positive says it is missing
(issue #20): answers make points in other words. `concept_learning` then recomputes the
suggestions of a question from the answers staff decided.

The result is only a suggestion; this module must not set statuses or
points of record (`grader.kinds.concept` builds the result a person confirms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import product
from typing import TYPE_CHECKING, Any

from grader.scoring.concept_matching import MISCONCEPTION, Clause, Hit, QuestionMatcher

if TYPE_CHECKING:
    from grader.kinds.concept import ConceptQuestion, KeyPoint

NON_WORD = re.compile(r"[^a-z0-9×]+")

#: Confidence of a suggestion by how it was reached. A point is suggested covered with the
#: clause that shows it, or not covered with positive evidence (nothing written; a stated
#: misconception); "no evidence found" is never a confident "not covered" (issue #20): the
#: rules miss paraphrases, so those points are unsure and a person decides. Calibrated on
#: the held-out part of the development corpus (tests/scoring/concept_corpus/held_out.py),
#: never on the external set.
CONFIDENCE = {
    "clause": 0.95,  # every group hit in one clause, as written
    "clause_respelt": 0.9,  # ... with a misspelt or OCR-damaged word corrected
    "adjacent": 0.85,  # the groups hit in two neighbouring clauses
    "shape": 0.8,  # a written H×W×C shape example, next to a point the words cover
    "empty": 0.99,  # nothing written: positive evidence that nothing is covered
    "misconception_stated": 0.85,  # not found, and the answer states a known wrong claim
    # Not found, without positive evidence: unsure, a person decides.
    "none": 0.5,  # no group of the point hit anywhere (a paraphrase would look like this)
    "partial": 0.55,  # some groups hit, never all in one clause or next to each other
    "scattered": 0.55,  # every group hit, but in clauses far apart
    "negated": 0.55,  # every group hit in one clause, but a hit was negated
    "shape_alone": 0.5,  # a shape example and nothing else: maybe another question's answer
    "misconception": 0.6,  # found, but the answer states a known wrong claim
}
#: How a finding is said on the review page and in `grader review list`.
HOW_WORDS = {
    "empty": "nothing was written",
    "misconception_stated": "the answer states a known wrong claim",
    "none": "no words of this point were found; it may be said in other words",
    "partial": "only part of this point's words were found",
    "scattered": "this point's words were found far apart",
    "negated": "this point's words were found, but negated",
    "shape_alone": "only a shape example was found",
}
UNCERTAIN_BELOW = 0.7
SHORT_OR_NOISY = 0.8  # confidence factor for a very short answer or one with many respelt words
NOISY_SHARE = 0.25  # more than this share of respelt words makes an answer noisy
MAX_HITS_TRIED = 6  # per group, when choosing the closest hits of a clause
CONTRAST_WORDS = frozenset({"unlike", "not", "no", "instead", "rather", "than", "without", "t"})
CONTRAST_REACH = 6  # "unlike using a larger kernel": a wrong claim named to be contrasted


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, with hyphens and punctuation dropped."""
    return " " + NON_WORD.sub(" ", text.lower()).strip() + " "


@dataclass(frozen=True)
class CompiledKeyPoint:
    """A key point with its question's compiled matcher (shared by the question's points)."""

    key_point: KeyPoint
    index: int
    matcher: QuestionMatcher


def compile_key_points(question: ConceptQuestion) -> tuple[CompiledKeyPoint, ...]:
    matcher = QuestionMatcher(question)
    return tuple(CompiledKeyPoint(kp, i, matcher) for i, kp in enumerate(question.key_points))


@dataclass(frozen=True)
class ConceptSuggestion:
    suggested_points: float
    covered: tuple[bool, ...]
    evidence: tuple[dict[str, Any], ...]
    word_count: int
    confidence: tuple[float, ...] = ()
    uncertain: tuple[bool, ...] = ()


@dataclass(frozen=True)
class _Finding:
    covered: bool
    how: str
    hits: tuple[Hit, ...]
    clause: Clause | None


def suggest_key_points(
    answer: str,
    compiled: tuple[CompiledKeyPoint, ...],
    *,
    has_shape_example: bool = False,
    min_words: int = 0,
) -> ConceptSuggestion:
    """Which key points the answer covers, how sure the grader is, and the clause that matched."""
    if not compiled:
        return ConceptSuggestion(0.0, (), (), 0)
    matcher = compiled[0].matcher
    analysed = matcher.analyse(answer)
    clauses = [clause for clause, _ in analysed]
    hits = [clause_hits for _, clause_hits in analysed]
    wrong_sentences = _misconception_sentences(clauses, hits)
    usable = [
        (clause, clause_hits)
        for clause, clause_hits in zip(clauses, hits, strict=True)
        if clause.sentence not in wrong_sentences
    ]
    word_count = sum(len(c.raw) for c in clauses)
    respelt = sum(sum(c.corrected) for c in clauses)
    damping = 1.0
    if word_count < min_words or (word_count and respelt / word_count > NOISY_SHARE):
        damping = SHORT_OR_NOISY
    covered: list[bool] = []
    confidence: list[float] = []
    evidence: list[dict[str, Any]] = []
    points = 0.0
    findings = [_find(point.index, matcher, usable) for point in compiled]
    text_covers_some = any(f.covered for f in findings)
    for point, finding in zip(compiled, findings, strict=True):
        if not finding.covered and point.key_point.shape_example and has_shape_example:
            # A shape alone may answer another question (q7's 126×126×16): it counts
            # only next to a point the words cover, else a person decides.
            how = "shape" if text_covers_some else "shape_alone"
            finding = _Finding(text_covers_some, how, finding.hits, finding.clause)
        if not finding.covered and word_count == 0:
            finding = _Finding(False, "empty", (), None)
        elif not finding.covered and wrong_sentences and finding.how in ("none", "partial"):
            finding = _Finding(False, "misconception_stated", finding.hits, finding.clause)
        sure = CONFIDENCE[finding.how] * (damping if finding.how != "empty" else 1.0)
        if wrong_sentences and finding.covered:
            sure = min(sure, CONFIDENCE["misconception"])
        sure = round(sure, 2)
        covered.append(finding.covered)
        confidence.append(sure)
        if finding.covered:
            points += point.key_point.points
        evidence.append(_evidence(point.key_point, finding, sure))
    return ConceptSuggestion(
        round(points, 2),
        tuple(covered),
        tuple(evidence),
        word_count,
        tuple(confidence),
        tuple(c < UNCERTAIN_BELOW for c in confidence),
    )


def _misconception_sentences(clauses: list[Clause], hits: list[list[Hit]]) -> set[int]:
    """Sentences that state one of the question's known wrong claims (not negated, not "unlike")."""
    found: set[int] = set()
    for clause, clause_hits in zip(clauses, hits, strict=True):
        for hit in clause_hits:
            if hit.point != MISCONCEPTION or not hit.counts(frozenset()):
                continue
            before = clause.canon[max(0, hit.start - CONTRAST_REACH) : hit.start]
            if not any(word in CONTRAST_WORDS for word in before):
                found.add(clause.sentence)
    return found


def _evidence(key_point: KeyPoint, finding: _Finding, confidence: float) -> dict[str, Any]:
    keywords = list(dict.fromkeys(_shown(hit, finding.clause) for hit in finding.hits))
    if finding.how in {"shape", "shape_alone"}:
        keywords.append("(shape example)")
    sentence = finding.clause.sentence_text if finding.clause is not None else ""
    return {
        "key_point": key_point.text,
        "points": key_point.points,
        "covered": finding.covered,
        "keywords": keywords,
        "sentence": sentence,
        "matched_sentence": sentence if finding.covered and finding.how != "shape" else None,
        "confidence": confidence,
        "uncertain": confidence < UNCERTAIN_BELOW,
        "how": finding.how,
        "why": None if finding.covered else HOW_WORDS.get(finding.how),
    }


def _shown(hit: Hit, clause: Clause | None) -> str:
    if clause is None or hit.start == hit.end or hit.end > len(clause.raw):
        return hit.keyword.text
    return " ".join(dict.fromkeys(clause.raw[hit.start : hit.end]))


def _find(point: int, matcher: QuestionMatcher, usable: list[tuple[Clause, list[Hit]]]) -> _Finding:
    groups = matcher.groups[point]
    anchored = matcher.anchored[point]
    within = matcher.within[point]
    best = _Finding(False, "none", (), None)
    best_groups = 0
    negated: _Finding | None = None
    seen_groups: set[int] = set()
    per_clause: list[dict[int, list[Hit]]] = []
    carried: tuple[Hit, int] | None = None
    for clause, clause_hits in usable:
        if anchored:
            mine, carried = _in_own_segments(point, matcher, clause, clause_hits, carried)
        else:
            mine = [h for h in clause_hits if h.point == point]
        consumed = frozenset().union(*(h.uses for h in mine)) if mine else frozenset()
        good: dict[int, list[Hit]] = {}
        for hit in mine:
            if hit.counts(consumed):
                good.setdefault(hit.group, []).append(hit)
        per_clause.append(good)
        seen_groups.update(good)
        if len(good) == groups:
            chosen = _closest(good, groups)
            span = max(h.end for h in chosen) - min(h.start for h in chosen)
            if within is None or span <= within + 1:
                how = "clause_respelt" if any(h.corrected for h in chosen) else "clause"
                if not best.covered or (best.how != "clause" and how == "clause"):
                    best = _Finding(True, how, chosen, clause)
                continue
        elif negated is None and len({h.group for h in mine}) == groups:
            negated = _Finding(False, "negated", tuple(mine), clause)
        if not best.covered and len(good) > best_groups:
            best_groups = len(good)
            best = _Finding(False, "partial", tuple(h[0] for h in good.values()), clause)
    if best.covered:
        return best
    if negated is not None:
        return negated
    if not anchored and within is None:
        for i in range(len(per_clause) - 1):
            if len(per_clause[i].keys() | per_clause[i + 1].keys()) == groups:
                chosen = tuple({**per_clause[i + 1], **per_clause[i]}[g][0] for g in range(groups))
                return _Finding(True, "adjacent", chosen, usable[i][0])
    if len(seen_groups) == groups:
        return _Finding(False, "scattered", best.hits, best.clause)
    return best


def _closest(good: dict[int, list[Hit]], groups: int) -> tuple[Hit, ...]:
    """One hit per group, as close together as possible (the first few hits of each group)."""
    options = [good[g][:MAX_HITS_TRIED] for g in range(groups)]
    return min(
        product(*options),
        key=lambda chosen: (
            max(h.end for h in chosen) - min(h.start for h in chosen),
            sum(h.corrected for h in chosen),
        ),
    )


def _in_own_segments(
    point: int,
    matcher: QuestionMatcher,
    clause: Clause,
    clause_hits: list[Hit],
    carried: tuple[Hit, int] | None,
) -> tuple[list[Hit], tuple[Hit, int] | None]:
    """The point's hits that lie in a stretch of the clause its own anchor opens, and the
    anchor to carry into the next clause.

    Anchors are the first-group hits of every anchored point; a stretch runs from one
    anchor to the next (the first also takes the words before it). A clause without an
    anchor continues the previous clause's last one ("...; they only find edges").
    """
    anchors = sorted(
        (h for h in clause_hits if h.point >= 0 and h.group == 0 and matcher.anchored[h.point]
         and h.counts(frozenset())),
        key=lambda h: h.start,
    )  # fmt: skip
    mine = [h for h in clause_hits if h.point == point]
    if not anchors:
        if carried is None or clause.sentence - carried[1] > 1:
            return [], None
        if carried[0].point != point:
            return [], carried
        return [*mine, replace(carried[0], start=0, end=0)], carried
    kept: list[Hit] = []
    for hit in mine:
        owner = anchors[0].point
        for anchor in anchors:
            if anchor.start <= hit.start:
                owner = anchor.point
        if owner == point:
            kept.append(hit)
    return kept, (anchors[-1], clause.sentence)


def relevance(text: str, compiled: tuple[CompiledKeyPoint, ...]) -> float:
    """How much `text` is about this question: the share of its keyword groups with a hit."""
    if not compiled:
        return 0.0
    matcher = compiled[0].matcher
    total = sum(matcher.groups)
    hit = {
        (h.point, h.group)
        for _, clause_hits in matcher.analyse(text)
        for h in clause_hits
        if h.point >= 0
    }
    return len(hit) / total if total else 0.0
