"""Per-student feedback reports (Markdown and self-contained HTML) built from StudentGrades.

Builds one display view per student and hands it to the templates. It must
not score, change points or read files: what the gradebook holds is what
the student sees, with the expected answer shown only where the rubric
allows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from grader.feedback.templating import html_environment, markdown_environment
from grader.feedback.values import (
    NO_VALUE,
    DifferingEntry,
    Evidence,
    ValueView,
    as_status,
    concept_evidence,
    decided_evidence,
    differing_entries,
    flag_words,
    format_number,
    marked_paths,
    review_reason_words,
    shown_text,
    status_words,
    view_value,
)
from grader.kinds.base import AnswerLayout
from grader.kinds.table import kind_of
from grader.measures import MEASURES
from grader.results import GradedQuestion, Status, StudentGrades
from grader.rubric.catalogue import CatalogueQuestion, QuestionCatalogue


@dataclass(frozen=True)
class QuestionView:
    """Everything one question section of a report shows."""

    question_id: str
    title: str
    kind: str
    points: str
    max_points: str
    status: str  # the stored status value, used as a CSS class
    status_words: str
    review_reason_words: str | None
    answer_text: str
    answer: ValueView
    convention: str | None
    diagnosis: str | None
    differing: tuple[DifferingEntry, ...]
    feedback: str
    expected: ValueView  # NO_VALUE unless the rubric allows showing it
    evidence: tuple[Evidence, ...]
    overridden: bool
    override_reason: str | None
    suggested_points: str | None
    model: ModelView | None


@dataclass(frozen=True)
class ModelView:
    """What the report shows for a notebook question: the measurement and how the notebook ran."""

    measure: str  # in words: "accuracy", "macro-F1", "mean squared error"
    value: str | None  # the measure's value
    full_sign: str  # "≥" where higher is better, "≤" for an error
    none_sign: str
    threshold: str | None
    zero_at: str | None
    inference_seconds: str | None
    figures: str | None
    reported: str | None
    flags: tuple[str, ...]
    failed_cell: str | None  # 1-based, as the student counts cells
    traceback: str | None


def _number(value: object, digits: int = 3) -> str | None:
    return (
        f"{value:.{digits}f}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else None
    )


def model_view(details: Mapping[str, object]) -> ModelView | None:
    """None for written questions; otherwise the measured facts, all values re-typed defensively."""
    keys = {"accuracy", "value", "figures", "traceback", "threshold"}
    if not keys & set(details):
        return None
    measure = MEASURES.get(str(details.get("measure") or "accuracy"), MEASURES["accuracy"])
    digits = 2 if measure.higher_is_better else 3
    flags = details.get("flags")
    failed = details.get("failed_cell")
    traceback = details.get("traceback")
    figures = details.get("figures")
    return ModelView(
        measure=measure.words,
        value=_number(details.get("value", details.get("accuracy"))),
        full_sign="≥" if measure.higher_is_better else "≤",
        none_sign="≤" if measure.higher_is_better else "≥",
        threshold=_number(details.get("threshold"), digits),
        zero_at=_number(details.get("zero_at"), digits),
        inference_seconds=_number(details.get("inference_seconds"), 2),
        figures=str(figures) if isinstance(figures, int) else None,
        reported=_number(details.get("reported_accuracy")),
        flags=tuple(flag_words(str(flag)) for flag in flags) if isinstance(flags, list) else (),
        failed_cell=str(failed + 1) if isinstance(failed, int) else None,
        traceback=shown_text(traceback) if isinstance(traceback, str) and traceback else None,
    )


@dataclass(frozen=True)
class StudentView:
    student_id: str
    run_id: int
    source_path: str | None
    total: str
    max_total: str
    problems: tuple[str, ...]
    awaiting_review: int
    questions: tuple[QuestionView, ...]
    confirmed_total: str = ""  # points no longer waiting for a person
    pending_points: str = ""  # points the grader suggests for answers a person has not decided
    questions_total: str = ""  # before the late penalty
    late_words: str = ""  # the deadline sentence; "" when on time or no time is known
    late_penalty: str = ""  # "" when there is none


def _layout(kind: str) -> AnswerLayout:
    """How a kind lays its values out; a stored kind the rubric no longer knows shows as prose."""
    try:
        return kind_of(kind).layout
    except KeyError:
        return AnswerLayout.PROSE


def question_view(
    question: GradedQuestion, info: CatalogueQuestion, problems: tuple[str, ...] = ()
) -> QuestionView:
    """The display view of one graded question; hides the expected answer unless allowed.

    After a person's decision the view says the decision (points, ticked key points,
    comment), never the grader's suggestion; a decision at full points drops the
    grader's "likely mistake" and marked entries, which it overrules. Feedback that only
    repeats one of the submission's problems (listed once at the top) is left out.
    """
    layout = _layout(info.kind)
    decision = question.decision
    full_marks = decision is not None and round(decision.points, 6) >= round(question.max_points, 6)
    differing = () if full_marks else differing_entries(question.details)
    marked = marked_paths(differing)
    if not info.show_expected:  # the expected value of a differing entry is part of the answer key
        differing = tuple(replace(entry, expected=None) for entry in differing)
    status = as_status(question.status)
    expected = (
        view_value(question.expected, layout=layout, marked=marked)
        if info.show_expected
        else NO_VALUE
    )
    suggested = question.suggested_points if question.overridden else None
    return QuestionView(
        question_id=question.question_id,
        title=info.title,
        kind=info.kind,
        points=format_number(question.points),
        max_points=format_number(question.max_points),
        status=str(status.value if status is not None else question.status),
        status_words=status_words(question.status),
        review_reason_words=(
            review_reason_words(question.review_reason) if status is Status.NEEDS_REVIEW else None
        ),
        answer_text=shown_text(question.answer_text or ""),
        answer=view_value(question.answer_read, layout=layout, marked=marked),
        convention=question.convention or None,
        diagnosis=None if full_marks else question.diagnosis or None,
        differing=differing,
        feedback=_own_feedback(question.feedback or "", problems),
        expected=expected,
        evidence=decided_evidence(concept_evidence(question.details), question.decided_key_points),
        overridden=bool(question.overridden),
        override_reason=question.override_reason or None,
        suggested_points=format_number(suggested) if suggested is not None else None,
        model=model_view(question.details) if layout is AnswerLayout.MEASUREMENT else None,
    )


def _own_feedback(feedback: str, problems: tuple[str, ...]) -> str:
    """A question's feedback, or "" when it only repeats a problem the report lists at the top."""
    text = feedback.strip()
    return "" if text and text in {problem.strip() for problem in problems} else feedback


def student_view(grades: StudentGrades, questions: QuestionCatalogue) -> StudentView:
    """The display view of a student's grades, questions in rubric order."""
    by_id = {q.question_id: q for q in grades.questions}
    problems = tuple(grades.problems)
    views = tuple(
        question_view(by_id[qid], questions.describe(qid), problems)
        for qid in questions.ordered(by_id)
    )
    return StudentView(
        student_id=grades.student_id,
        run_id=grades.run_id,
        source_path=grades.source_path,
        total=format_number(grades.total),
        max_total=format_number(grades.max_total),
        problems=tuple(grades.problems),
        awaiting_review=sum(1 for q in views if q.status == Status.NEEDS_REVIEW.value),
        questions=views,
        confirmed_total=format_number(
            sum(q.points for q in grades.questions if q.status is not Status.NEEDS_REVIEW)
        ),
        pending_points=format_number(
            sum(q.points for q in grades.questions if q.status is Status.NEEDS_REVIEW)
        ),
        questions_total=format_number(grades.questions_total),
        late_words=grades.late.words if grades.late is not None else "",
        late_penalty=format_number(grades.late_penalty) if grades.late_penalty else "",
    )


def render_student_reports(grades: StudentGrades, questions: QuestionCatalogue) -> tuple[str, str]:
    """Both reports of one student, (Markdown, HTML), from one view: what write_reports uses."""
    view = student_view(grades, questions)
    markdown = markdown_environment().get_template("student.md.j2").render(student=view)
    page = html_environment().get_template("student.html.j2").render(student=view)
    return markdown, page


def render_student_markdown(grades: StudentGrades, questions: QuestionCatalogue) -> str:
    """A student's feedback report as Markdown; student text sits in code blocks or is escaped."""
    template = markdown_environment().get_template("student.md.j2")
    return template.render(student=student_view(grades, questions))


def render_student_html(grades: StudentGrades, questions: QuestionCatalogue) -> str:
    """A student's feedback report as one self-contained HTML page (inline CSS, no URLs)."""
    template = html_environment().get_template("student.html.j2")
    return template.render(student=student_view(grades, questions))
