"""The review queue use case: what waits for a person, grouped, and the decisions a person makes.

Job: from current grades (overrides applied), list every question that needs a
person's attention (errors, unreadable or ambiguous answers, scans) and every
concept suggestion awaiting routine confirmation, with the grader's suggested
points; group equal answers of one question so one decision covers them; record
a decision (an override, refused when the answer changed since the reviewer saw
it) or undo it. Shared by `grader review` and `grader serve`; must not print.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.results import GradedQuestion, ReviewReason, Status
from grader.rubric import QuestionCatalogue, load_rubric
from grader.rubric.catalogue import QuestionKind
from grader.service.gradebooks import open_existing
from grader.storage import Gradebook, GradebookTarget


class ReviewKind(StrEnum):
    """Why an item is in the queue: a person must act, or a suggestion needs a routine yes."""

    attention = "attention"
    confirm = "confirm"


@dataclass(frozen=True)
class ReviewItem:
    """One question of one student that waits for a person."""

    student_id: str
    question_id: str
    title: str
    kind: ReviewKind
    status: Status
    review_reason: ReviewReason | None
    suggested_points: float  # what the grader gave; a decision confirms or changes it
    max_points: float
    feedback: str
    group: str = ""  # answers with the same group (in one question) get one decision
    version: str = ""  # `GradedQuestion.version` when listed; a decision must send it back

    def as_json(self) -> dict[str, Any]:
        return {
            "student": self.student_id,
            "question": self.question_id,
            "title": self.title,
            "kind": self.kind.value,
            "status": self.status.value,
            "review_reason": self.review_reason.value if self.review_reason else None,
            "suggested_points": self.suggested_points,
            "max_points": self.max_points,
            "feedback": self.feedback,
            "group": self.group,
            "version": self.version,
        }


def _normalised_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s.,;:!?]+", " ", folded).strip()


def answer_group(question: GradedQuestion, kind: QuestionKind) -> str:
    """A short id shared by answers one decision may cover.

    Concept answers: the same key points suggested. Exact answers: the same value
    read. Otherwise (or when nothing was read): the same text after normalisation.
    The id is a hash prefix, stable across runs, with a readable tag in front.
    """
    result = question.result
    evidence = result.details.get("evidence") if isinstance(result.details, dict) else None
    if kind is QuestionKind.CONCEPT and isinstance(evidence, list):
        covered = [
            str(i + 1) for i, e in enumerate(evidence) if isinstance(e, dict) and e.get("covered")
        ]
        basis, tag = "kp:" + ",".join(covered), "kp" + ("-".join(covered) or "0")
    elif result.answer_read is not None:
        basis, tag = "read:" + json.dumps(result.answer_read, sort_keys=True, default=str), "read"
    else:
        basis, tag = "text:" + _normalised_text(result.answer_text), "text"
    basis += f"|{result.status.value}|{result.review_reason or ''}|{result.points:g}"
    return f"{tag}.{hashlib.sha256(basis.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _item(
    student_id: str, question: GradedQuestion, catalogue: QuestionCatalogue
) -> ReviewItem | None:
    if question.needs_attention:
        kind = ReviewKind.attention
    elif question.awaits_confirmation:
        kind = ReviewKind.confirm
    else:
        return None
    described = catalogue.describe(question.question_id)
    return ReviewItem(
        student_id=student_id,
        question_id=question.question_id,
        title=described.title,
        kind=kind,
        status=question.status,
        review_reason=question.review_reason,
        suggested_points=question.result.points,
        max_points=question.max_points,
        feedback=question.feedback,
        group=answer_group(question, described.kind),
        version=question.version,
    )


def _shuffle_key(item: ReviewItem) -> str:
    """A stable pseudo-random order within a question: the same every time, not by name."""
    return hashlib.sha256(f"{item.question_id}|{item.student_id}".encode()).hexdigest()


def review_queue(
    db: GradebookTarget, *, rubric: Path, student: str | None = None
) -> list[ReviewItem]:
    """Items awaiting a person, students in id order and questions in rubric order."""
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    return _queue(gradebook, catalogue, student)


def _queue(
    gradebook: Gradebook, catalogue: QuestionCatalogue, student: str | None = None
) -> list[ReviewItem]:
    items: list[ReviewItem] = []
    for grades in gradebook.latest_grades(student, catalogue=catalogue):
        for question in grades.questions:
            item = _item(grades.student_id, question, catalogue)
            if item is not None:
                items.append(item)
    return items


@dataclass(frozen=True)
class QueueFilter:
    """What part of the queue to show; None means any."""

    question: str | None = None
    kind: ReviewKind | None = None
    student: str | None = None
    group: str | None = None

    def keeps(self, item: ReviewItem) -> bool:
        return (
            (self.question is None or item.question_id == self.question)
            and (self.kind is None or item.kind is self.kind)
            and (self.student is None or item.student_id == self.student)
            and (self.group is None or item.group == self.group)
        )


@dataclass(frozen=True)
class QuestionProgress:
    """Per question: how many of its answers a person decided, how many still wait."""

    question_id: str
    title: str
    waiting: int
    attention: int
    decided: int


@dataclass(frozen=True)
class AnswerGroup:
    """Answers to one question that one decision covers."""

    question_id: str
    group: str
    items: tuple[ReviewItem, ...]

    @property
    def size(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class QueuePage:
    """One page of the filtered queue, with counts over the whole queue."""

    items: tuple[ReviewItem, ...]
    total: int  # items matching the filter
    page: int
    pages: int
    progress: tuple[QuestionProgress, ...]
    groups: tuple[AnswerGroup, ...]  # groups of the filtered items, largest first


def review_page(
    db: GradebookTarget,
    *,
    rubric: Path,
    where: QueueFilter = QueueFilter(),
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """The queue as a page: filtered, in rubric order then a stable shuffle within a question."""
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    if where.question is not None and where.question not in catalogue:
        raise GraderError(
            f"unknown question {where.question!r}",
            hint=f"use one of: {', '.join(q.id for q in catalogue)}",
        )
    all_grades = gradebook.latest_grades(catalogue=catalogue)
    items: list[ReviewItem] = []
    decided: Counter[str] = Counter()
    for grades in all_grades:
        for question in grades.questions:
            item = _item(grades.student_id, question, catalogue)
            if item is not None:
                items.append(item)
            elif question.overridden:
                decided[question.question_id] += 1
    order = {q.id: i for i, q in enumerate(catalogue)}
    progress = tuple(
        QuestionProgress(
            question_id=q.id,
            title=q.title,
            waiting=sum(1 for i in items if i.question_id == q.id),
            attention=sum(
                1 for i in items if i.question_id == q.id and i.kind is ReviewKind.attention
            ),
            decided=decided[q.id],
        )
        for q in catalogue
    )
    kept = sorted(
        (i for i in items if where.keeps(i)),
        key=lambda i: (order.get(i.question_id, len(order)), _shuffle_key(i)),
    )
    per_page = max(1, per_page)
    pages = max(1, -(-len(kept) // per_page))
    page = max(1, min(page, pages))
    shown = tuple(kept[(page - 1) * per_page : page * per_page])
    return QueuePage(
        items=shown,
        total=len(kept),
        page=page,
        pages=pages,
        progress=progress,
        groups=tuple(_groups(kept)),
    )


def _groups(items: Iterable[ReviewItem]) -> list[AnswerGroup]:
    by_key: dict[tuple[str, str], list[ReviewItem]] = {}
    for item in items:
        by_key.setdefault((item.question_id, item.group), []).append(item)
    groups = [AnswerGroup(q, g, tuple(members)) for (q, g), members in by_key.items()]
    return sorted(groups, key=lambda g: (-g.size, g.question_id, g.group))


@dataclass(frozen=True)
class ReviewAnswer:
    """One answer as a reviewer sees it: text, what was read, evidence, and its neighbours."""

    item: ReviewItem | None  # None when nothing waits (already decided or graded)
    question: GradedQuestion
    student_id: str
    title: str
    kind: QuestionKind
    key_points: tuple[dict[str, Any], ...] = ()  # evidence per key point (concept questions)
    group_size: int = 1
    audit: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def review_answer(
    db: GradebookTarget, *, rubric: Path, student: str, question: str
) -> ReviewAnswer:
    """One student's answer to one question with everything a decision needs."""
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    if question not in catalogue:
        raise GraderError(
            f"unknown question {question!r}",
            hint=f"use one of: {', '.join(q.id for q in catalogue)}",
        )
    grades = gradebook.latest_grades(student, catalogue=catalogue)
    if not grades:
        raise GraderError(
            f"no grades for student {student!r}",
            hint="check the id with `grader review list` or `grader export --format csv`",
        )
    graded = next((q for q in grades[0].questions if q.question_id == question), None)
    if graded is None:
        raise GraderError(
            f"student {student!r} has no result for question {question!r}",
            hint="grade that part of their submission first",
        )
    described = catalogue.describe(question)
    item = _item(student, graded, catalogue)
    evidence = (
        graded.result.details.get("evidence") if isinstance(graded.result.details, dict) else None
    )
    key_points = (
        tuple(e for e in evidence if isinstance(e, dict)) if isinstance(evidence, list) else ()
    )
    group_size = 1
    if item is not None:
        group_size = sum(
            1
            for other in _queue(gradebook, catalogue)
            if other.question_id == question and other.group == item.group
        )
    audit = tuple(
        entry for entry in gradebook.audit_entries(student) if entry.get("question_id") == question
    )
    return ReviewAnswer(
        item=item,
        question=graded,
        student_id=student,
        title=described.title,
        kind=described.kind,
        key_points=key_points,
        group_size=group_size,
        audit=audit,
    )


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise GraderError(
            "a decision needs a reason", hint="say why, e.g. 'confirmed key points 1 and 3'"
        )


def decide(
    db: GradebookTarget,
    *,
    student: str,
    question: str,
    points: float,
    reason: str,
    actor: str,
    version: str,
) -> None:
    """Record a person's points for one answer, refused if the answer changed since `version`."""
    _require_reason(reason)
    open_existing(db).add_override(
        student, question, points, reason=reason, actor=actor, expected_version=version
    )


def undo_decision(
    db: GradebookTarget, *, student: str, question: str, reason: str, actor: str, version: str
) -> bool:
    """Withdraw a person's decision; the grader's result (and its review flag) count again."""
    _require_reason(reason)
    return open_existing(db).undo_override(
        student, question, reason=reason, actor=actor, expected_version=version
    )


@dataclass(frozen=True)
class GroupDecision:
    """What a decision over a group did."""

    decided: tuple[str, ...]  # student ids
    skipped: tuple[str, ...]  # members that need attention, not a routine yes


def accept_suggestions(
    db: GradebookTarget,
    *,
    rubric: Path,
    question: str,
    reason: str,
    actor: str,
    group: str | None = None,
    points: float | None = None,
    students: Sequence[str] | None = None,
) -> GroupDecision:
    """Confirm the suggestions of one question (one group, or every suggestion) in one go.

    Each member becomes an override at its suggested points (or `points` for the whole
    group), audited one by one. Answers that need attention are never confirmed in bulk:
    they are listed as skipped and stay in the queue. `students` limits the decision to
    those members (a group with some split out).
    """
    _require_reason(reason)
    gradebook = open_existing(db)
    catalogue = load_rubric(rubric).catalogue
    if question not in catalogue:
        raise GraderError(
            f"unknown question {question!r}",
            hint=f"use one of: {', '.join(q.id for q in catalogue)}",
        )
    members = [
        item
        for item in _queue(gradebook, catalogue)
        if item.question_id == question
        and (group is None or item.group == group)
        and (students is None or item.student_id in students)
    ]
    if group is not None and not members:
        raise GraderError(
            f"question {question!r} has no waiting answers in group {group!r}",
            hint="list the groups with `grader review list --question " + question + "`",
        )
    decided: list[str] = []
    skipped: list[str] = []
    for item in members:
        if item.kind is not ReviewKind.confirm and points is None:
            skipped.append(item.student_id)
            continue
        gradebook.add_override(
            item.student_id,
            question,
            item.suggested_points if points is None else points,
            reason=reason,
            actor=actor,
            expected_version=item.version,
        )
        decided.append(item.student_id)
    return GroupDecision(tuple(decided), tuple(skipped))


def next_waiting(
    db: GradebookTarget, *, rubric: Path, question: str | None, after: str | None = None
) -> ReviewItem | None:
    """The next answer that waits (in the queue's order), after student `after` when given.

    Without `after`, the first one; after the last, None. A decided answer has left the
    queue, so "next after a decision" is simply the first one that still waits.
    """
    kept = review_page(
        db, rubric=rubric, where=QueueFilter(question=question), per_page=10**6
    ).items
    if after is None:
        return kept[0] if kept else None
    students = [item.student_id for item in kept]
    if after not in students:
        return kept[0] if kept else None
    index = students.index(after)
    return kept[index + 1] if index + 1 < len(kept) else None
