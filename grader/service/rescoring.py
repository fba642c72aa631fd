"""Re-score the gradebook after a rubric change, without reading a file or running a notebook.

Job: re-apply the current rubric to what the gradebook already holds — each written
answer's stored text, each model's measured accuracy and structure facts, each
notebook's figure count — and store the result as a new run (or, with `dry_run`,
only say who changes and by how much). Overrides carry over and are flagged for a
person where the question's maximum changed. What cannot be re-scored without new
input (a question the gradebook never graded, a per-student variant key) is named
per question with the command that grades it. Must not print or read submissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from grader import __version__
from grader.kinds.base import RescoreContext
from grader.kinds.table import kind_of
from grader.results import (
    GradedQuestion,
    Part,
    QuestionResult,
    ReviewReason,
    Status,
    StudentGrades,
    SubmissionResult,
)
from grader.rubric.model import Rubric
from grader.scoring.answer_grader import AnswerGrader
from grader.service.assignments import RubricChoice, open_assignment
from grader.storage import GradebookTarget


@dataclass(frozen=True)
class QuestionChange:
    question_id: str
    before: float
    after: float
    before_max: float
    after_max: float


@dataclass(frozen=True)
class StudentChange:
    """One student whose points change, question by question (overrides applied)."""

    student_id: str
    before: float
    after: float
    questions: tuple[QuestionChange, ...]


@dataclass(frozen=True)
class NotRescored:
    """A question that needs new input, with the command that provides it."""

    question_id: str
    reason: str
    fix: str
    students: int


@dataclass(frozen=True)
class RescoreOutcome:
    run_id: int | None  # None for a dry run
    students: int
    changes: tuple[StudentChange, ...]
    not_rescored: tuple[NotRescored, ...]
    stale_overrides: tuple[tuple[str, str], ...]  # (student, question) flagged for a person
    assignment: str = ""
    rubric: str = ""  # the rubric file applied
    notes: tuple[str, ...] = ()  # one line each: the rubric changed since, only a copy left


def _rescored_parts(
    grades: StudentGrades,
    rubric: Rubric,
    grader: AnswerGrader,
    dataset: dict[str, str],
    missing: dict[str, list[str]],
) -> list[SubmissionResult]:
    by_id = {q.question_id: q.result for q in grades.questions}
    parts: list[SubmissionResult] = []
    for part in Part:
        entries = rubric.catalogue.in_part(part)
        if not any(entry.id in by_id for entry in entries):
            continue  # this part was never graded for the student
        results: list[QuestionResult] = []
        for entry in entries:
            stored = by_id.get(entry.id)
            if stored is None:
                missing.setdefault(entry.id, []).append(grades.student_id)
                results.append(
                    QuestionResult(
                        entry.id, 0.0, entry.points, Status.NEEDS_REVIEW,
                        feedback="Not graded yet: this question is new in the rubric.",
                        review_reason=ReviewReason.SUBMISSION,
                    )
                )  # fmt: skip
                continue
            if part is Part.WRITTEN and stored.details.get("variant"):
                missing.setdefault(f"{entry.id} (variant)", []).append(grades.student_id)
                results.append(replace(stored, max_points=entry.points))
                continue
            question = (rubric.questions if part is Part.WRITTEN else rubric.models)[entry.id]
            context = RescoreContext(grader, rubric, dataset.get(grades.student_id, ""))
            results.append(kind_of(question.kind).rescore(context, entry.id, question, stored))
        parts.append(
            SubmissionResult(
                grades.student_id, part, grades.source_path, None, tuple(results), grades.problems
            )
        )
    return parts


def _datasets(grades: Iterable[StudentGrades]) -> dict[str, str]:
    """The dataset each student's models were measured on (stored with each measurement)."""
    found: dict[str, str] = {}
    for student in grades:
        for question in student.questions:
            dataset = question.details.get("dataset")
            if isinstance(dataset, str):
                found[student.student_id] = dataset
                break
    return found


def rescore(
    db: GradebookTarget,
    *,
    rubric: RubricChoice = None,
    assignment: str | None = None,
    dry_run: bool = False,
) -> RescoreOutcome:
    """Re-apply a rubric to one assignment's current results; store them as a new run.

    Without `rubric`: the file of the rubric of record as it is now (the usual case:
    the rubric was edited); a note says when it changed since, or when only the
    gradebook's copy is left.
    """
    scope = open_assignment(db, assignment=assignment, rubric=rubric, prefer_file=True)
    gradebook = scope.gradebook
    loaded = scope.rubric
    grader = AnswerGrader(loaded)
    current = gradebook.latest_grades(catalogue=loaded.catalogue)
    datasets = _datasets(current)
    missing: dict[str, list[str]] = {}
    rescored = {
        g.student_id: _rescored_parts(g, loaded, grader, datasets, missing) for g in current
    }
    changes: list[StudentChange] = []
    stale: list[tuple[str, str]] = []
    for grades in current:
        overrides = {q.question_id: q.override for q in grades.questions}
        after = [
            GradedQuestion(result, overrides.get(result.question_id))
            for part in rescored[grades.student_id]
            for result in part.results
        ]
        stale += [(grades.student_id, q.question_id) for q in after if q.stale_override]
        before_by_id = {q.question_id: q for q in grades.questions}
        changed = tuple(
            QuestionChange(
                q.question_id,
                before_by_id[q.question_id].points if q.question_id in before_by_id else 0.0,
                q.points,
                before_by_id[q.question_id].max_points if q.question_id in before_by_id else 0.0,
                q.max_points,
            )
            for q in after
            if q.question_id not in before_by_id
            or (before_by_id[q.question_id].points, before_by_id[q.question_id].max_points)
            != (q.points, q.max_points)
        )
        if changed:
            total_after = round(sum(q.points for q in after), 2)
            changes.append(StudentChange(grades.student_id, grades.total, total_after, changed))
    part_hint = {Part.WRITTEN: "written", Part.NOTEBOOKS: "notebooks"}
    not_rescored = tuple(
        NotRescored(
            question_id=qid,
            reason="a per-student variant: its key is not in the gradebook"
            if qid.endswith("(variant)")
            else "new in the rubric: the gradebook holds no answer to it",
            fix=(
                "grader grade SUBMISSIONS --variants DIR --only written"
                if qid.endswith("(variant)")
                else f"grader grade SUBMISSIONS --only {part_hint[loaded.catalogue[qid].part]}"
            ),
            students=len(students),
        )
        for qid, students in sorted(missing.items())
    )
    run_id = None
    if not dry_run:
        run_id = gradebook.start_run(
            rubric_path=str(loaded.path),
            rubric_hash=loaded.content_hash,
            tool_version=__version__,
            options={"rescore": True, "from": "the gradebook's latest results"},
            assignment_id=scope.assignment,
            rubric_texts=loaded.sources,
        )
        gradebook.record_submissions(
            run_id, [part for parts in rescored.values() for part in parts], actor="rescore"
        )
        gradebook.finish_run(run_id)
    return RescoreOutcome(
        run_id=run_id,
        students=len(current),
        changes=tuple(changes),
        not_rescored=not_rescored,
        stale_overrides=tuple(stale),
        assignment=scope.assignment,
        rubric=str(loaded.path),
        notes=scope.notes + loaded.warnings,
    )
