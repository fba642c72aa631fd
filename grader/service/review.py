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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.feedback.values import NO_VALUE, ValueView, view_value
from grader.kinds.base import AnswerLayout
from grader.kinds.table import QUESTION_KINDS
from grader.notebooks.outputs import CellOutput, relevant_outputs
from grader.results import (
    GradedQuestion,
    NotebookRunRecord,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    StudentGrades,
)
from grader.rubric import QuestionCatalogue, Rubric, load_rubric
from grader.service.assignments import RubricChoice, open_assignment
from grader.service.concept_review import ConceptAnswer, ConceptView, concept_answer, concept_view
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
    #: Concept answers: key points (1-based) still unsure after learning from the decisions;
    #: such an answer is never confirmed in bulk (issue #20).
    unsure: tuple[int, ...] = ()
    covered: tuple[bool, ...] = ()  # concept answers: the key points suggested
    answer_text: str = ""  # the answer as written (capped), for side-by-side group pages
    evidence_sentences: tuple[str, ...] = ()  # sentences that showed a covered key point

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
            "unsure": list(self.unsure),
        }


def _normalised_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s.,;:!?]+", " ", folded).strip()


def _detail(result: QuestionResult, key: str) -> Any:
    """One entry of a result's details (a JSON dict from the gradebook), or None."""
    return result.details.get(key) if isinstance(result.details, dict) else None


def answer_group(question: GradedQuestion, kind: str) -> str:
    """A short id shared by answers one decision may cover.

    The kind says what makes answers alike (concept answers: the same key points
    suggested). Otherwise: the same value read, or (when nothing was read) the same
    text after normalisation. The id is a hash prefix, stable across runs, with a
    readable tag in front.
    """
    result = question.result
    row = QUESTION_KINDS.get(kind)
    grouped = row.review_group(result) if row is not None else None
    if grouped is not None:
        basis, tag = grouped
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
        answer_text=question.result.answer_text[:ITEM_TEXT_CHARS],
        evidence_sentences=_evidence_sentences(question.result),
    )


#: How much of an answer a queue item carries (the answer page shows all of it).
ITEM_TEXT_CHARS = 2000


def _evidence_sentences(result: QuestionResult) -> tuple[str, ...]:
    evidence = _detail(result, "evidence")
    if not isinstance(evidence, list):
        return ()
    found = (
        e.get("matched_sentence")
        for e in evidence
        if isinstance(e, dict) and e.get("covered") and isinstance(e.get("matched_sentence"), str)
    )
    return tuple(dict.fromkeys(s for s in found if s))


def _learned_item(item: ReviewItem, view: ConceptView | None) -> ReviewItem:
    """A waiting concept answer with the suggestion learnt from its question's decisions."""
    if view is None or item.student_id not in view.learned:
        return item
    learned = view.learned[item.student_id]
    points = view.suggested_points(item.student_id)
    return replace(
        item,
        suggested_points=item.suggested_points if points is None else points,
        group=view.group_of.get(item.student_id, item.group),
        unsure=view.unsure(item.student_id),
        covered=learned.covered,
    )


def _shuffle_key(item: ReviewItem) -> str:
    """A stable pseudo-random order within a question: the same every time, not by name."""
    return hashlib.sha256(f"{item.question_id}|{item.student_id}".encode()).hexdigest()


def review_queue(
    db: GradebookTarget,
    *,
    rubric: RubricChoice = None,
    assignment: str | None = None,
    student: str | None = None,
) -> list[ReviewItem]:
    """Items awaiting a person, students in id order and questions in rubric order."""
    scope = open_assignment(db, assignment=assignment, rubric=rubric)
    catalogue = scope.rubric.catalogue
    items: list[ReviewItem] = []
    for grades in scope.gradebook.latest_grades(student, catalogue=catalogue):
        items.extend(_student_entry(grades, catalogue).items)
    return items


@dataclass(frozen=True)
class _StudentEntry:
    items: tuple[ReviewItem, ...]  # this student's waiting answers, in rubric order
    decided: tuple[str, ...]  # question ids a person decided (override in force)
    # Concept answers (waiting or decided), what the suggestions learn from.
    concepts: tuple[tuple[str, ConceptAnswer], ...] = ()


def _student_entry(grades: StudentGrades, catalogue: QuestionCatalogue) -> _StudentEntry:
    items: list[ReviewItem] = []
    decided: list[str] = []
    concepts: list[tuple[str, ConceptAnswer]] = []
    for question in grades.questions:
        item = _item(grades.student_id, question, catalogue)
        if item is not None:
            items.append(item)
        elif question.overridden:
            decided.append(question.question_id)
        if catalogue.describe(question.question_id).kind == "concept":
            found = _concept_answer(grades.student_id, question)
            if found is not None:
                concepts.append((question.question_id, found))
    return _StudentEntry(tuple(items), tuple(decided), tuple(concepts))


def _concept_answer(student_id: str, question: GradedQuestion) -> ConceptAnswer | None:
    evidence = _detail(question.result, "evidence")
    if not isinstance(evidence, list):
        return None
    override = question.override
    decision = (override.points, override.key_points) if override is not None else None
    if override is None and not question.awaits_confirmation and not question.needs_attention:
        return None  # graded without a person (a rescore): neither taught nor waiting
    return concept_answer(student_id, question.result.answer_text, evidence, decision)


@dataclass(frozen=True)
class QueueSnapshot:
    """The whole queue as computed at one write generation of the gradebook.

    A long-lived caller keeps it and asks `current_snapshot` for a fresh one: the same
    object while nobody wrote, only the changed students re-read after its own decisions.
    """

    generation: int
    rubric_stamp: str
    catalogue: QuestionCatalogue
    students: Mapping[str, _StudentEntry]

    @cached_property
    def concept_views(self) -> dict[str, ConceptView]:
        """Per concept question: suggestions learnt from its decisions, groups, trust."""
        by_question: dict[str, list[ConceptAnswer]] = {}
        for entry in self.students.values():
            for question_id, found in entry.concepts:
                by_question.setdefault(question_id, []).append(found)
        return {qid: concept_view(answers) for qid, answers in by_question.items()}

    @cached_property
    def items(self) -> tuple[ReviewItem, ...]:
        """Every waiting answer in queue order: rubric order; within a concept question the
        answers whose decision teaches the most first (the most unsure, then the centre of
        the largest group); otherwise a stable shuffle.

        Computed once per snapshot: every page of an unchanged gradebook reuses it."""
        order = {q.id: i for i, q in enumerate(self.catalogue)}
        views = self.concept_views
        every = [
            _learned_item(item, views.get(item.question_id))
            for entry in self.students.values()
            for item in entry.items
        ]
        sizes = Counter((i.question_id, i.group) for i in every)

        def rank(item: ReviewItem) -> tuple[Any, ...]:
            view = views.get(item.question_id)
            central = view.centrality.get(item.student_id, 0.0) if view is not None else 0.0
            return (
                order.get(item.question_id, len(order)),
                -len(item.unsure),
                -sizes[(item.question_id, item.group)],
                -round(central, 3),
                _shuffle_key(item),
            )

        return tuple(sorted(every, key=rank))

    @cached_property
    def decided(self) -> Counter[str]:
        return Counter(q for entry in self.students.values() for q in entry.decided)


def _rubric_stamp(rubric: RubricChoice) -> str:
    """What tells one rubric from another: a loaded one's hash, a file's bytes' hash."""
    if isinstance(rubric, Rubric):
        return rubric.content_hash
    if rubric is None:
        return ""
    try:
        return hashlib.sha256(rubric.read_bytes()).hexdigest()
    except OSError:
        return ""  # load_rubric names the problem


def queue_snapshot(
    db: GradebookTarget | Gradebook, *, rubric: RubricChoice = None, assignment: str | None = None
) -> QueueSnapshot:
    """Read the whole queue once."""
    scope = open_assignment(db, assignment=assignment, rubric=rubric)
    gradebook = scope.gradebook
    # The stamp first: a write racing this read leaves the snapshot looking older, not newer.
    generation = gradebook.write_generation()
    catalogue = scope.rubric.catalogue
    students = {
        grades.student_id: _student_entry(grades, catalogue)
        for grades in gradebook.latest_grades(catalogue=catalogue)
    }
    return QueueSnapshot(generation, scope.rubric.content_hash, catalogue, students)


#: Re-read at most this many students after one's own decisions; more, read everything.
_REFRESH_AT_MOST = 20


def current_snapshot(
    db: GradebookTarget | Gradebook,
    *,
    rubric: RubricChoice = None,
    previous: QueueSnapshot | None,
    wrote_for: Sequence[str] = (),
    writes: int = 0,
) -> QueueSnapshot:
    """`previous` if the gradebook and rubric are unchanged; after one's own `writes` for
    the students `wrote_for` (and nobody else's), `previous` with those students re-read;
    otherwise the whole queue read again."""
    gradebook = open_existing(db)
    loaded = load_rubric(rubric) if isinstance(rubric, Path) else rubric
    if previous is None or (loaded is not None and previous.rubric_stamp != loaded.content_hash):
        return queue_snapshot(gradebook, rubric=loaded)
    generation = gradebook.write_generation()
    if generation == previous.generation:
        return previous
    own_only = writes > 0 and generation == previous.generation + writes
    if not own_only or not wrote_for or len(wrote_for) > _REFRESH_AT_MOST:
        return queue_snapshot(gradebook, rubric=loaded)
    students = dict(previous.students)
    for student in dict.fromkeys(wrote_for):
        grades = gradebook.latest_grades(student, catalogue=previous.catalogue)
        if grades:
            students[student] = _student_entry(grades[0], previous.catalogue)
        else:
            students.pop(student, None)
    return QueueSnapshot(generation, previous.rubric_stamp, previous.catalogue, students)


@dataclass(frozen=True)
class QueueFilter:
    """What part of the queue to show; None means any."""

    question: str | None = None
    kind: ReviewKind | None = None
    student: str | None = None
    group: str | None = None
    status: Status | None = None

    def keeps(self, item: ReviewItem) -> bool:
        return (
            (self.question is None or item.question_id == self.question)
            and (self.status is None or item.status is self.status)
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

    @property
    def confirmable(self) -> int:
        """Members one group decision may confirm: confident suggestions, nothing to attend."""
        return sum(1 for i in self.items if i.kind is ReviewKind.confirm and not i.unsure)


@dataclass(frozen=True)
class QueuePage:
    """One page of the filtered queue, with counts over the whole queue."""

    items: tuple[ReviewItem, ...]
    total: int  # items matching the filter
    page: int
    pages: int
    progress: tuple[QuestionProgress, ...]
    groups: tuple[AnswerGroup, ...]  # groups of the filtered items, largest first
    next_question: str | None = None  # the next question with work (a filtered one is done)
    decided_here: tuple[str, ...] = ()  # students decided for the filtered question


def review_page(
    db: GradebookTarget | Gradebook,
    *,
    rubric: RubricChoice = None,
    assignment: str | None = None,
    where: QueueFilter = QueueFilter(),
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """The queue as a page: filtered, in rubric order then a stable shuffle within a question."""
    snapshot = queue_snapshot(db, rubric=rubric, assignment=assignment)
    return page_of(snapshot, where=where, page=page, per_page=per_page)


def _check_question(catalogue: QuestionCatalogue, question: str | None) -> None:
    if question is not None and question not in catalogue:
        raise GraderError(
            f"unknown question {question!r}",
            hint=f"use one of: {', '.join(q.id for q in catalogue)}",
        )


def page_of(
    snapshot: QueueSnapshot,
    *,
    where: QueueFilter = QueueFilter(),
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """One page of a snapshot's queue, with per-question progress and the filtered groups."""
    _check_question(snapshot.catalogue, where.question)
    items = snapshot.items
    decided = snapshot.decided
    waiting: Counter[str] = Counter(i.question_id for i in items)
    attention: Counter[str] = Counter(
        i.question_id for i in items if i.kind is ReviewKind.attention
    )
    progress = tuple(
        QuestionProgress(q.id, q.title, waiting[q.id], attention[q.id], decided[q.id])
        for q in snapshot.catalogue
    )
    kept = [i for i in items if where.keeps(i)]
    next_question = None
    decided_here: tuple[str, ...] = ()
    if where.question is not None:
        ids = [q.id for q in snapshot.catalogue]
        after = ids[ids.index(where.question) + 1 :] + ids[: ids.index(where.question)]
        next_question = next((q for q in after if waiting[q]), None)
        decided_here = tuple(
            sorted(s for s, entry in snapshot.students.items() if where.question in entry.decided)
        )
    per_page = max(1, per_page)
    pages = max(1, -(-len(kept) // per_page))
    page = max(1, min(page, pages))
    return QueuePage(
        items=tuple(kept[(page - 1) * per_page : page * per_page]),
        total=len(kept),
        page=page,
        pages=pages,
        progress=progress,
        groups=tuple(_groups(kept)),
        next_question=next_question,
        decided_here=decided_here,
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
    kind: str
    key_points: tuple[dict[str, Any], ...] = ()  # evidence per key point (concept questions)
    group_size: int = 1
    audit: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    notebook_runs: tuple[NotebookRunRecord, ...] = ()  # a notebook question: how each ran
    # A notebook question: per notebook, the outputs of the cells that name its model
    notebook_outputs: Mapping[str, tuple[CellOutput, ...]] = field(default_factory=dict)
    page_images: tuple[Path, ...] = ()  # a scan: its rendered pages, as the gradebook lists them
    trust: str | None = None  # concept questions: how far the suggestions can be trusted
    key_rows: tuple[
        tuple[str, str], ...
    ] = ()  # the accepted answers (or key points), as the kind says
    partial_words: tuple[str, ...] = ()  # the rubric's partial credit, in words
    read_view: ValueView = NO_VALUE  # what was read, drawn as the kind lays it out
    expected_view: ValueView = NO_VALUE  # what this answer was graded against
    #: (id, text) of the comments reviewers saved for this question, applied with one key
    saved_comments: tuple[tuple[int, str], ...] = ()


def review_answer(
    db: GradebookTarget | Gradebook,
    *,
    rubric: RubricChoice = None,
    assignment: str | None = None,
    student: str,
    question: str,
    snapshot: QueueSnapshot | None = None,
) -> ReviewAnswer:
    """One student's answer to one question with everything a decision needs.

    The group size is counted in `snapshot` when given (else the queue is read)."""
    scope = open_assignment(db, assignment=assignment, rubric=rubric)
    gradebook = scope.gradebook
    catalogue = snapshot.catalogue if snapshot is not None else scope.rubric.catalogue
    _check_question(catalogue, question)
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
    evidence = _detail(graded.result, "evidence")
    key_points = (
        tuple(e for e in evidence if isinstance(e, dict)) if isinstance(evidence, list) else ()
    )
    group_size = 1
    trust_said = None
    if item is not None or described.kind == "concept":
        queue = snapshot if snapshot is not None else queue_snapshot(gradebook, rubric=scope.rubric)
        view = queue.concept_views.get(question)
        if view is not None:
            trust_said = view.trust.sentence()
            key_points = _learned_evidence(key_points, view, student)
            listed = next(
                (i for i in queue.items if i.question_id == question and i.student_id == student),
                None,
            )
            item = listed or item
        if item is not None:
            group_size = sum(
                1
                for other in queue.items
                if other.question_id == question and other.group == item.group
            )
    audit = tuple(
        entry for entry in gradebook.audit_entries(student) if entry.get("question_id") == question
    )
    runs = tuple(gradebook.notebook_runs(student)) if described.part is Part.NOTEBOOKS else ()
    # "p2.baseline" is answered in the notebook named p2_…, when the student has one
    mine = tuple(r for r in runs if r.notebook.startswith(question.split(".")[0] + "_"))
    runs = mine or runs
    model = question.rsplit(".", 1)[-1]
    outputs = {
        run.notebook: tuple(relevant_outputs(run.executed_notebook, [model, "accuracy"]))
        for run in runs
    }
    pages = _detail(graded.result, "page_images")
    rubric_question = scope.rubric.questions.get(question) or scope.rubric.models.get(question)
    if described.kind == "concept" and not key_points and rubric_question is not None:
        # A scan or an unmarked answer: the key points all the same, for the person to tick.
        key_points = tuple(
            {"key_point": kp.text, "points": kp.points, "covered": False, "uncertain": True,
             "why": "not read by the grader: decide from the text or the page images"}
            for kp in getattr(rubric_question, "key_points", ())
        )  # fmt: skip
    row = QUESTION_KINDS.get(described.kind)
    key_rows: tuple[tuple[str, str], ...] = ()
    if row is not None and rubric_question is not None and described.kind != "concept":
        key = scope.rubric.keys.get(question) if described.part is Part.WRITTEN else None
        try:
            key_rows = tuple(row.describe_key(key, rubric_question)) if key is not None else ()
        except (TypeError, ValueError, KeyError):
            key_rows = ()
    layout = row.layout if row is not None else AnswerLayout.PROSE
    return ReviewAnswer(
        item=item,
        question=graded,
        student_id=student,
        title=described.title,
        kind=described.kind,
        key_points=key_points,
        group_size=group_size,
        audit=audit,
        notebook_runs=runs,
        notebook_outputs=outputs,
        page_images=tuple(Path(p) for p in pages if isinstance(p, str))
        if isinstance(pages, list)
        else (),
        trust=trust_said,
        key_rows=key_rows,
        partial_words=partial_credit_words(rubric_question),
        read_view=view_value(graded.result.answer_read, layout=layout),
        expected_view=view_value(graded.result.expected, layout=layout),
        saved_comments=tuple(scope.gradebook.saved_comments(question)),
    )


def partial_credit_words(question: Any) -> tuple[str, ...]:
    """The rubric's partial credit for a question, one line each, in words."""
    partial = getattr(question, "partial", None)
    if partial is None:
        return ()
    points = float(getattr(question, "points", 0))
    lines = []
    if partial.shape:
        lines.append(
            f"the right shape with wrong values: {partial.shape:g} of the points "
            f"({partial.shape * points:g})"
        )
    if partial.entries:
        lines.append(
            f"up to {partial.entries:g} of the points ({partial.entries * points:g}) by the "
            "share of entries that are right"
        )
    lines += [
        f"{name}: {share:g} of the points ({share * points:g})"
        for name, share in partial.mistakes.items()
    ]
    return tuple(lines)


LEARNED_WORDS = {
    "learned": "suggested from decided answers like this one",
    "same answer": "the same answer was decided",
    "contradicted": "the rules found it, but decided answers like this one disagree",
}


def _learned_evidence(
    evidence: tuple[dict[str, Any], ...], view: ConceptView, student: str
) -> tuple[dict[str, Any], ...]:
    """The stored evidence with the suggestion learnt from the decisions laid over it."""
    learned = view.learned.get(student)
    if learned is None or len(learned.covered) != len(evidence):
        return evidence
    neighbours = ", ".join(
        f"{name} ({similarity:.2f})"
        for name, similarity in view.neighbour_names.get(student, ())[:3]
    )
    shown = []
    for point, entry in enumerate(evidence):
        how = learned.how[point]
        updated = dict(entry)
        updated.update(
            covered=learned.covered[point],
            confidence=learned.confidence[point],
            uncertain=learned.uncertain[point],
        )
        if how != "rules":
            updated["why"] = LEARNED_WORDS.get(how, how) + (f": {neighbours}" if neighbours else "")
        shown.append(updated)
    return tuple(shown)


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise GraderError(
            "a decision needs a reason", hint="say why, e.g. 'confirmed key points 1 and 3'"
        )


def _decider(db: GradebookTarget | Gradebook, assignment: str | None) -> Gradebook:
    gradebook = open_existing(db)
    return gradebook.scoped(assignment) if assignment is not None else gradebook


def decide(
    db: GradebookTarget | Gradebook,
    *,
    student: str,
    question: str,
    points: float,
    reason: str,
    actor: str,
    version: str,
    assignment: str | None = None,
    ticked: Sequence[int] | None = None,
    comment: str = "",
    save_comment: bool = False,
) -> None:
    """Record a person's points for one answer, refused if the answer changed since `version`.

    With `save_comment`, the comment is also kept for the question, offered on its other
    answers' pages to apply with one key.

    `ticked` (concept questions) are the key points (1-based) the person ticked: kept with the
    decision, what the suggestions of the question's other answers learn from; `comment` is
    for the student (reports show it), `reason` for the audit."""
    _require_reason(reason)
    gradebook = _decider(db, assignment)
    key_points = None
    if ticked is not None:
        key_points = _ticked_points(gradebook, student, question, ticked)
    gradebook.add_override(
        student,
        question,
        points,
        reason=reason,
        actor=actor,
        expected_version=version,
        key_points=key_points,
        comment=comment,
    )
    if save_comment and comment.strip():
        gradebook.save_comment(question, comment, actor=actor)


def remove_saved_comment(
    db: GradebookTarget | Gradebook, comment_id: int, *, assignment: str | None = None
) -> bool:
    """Forget a saved comment; decisions that used it keep their text."""
    return _decider(db, assignment).remove_comment(comment_id)


def _ticked_points(
    gradebook: Gradebook, student: str, question: str, ticked: Sequence[int]
) -> tuple[bool, ...] | None:
    """Ticked key points (1-based) as one mark per key point of the answer's evidence."""
    grades = gradebook.latest_grades(student)
    found = next((q for g in grades for q in g.questions if q.question_id == question), None)
    evidence = _detail(found.result, "evidence") if found is not None else None
    if not isinstance(evidence, list) or not evidence:
        return None
    wrong = [n for n in ticked if not 1 <= n <= len(evidence)]
    if wrong:
        raise GraderError(
            f"key point {wrong[0]} is not one of question {question!r}'s 1 to {len(evidence)}",
            hint="tick the key points by their number on the answer page",
        )
    return tuple(n in set(ticked) for n in range(1, len(evidence) + 1))


def undo_decision(
    db: GradebookTarget | Gradebook,
    *,
    student: str,
    question: str,
    reason: str,
    actor: str,
    version: str,
    assignment: str | None = None,
) -> bool:
    """Withdraw a person's decision; the grader's result (and its review flag) count again."""
    _require_reason(reason)
    return _decider(db, assignment).undo_override(
        student, question, reason=reason, actor=actor, expected_version=version
    )


@dataclass(frozen=True)
class GroupDecision:
    """What a decision over a group did."""

    decided: tuple[str, ...]  # student ids
    skipped: tuple[str, ...]  # members that need attention, not a routine yes


def accept_suggestions(
    db: GradebookTarget | Gradebook,
    *,
    rubric: RubricChoice = None,
    assignment: str | None = None,
    question: str,
    reason: str,
    actor: str,
    group: str | None = None,
    points: float | None = None,
    students: Sequence[str] | None = None,
    snapshot: QueueSnapshot | None = None,
) -> GroupDecision:
    """Confirm the suggestions of one question (one group, or every suggestion) in one go.

    Each member becomes an override at its suggested points (or `points` for the whole
    group), audited one by one. Answers that need attention are never confirmed in bulk:
    they are listed as skipped and stay in the queue. `students` limits the decision to
    those members (a group with some split out). Members come from `snapshot` when given
    (a stale one is harmless: each override checks the version it was listed with).
    """
    _require_reason(reason)
    scope = open_assignment(db, assignment=assignment, rubric=rubric)
    gradebook = scope.gradebook
    queue = snapshot if snapshot is not None else queue_snapshot(gradebook, rubric=scope.rubric)
    _check_question(queue.catalogue, question)
    members = [
        item
        for item in queue.items
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
        # Unsure key points always reach a person, one answer at a time (issue #20).
        if (item.kind is not ReviewKind.confirm or item.unsure) and points is None:
            skipped.append(item.student_id)
            continue
        gradebook.add_override(
            item.student_id,
            question,
            item.suggested_points if points is None else points,
            reason=reason,
            actor=actor,
            expected_version=item.version,
            key_points=item.covered if item.covered and points is None else None,
        )
        decided.append(item.student_id)
    return GroupDecision(tuple(decided), tuple(skipped))


def next_waiting(
    snapshot: QueueSnapshot, *, question: str | None, after: str | None = None
) -> ReviewItem | None:
    """The next answer that waits (in the queue's order), after student `after` when given.

    Without `after`, the first one; after the last, None. A decided answer has left the
    queue, so "next after a decision" is simply the first one that still waits.
    """
    _check_question(snapshot.catalogue, question)
    kept = [i for i in snapshot.items if question is None or i.question_id == question]
    if after is None:
        return kept[0] if kept else None
    students = [item.student_id for item in kept]
    if after not in students:
        return kept[0] if kept else None
    index = students.index(after)
    return kept[index + 1] if index + 1 < len(kept) else None
