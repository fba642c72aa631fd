"""Class summary (HTML and Markdown): score distributions, per-question statistics, who needs a person.

Aggregates StudentGrades for the instructor. It must not change grades or
write files (`files.write_reports` does that), and it must not show one
student's answers: only ids, points and statuses appear here.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from grader.feedback.svg import Bin, histogram, histogram_svg, sparkline
from grader.feedback.templating import html_environment, markdown_environment
from grader.feedback.values import (
    as_status,
    concept_evidence,
    format_number,
    review_reason_words,
)
from grader.results import GradedQuestion, Status, StudentGrades
from grader.rubric.catalogue import CatalogueQuestion, QuestionCatalogue, natural_key


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    title: str
    count: int  # students who have a result for this question
    mean: str
    median: str
    max_points: str
    graded: int
    needs_review: int
    missing: int
    error: int
    overridden: int
    awaiting_concept: int
    bins: tuple[Bin, ...]
    sparkline: str
    lowest: str = "—"
    highest: str = "—"
    stdev: str = "—"  # the spread of points (population standard deviation)
    key_points: tuple[KeyPointStats, ...] = ()  # concept questions: what the class covered


@dataclass(frozen=True)
class KeyPointStats:
    """How many answers cover one key point: a person's marks where they decided, else the
    grader's suggestion (counted apart, so staff see how much is still a suggestion)."""

    key_point: str
    covered: int
    of: int
    decided: int  # of those answers, how many a person marked
    share: str  # covered / of, as a percentage


@dataclass(frozen=True)
class ReviewerStats:
    """One reviewer's decisions that count now."""

    reviewer: str
    decisions: int
    changed: int  # points differ from the grader's suggestion
    raised: int
    lowered: int


@dataclass(frozen=True)
class StudentRow:
    student_id: str
    href: str | None
    total: str
    max_total: str
    awaiting_review: int
    reasons: tuple[str, ...]  # why a person must act; empty when nothing is urgent


@dataclass(frozen=True)
class SummaryView:
    student_count: int
    total_mean: str
    total_median: str
    max_total: str
    total_bins: tuple[Bin, ...]
    total_sparkline: str
    questions: tuple[QuestionStats, ...]
    attention: tuple[StudentRow, ...]
    concept_awaiting: int
    students: tuple[StudentRow, ...]
    reviewers: tuple[ReviewerStats, ...] = ()
    late: int = 0  # students with a late penalty


def _mean_median(values: Sequence[float]) -> tuple[str, str]:
    if not values:
        return "—", "—"
    return (
        format_number(round(statistics.fmean(values), 2)),
        format_number(round(statistics.median(values), 2)),
    )


def _question_stats(
    question_id: str, info: CatalogueQuestion, results: Sequence[GradedQuestion]
) -> QuestionStats:
    points = [float(q.points) for q in results]
    max_points = max((float(q.max_points) for q in results), default=0.0)
    statuses = [as_status(q.status) for q in results]
    mean, median = _mean_median(points)
    bins = histogram(points, max_points)
    spread = {
        "lowest": format_number(min(points)) if points else "—",
        "highest": format_number(max(points)) if points else "—",
        "stdev": format_number(round(statistics.pstdev(points), 2)) if points else "—",
    }
    return QuestionStats(
        question_id=question_id,
        title=info.title,
        count=len(results),
        mean=mean,
        median=median,
        max_points=format_number(max_points),
        graded=statuses.count(Status.GRADED),
        needs_review=statuses.count(Status.NEEDS_REVIEW),
        missing=statuses.count(Status.MISSING),
        error=statuses.count(Status.ERROR),
        overridden=sum(1 for q in results if q.overridden),
        awaiting_concept=sum(1 for q in results if q.awaits_confirmation),
        bins=bins,
        sparkline=sparkline(bins),
        key_points=_key_point_stats(results),
        **spread,
    )


def _key_point_stats(results: Sequence[GradedQuestion]) -> tuple[KeyPointStats, ...]:
    """Per key point, in rubric order: answers covering it (a person's marks first)."""
    covered: dict[str, int] = {}
    seen: dict[str, int] = {}
    decided: dict[str, int] = {}
    for question in results:
        marks = question.decided_key_points
        by_person = bool(marks)
        if not marks:
            marks = tuple((e.key_point, e.covered) for e in concept_evidence(question.details))
        for name, mark in marks:
            if not name or mark is None:
                continue
            seen[name] = seen.get(name, 0) + 1
            covered[name] = covered.get(name, 0) + (1 if mark else 0)
            decided[name] = decided.get(name, 0) + (1 if by_person else 0)
    return tuple(
        KeyPointStats(
            key_point=name,
            covered=covered[name],
            of=count,
            decided=decided[name],
            share=f"{round(100 * covered[name] / count)}%",
        )
        for name, count in seen.items()
    )


def _reviewer_stats(grades: Sequence[StudentGrades]) -> tuple[ReviewerStats, ...]:
    counts: dict[str, list[int]] = {}
    for g in grades:
        for question in g.questions:
            decision = question.decision
            if decision is None:
                continue
            row = counts.setdefault(decision.actor or "unknown", [0, 0, 0, 0])
            row[0] += 1
            difference = round(decision.points - question.result.points, 6)
            row[1] += difference != 0
            row[2] += difference > 0
            row[3] += difference < 0
    return tuple(
        ReviewerStats(name, *row) for name, row in sorted(counts.items(), key=lambda kv: kv[0])
    )


def _attention_reasons(grades: StudentGrades, questions: QuestionCatalogue) -> tuple[str, ...]:
    """Why a person must act, one line per reason: "needs review (…): q1, q2"."""
    questions_by_reason: dict[str, list[str]] = {}
    for q in sorted(grades.questions, key=lambda q: questions.order_key(q.question_id)):
        if not q.needs_attention:
            continue
        if as_status(q.status) is Status.ERROR:
            reason = "error"
        else:
            reason = (
                f"needs review ({review_reason_words(q.review_reason) or 'no reason recorded'})"
            )
        questions_by_reason.setdefault(reason, []).append(q.question_id)
    return tuple(f"{reason}: {', '.join(ids)}" for reason, ids in questions_by_reason.items())


def summary_view(
    all_grades: Sequence[StudentGrades],
    questions: QuestionCatalogue,
    *,
    student_links: Mapping[str, str] | None = None,
) -> SummaryView:
    """Statistics for every question in the rubric (and any extra question found in the grades)."""
    links = student_links or {}
    ordered = sorted(all_grades, key=lambda g: natural_key(g.student_id))
    results_by_question: dict[str, list[GradedQuestion]] = {}
    for g in ordered:
        for q in g.questions:
            results_by_question.setdefault(q.question_id, []).append(q)
    question_ids = questions.ordered(results_by_question.keys() | set(questions.ids()))
    totals = [float(g.total) for g in ordered]
    max_total = max((float(g.max_total) for g in ordered), default=0.0)
    total_mean, total_median = _mean_median(totals)
    total_bins = histogram(totals, max_total, max_bins=20)
    students = tuple(
        StudentRow(
            student_id=g.student_id,
            href=links.get(g.student_id),
            total=format_number(g.total),
            max_total=format_number(g.max_total),
            awaiting_review=sum(
                1 for q in g.questions if as_status(q.status) is Status.NEEDS_REVIEW
            ),
            reasons=_attention_reasons(g, questions),
        )
        for g in ordered
    )
    stats = tuple(
        _question_stats(qid, questions.describe(qid), results_by_question.get(qid, []))
        for qid in question_ids
    )
    return SummaryView(
        student_count=len(ordered),
        total_mean=total_mean,
        total_median=total_median,
        max_total=format_number(max_total),
        total_bins=total_bins,
        total_sparkline=sparkline(total_bins),
        questions=stats,
        attention=tuple(s for s in students if s.reasons),
        concept_awaiting=sum(q.awaiting_concept for q in stats),
        students=students,
        reviewers=_reviewer_stats(ordered),
        late=sum(1 for g in ordered if g.late_penalty),
    )


def summary_html(view: SummaryView, *, review_url: str | None = None) -> str:
    """The class summary page for an already computed view.

    With `review_url` (the review service's address), each question's "needs review"
    count and the concept line link into its queue."""
    panels: list[Markup] = [
        histogram_svg(q.bins, title=q.question_id, question_id=q.question_id)
        for q in view.questions
    ]
    totals_panel = histogram_svg(
        view.total_bins, title="total", css_class="hist-total", width=440, height=160
    )
    template = html_environment().get_template("summary.html.j2")
    return template.render(
        summary=view,
        panels=panels,
        totals_panel=totals_panel,
        review_url=review_url.rstrip("/") if review_url else None,
    )


def summary_markdown(view: SummaryView) -> str:
    """The class summary as Markdown for an already computed view."""
    return markdown_environment().get_template("summary.md.j2").render(summary=view)


def render_class_summary_html(
    all_grades: Sequence[StudentGrades],
    questions: QuestionCatalogue,
    *,
    student_links: Mapping[str, str] | None = None,
) -> str:
    """The class summary page: SVG histograms per question and of totals, statistics, attention list.

    `student_links` maps a student id to the href of that student's report (write_reports fills it).
    """
    return summary_html(summary_view(all_grades, questions, student_links=student_links))


def render_class_summary_markdown(
    all_grades: Sequence[StudentGrades],
    questions: QuestionCatalogue,
    *,
    student_links: Mapping[str, str] | None = None,
) -> str:
    """The class summary as Markdown: the same tables, distributions drawn as text sparklines."""
    return summary_markdown(summary_view(all_grades, questions, student_links=student_links))
