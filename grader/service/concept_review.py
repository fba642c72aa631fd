"""Concept answers in review (issue #20): suggestions recomputed from the answers staff decided,
groups of answers that mean the same, and an order that puts first the decisions that teach
the most.

Per concept question, from the gradebook's current state (one snapshot): the answers' texts,
the rules' suggestion stored with each result, and the key points each decision ticked. A
decision that ticked none (a points-only override from before key points were kept) teaches
the pattern its points imply: full marks all, zero none, the suggested points the suggestion.
`concept_learning` then gives every waiting answer its suggestion and the question its trust
figure; answers group when they suggest the same key points and their texts are alike
(`GROUP_FROM`). Reads what the caller hands it; must not write the gradebook.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.scoring.concept_learning import (
    Learned,
    RuleSuggestion,
    Trust,
    learn,
    trust,
    vectors,
)

#: Waiting answers whose texts are at least this alike (and suggest the same key points) form
#: one group: one decision may cover them, each member shown side by side.
GROUP_FROM = 0.5


@dataclass(frozen=True)
class ConceptAnswer:
    """One student's answer to one concept question, as the gradebook holds it."""

    student_id: str
    text: str
    rules: RuleSuggestion
    points: tuple[float, ...]  # each key point's worth, in rubric order
    decided: tuple[bool, ...] | None  # the key points a person ticked (None: not decided)


def decided_pattern(
    evidence: Sequence[dict[str, Any]], points: float, ticked: tuple[bool, ...] | None
) -> tuple[bool, ...] | None:
    """The key points a decision stands for: as ticked, else implied by its points."""
    if ticked is not None and len(ticked) == len(evidence):
        return ticked
    worth = [float(e.get("points") or 0) for e in evidence]
    suggested = tuple(bool(e.get("covered")) for e in evidence)
    if abs(points - sum(worth)) < 1e-9:
        return tuple(True for _ in evidence)
    if abs(points) < 1e-9:
        return tuple(False for _ in evidence)
    if abs(points - sum(w for w, c in zip(worth, suggested, strict=True) if c)) < 1e-9:
        return suggested
    return None  # partial points that no pattern explains: nothing to learn from


def concept_answer(
    student_id: str,
    text: str,
    evidence: Sequence[dict[str, Any]],
    decision: tuple[float, tuple[bool, ...] | None] | None,
) -> ConceptAnswer | None:
    """A stored concept result as learning needs it, or None when it holds no evidence."""
    if not evidence or not all(isinstance(e, dict) for e in evidence):
        return None
    rules = RuleSuggestion(
        tuple(bool(e.get("covered")) for e in evidence),
        tuple(float(e.get("confidence") or 0.0) for e in evidence),
    )
    decided = decided_pattern(evidence, *decision) if decision is not None else None
    return ConceptAnswer(
        student_id, text, rules, tuple(float(e.get("points") or 0) for e in evidence), decided
    )


@dataclass(frozen=True)
class ConceptView:
    """One concept question after learning from its decisions."""

    learned: Mapping[str, Learned]  # per waiting student
    trust: Trust
    group_of: Mapping[str, str]  # per waiting student: the group id
    centrality: Mapping[str, float] = field(default_factory=dict)  # mean similarity in group
    neighbour_names: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    points_of: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # key point worth

    def suggested_points(self, student_id: str) -> float | None:
        found = self.learned.get(student_id)
        points = self.points_of.get(student_id)
        if found is None or points is None:
            return None
        return round(sum(p for p, c in zip(points, found.covered, strict=True) if c), 2)

    def unsure(self, student_id: str) -> tuple[int, ...]:
        """The key points (1-based) still unsure for this student's answer."""
        found = self.learned.get(student_id)
        return tuple(i + 1 for i, u in enumerate(found.uncertain) if u) if found else ()


_views: dict[int, ConceptView] = {}
MAX_VIEWS = 128


def concept_view(answers: Sequence[ConceptAnswer]) -> ConceptView:
    """Learn from the decided answers of one question; group and rank the waiting ones.

    Memoised on the answers themselves: after a decision only its question is recomputed."""
    key = hash(tuple(answers))
    found = _views.get(key)
    if found is None:
        if len(_views) >= MAX_VIEWS:
            _views.clear()
        found = _views[key] = _compute_view(answers)
    return found


def _compute_view(answers: Sequence[ConceptAnswer]) -> ConceptView:
    texts = [a.text for a in answers]
    rules = [a.rules for a in answers]
    decided = {i: a.decided for i, a in enumerate(answers) if a.decided is not None}
    learned_by_index = learn(texts, rules, decided)
    learned = {answers[i].student_id: found for i, found in learned_by_index.items()}
    names = {
        answers[i].student_id: tuple(
            (answers[j].student_id, similarity) for j, similarity in found.neighbours
        )
        for i, found in learned_by_index.items()
    }
    group_of, centrality = _groups(answers, learned_by_index)
    points_of = {a.student_id: a.points for a in answers}
    return ConceptView(
        learned, trust(texts, rules, decided), group_of, centrality, names, points_of
    )


def _groups(
    answers: Sequence[ConceptAnswer], learned: Mapping[int, Learned]
) -> tuple[dict[str, str], dict[str, float]]:
    """Waiting answers grouped by the key points suggested and by alike texts (leader
    clustering, most central answer first); each group id names its pattern."""
    waiting = sorted(learned)
    if not waiting:
        return {}, {}
    rows = vectors([answers[i].text for i in waiting])
    similarity = rows @ rows.T
    pattern = {i: learned[i].covered for i in waiting}
    group_of: dict[str, str] = {}
    centrality: dict[str, float] = {}
    unassigned = list(range(len(waiting)))
    # The answers most like the others lead: their decision teaches the most.
    unassigned.sort(key=lambda r: -float(similarity[r].sum()))
    while unassigned:
        leader = unassigned.pop(0)
        members = [leader] + [
            r
            for r in unassigned
            if similarity[leader, r] >= GROUP_FROM
            and pattern[waiting[r]] == pattern[waiting[leader]]
        ]
        unassigned = [r for r in unassigned if r not in members]
        covered = "-".join(str(p + 1) for p, c in enumerate(pattern[waiting[leader]]) if c)
        names = sorted(answers[waiting[r]].student_id for r in members)
        digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]
        group = f"kp{covered or '0'}.{digest}"  # the same members, the same id
        for r in members:
            student = answers[waiting[r]].student_id
            group_of[student] = group
            others = [m for m in members if m != r]
            centrality[student] = (
                float(np.mean([similarity[r, m] for m in others])) if others else 0.0
            )
    return group_of, centrality
