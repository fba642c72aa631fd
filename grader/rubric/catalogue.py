"""The question catalogue: every question of a rubric, written and notebook, in rubric order.

Job: one ordered, typed description of each question (id, title, kind, part,
points, order, whether its expected answer may be shown, the number students
write before it) that scoring, storage ordering, reports and exports all read.
It is built once from a loaded `Rubric` (`Rubric.catalogue`). Must not score,
read answers or know the TOML file format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.deadlines import Deadline

from grader.results import Part

_DIGIT_RUNS = re.compile(r"([0-9]+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts q2 before q10 and s9 before s10; ties broken by the exact text."""
    parts = _DIGIT_RUNS.split(text)
    # re.split with one group alternates text (even positions) and digit runs (odd positions),
    # so every position compares like with like.
    key = tuple((1, int(part)) if i % 2 else (0, part.lower()) for i, part in enumerate(parts))
    return (*key, (0, text))


@dataclass(frozen=True)
class CatalogueQuestion:
    """One question as every stage after the rubric sees it."""

    id: str
    title: str
    kind: str  # a row of grader.kinds.table.QUESTION_KINDS
    part: Part
    points: float
    order: int  # position in the rubric, 0-based: written questions first, then notebooks
    show_expected: bool  # the rubric allows showing the expected answer
    sheet_number: int | None = None  # the number written before the answer (written part only)
    visibility: str = "visible"  # Gradescope: visible, hidden, after_due_date, after_published


def unknown_question(question_id: str) -> CatalogueQuestion:
    """A stored question the current rubric no longer has: no title, expected answer hidden.

    Its kind and part are guesses for display only (a report must still show it).
    """
    return CatalogueQuestion(
        id=question_id,
        title="",
        kind="concept",
        part=Part.WRITTEN,
        points=0.0,
        order=-1,
        show_expected=False,
    )


class QuestionCatalogue:
    """Questions in rubric order; unknown ids (from an older rubric) sort after, naturally."""

    def __init__(
        self, questions: Iterable[CatalogueQuestion], *, deadline: Deadline | None = None
    ) -> None:
        #: The assignment's due date and late policy, when the rubric sets one.
        self.deadline = deadline
        self._questions = tuple(questions)
        self._by_id = {q.id: q for q in self._questions}
        if len(self._by_id) != len(self._questions):
            raise ValueError("a question id appears twice in the catalogue")

    def __iter__(self) -> Iterator[CatalogueQuestion]:
        return iter(self._questions)

    def __len__(self) -> int:
        return len(self._questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def __getitem__(self, question_id: str) -> CatalogueQuestion:
        return self._by_id[question_id]

    def get(self, question_id: str) -> CatalogueQuestion | None:
        return self._by_id.get(question_id)

    def describe(self, question_id: str) -> CatalogueQuestion:
        """The catalogue entry, or a placeholder for an id the rubric does not have."""
        return self._by_id.get(question_id) or unknown_question(question_id)

    def in_part(self, part: Part) -> tuple[CatalogueQuestion, ...]:
        return tuple(q for q in self._questions if q.part is part)

    def ids(self, part: Part | None = None) -> tuple[str, ...]:
        """Question ids in rubric order, of one part or of all."""
        return tuple(q.id for q in self._questions if part is None or q.part is part)

    def points(self, part: Part | None = None) -> float:
        return round(sum(q.points for q in self._questions if part is None or q.part is part), 6)

    def order_key(self, question_id: str) -> tuple[int, tuple[tuple[int, int | str], ...]]:
        """Sort key: rubric order, then ids the rubric does not know in natural order."""
        question = self._by_id.get(question_id)
        if question is not None:
            return (question.order, ())
        return (len(self._questions), natural_key(question_id))

    def ordered(self, question_ids: Iterable[str]) -> list[str]:
        """The given ids (each once) in catalogue order."""
        return sorted(set(question_ids), key=self.order_key)


def assignment_maximum(stored_max: Mapping[str, float], catalogue: QuestionCatalogue) -> float:
    """The same maximum for every student: each rubric question's maximum (as stored for the
    student when graded, else the rubric's), plus any stored question the rubric lacks."""
    rubric_ids = set(catalogue.ids())
    total = sum(stored_max.get(q.id, q.points) for q in catalogue)
    total += sum(points for qid, points in stored_max.items() if qid not in rubric_ids)
    return round(total, 2)
