"""Grade a folder of submissions: read and score each student, store one run, write the reports.

The flow is one-way: files → `SubmissionResult`s → gradebook → reports read
back from the gradebook (so overrides always show). Nothing here raises for
one student's bad file; it becomes that student's stored status.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from grader import __version__
from grader.errors import GraderError, ParametersError, SubmissionReadError
from grader.feedback import QuestionInfo, write_reports
from grader.pipeline.notebook_batch import NotebookOptions, grade_notebooks
from grader.pipeline.notebook_part import NotebookPartResult
from grader.pipeline.submissions import choose_written_file, find_students
from grader.reading import read_written_file
from grader.reference import compute_key, load_parameters
from grader.results import QuestionResult, ReviewReason, Status, SubmissionResult
from grader.rubric.model import ExactQuestion, Rubric
from grader.scoring import AnswerGrader
from grader.storage import Gradebook

Part = Literal["all", "written", "notebooks"]
STORE_BATCH = 250  # submissions per database transaction


@dataclass(frozen=True)
class GradeOptions:
    """What to grade. Defaults grade every part of every student."""

    only: Part = "all"
    student: str | None = None
    max_file_bytes: int = 10 * 1024 * 1024
    notebooks: NotebookOptions = field(default_factory=NotebookOptions)
    resume_run: int | None = None  # continue this run: skip what the gradebook already holds
    # Per-student parameters (`<student_id>.toml`, written by `grader assign --variants`):
    # a student with a file there is graded with their own key, others with the canonical one.
    variants_dir: Path | None = None


@dataclass
class GradingSummary:
    """What a run did, for the CLI's table and exit code."""

    run_id: int
    students: int = 0
    points: dict[str, float] = field(default_factory=dict)
    max_points: float = 0.0
    needs_attention: dict[str, list[str]] = field(default_factory=dict)  # student → reasons
    concept_reviews: int = 0
    report_paths: list[Path] = field(default_factory=list)


def question_infos(rubric: Rubric) -> dict[str, QuestionInfo]:
    """What reports need to know about each question."""
    return {
        qid: QuestionInfo(qid, q.title, q.kind, rubric.shows_expected(qid))
        for qid, q in rubric.questions.items()
    }


def _whole_submission(
    grader: AnswerGrader, status: Status, message: str, reason: ReviewReason | None = None
) -> tuple[QuestionResult, ...]:
    """The same status and message for every question (unreadable file, no file...)."""
    return tuple(
        QuestionResult(
            question_id=qid,
            points=0.0,
            max_points=question.points,
            status=status,
            feedback=message,
            review_reason=reason,
        )
        for qid, question in grader.rubric.questions.items()
    )


def grade_written_submission(
    student_id: str, student_dir: Path, grader: AnswerGrader, *, max_file_bytes: int
) -> SubmissionResult:
    """Read and score one student's written file; every failure becomes a stored status."""
    choice = choose_written_file(student_dir)
    relative = f"{student_id}/{choice.path.name}" if choice.path else None
    if choice.problem:
        results = _whole_submission(
            grader, Status.NEEDS_REVIEW, choice.problem, ReviewReason.SUBMISSION
        )
        return SubmissionResult(student_id, "written", None, None, results, (choice.problem,))
    if choice.path is None:
        message = "no written file found (expected one .md, .txt, .tex or .pdf file in the student's folder)"
        results = tuple(grader.missing_result(qid, message) for qid in grader.rubric.questions)
        return SubmissionResult(student_id, "written", None, None, results, (message,))

    content_hash: str | None = None
    try:
        if choice.path.stat().st_size <= max_file_bytes:
            content_hash = hashlib.sha256(choice.path.read_bytes()).hexdigest()
        document = read_written_file(choice.path, max_bytes=max_file_bytes)
    except SubmissionReadError as exc:
        scanned = getattr(exc, "kind", "") == "no_text_layer"
        status = Status.NEEDS_REVIEW if scanned else Status.ERROR
        reason = ReviewReason.NO_TEXT_LAYER if scanned else None
        line = exc.one_line()
        return SubmissionResult(
            student_id,
            "written",
            relative,
            content_hash,
            _whole_submission(grader, status, line, reason),
            (line,),
        )
    except OSError as exc:
        line = f"{relative}: cannot read the file ({exc.strerror}) (fix: check its permissions)"
        return SubmissionResult(
            student_id,
            "written",
            relative,
            content_hash,
            _whole_submission(grader, Status.ERROR, line),
            (line,),
        )

    answers = grader.split_answers(document.text)
    results = tuple(grader.grade_all(answers))
    return SubmissionResult(
        student_id, "written", relative, content_hash, results, tuple(document.warnings)
    )


def grader_for_student(
    student_id: str, grader: AnswerGrader, variants_dir: Path | None
) -> AnswerGrader:
    """The canonical grader, or one with the student's own key when `variants_dir` has their parameters."""
    path = variants_dir / f"{student_id}.toml" if variants_dir is not None else None
    if path is None or not path.is_file():
        return grader
    keys = compute_key(load_parameters(path))
    lacking = sorted(
        {q.key for q in grader.rubric.questions.values() if isinstance(q, ExactQuestion)}
        - set(keys)
    )
    if lacking:
        raise ParametersError(
            f"no parameters for {', '.join(lacking)}",
            path=path,
            hint="rebuild the variants with `grader assign --variants` from the current template",
        )
    return grader.with_keys(keys)


def _written_error(student_id: str, grader: AnswerGrader, line: str) -> SubmissionResult:
    """The written part could not be graded for this student: every question an error, with the line."""
    return SubmissionResult(
        student_id, "written", None, None, _whole_submission(grader, Status.ERROR, line), (line,)
    )


def _safe_grade(
    student_id: str, student_dir: Path, grader: AnswerGrader, options: GradeOptions
) -> SubmissionResult:
    """Like `grade_written_submission`, but a grader bug is recorded as this student's error, not raised."""
    try:
        student_grader = grader_for_student(student_id, grader, options.variants_dir)
    except ParametersError as exc:  # a broken variant file: this student cannot be graded yet
        return _written_error(
            student_id, grader, f"{student_id}: variant parameters unusable: {exc.one_line()}"
        )
    try:
        return grade_written_submission(
            student_id, student_dir, student_grader, max_file_bytes=options.max_file_bytes
        )
    except (
        GraderError,
        ValueError,
        ArithmeticError,
        RecursionError,
        IndexError,
        KeyError,
        TypeError,
    ) as exc:
        return _written_error(
            student_id,
            grader,
            f"{student_id}: internal grader error ({type(exc).__name__}: {exc}); please report it",
        )


def grade_submissions(
    submissions_dir: Path,
    *,
    rubric: Rubric,
    gradebook: Gradebook,
    reports_dir: Path | None,
    options: GradeOptions = GradeOptions(),
    on_student_done: Callable[[str], None] | None = None,
) -> GradingSummary:
    """Grade every student folder in `submissions_dir` as one stored run, then write reports."""
    if options.variants_dir is not None and not options.variants_dir.is_dir():
        raise GraderError(
            "no such variants folder",
            path=options.variants_dir,
            hint="pass the grader/variants folder written by `grader assign --variants`",
        )
    students = find_students(submissions_dir)
    if options.student is not None:
        students = [(sid, path) for sid, path in students if sid == options.student]
    grader = AnswerGrader(rubric)
    if options.resume_run is None:
        run_id = gradebook.start_run(
            rubric_path=str(rubric.path),
            rubric_hash=rubric.content_hash,
            tool_version=__version__,
            options={**asdict(options), "submissions": str(submissions_dir)},
        )
        done: dict[str, set[str]] = {"written": set(), "notebooks": set()}
    else:
        # The gradebook, not the scheduler, is the list of what is left to grade.
        run_id = options.resume_run
        if gradebook.run_rubric_hash(run_id) != rubric.content_hash:
            raise GraderError(
                f"run {run_id} was graded with a different rubric or parameters",
                path=rubric.path,
                hint="resume with the rubric the run started with, or start a new run",
            )
        done = {part: gradebook.graded_students(run_id, part) for part in ("written", "notebooks")}
    max_points = {
        "all": rubric.assignment.total_points,
        "written": rubric.written_points,
        "notebooks": rubric.assignment.total_points - rubric.written_points,
    }[options.only]
    summary = GradingSummary(run_id=run_id, max_points=round(max_points, 2))
    if options.only in ("all", "written"):
        batch: list[SubmissionResult] = []
        for student_id, student_dir in students:
            if student_id in done["written"]:
                continue
            submission = _safe_grade(student_id, student_dir, grader, options)
            batch.append(submission)
            _summarise(summary, submission)
            if len(batch) >= STORE_BATCH:
                gradebook.record_submissions(run_id, batch)
                batch = []
            if on_student_done is not None:
                on_student_done(student_id)
        if batch:
            gradebook.record_submissions(run_id, batch)
    if options.only in ("all", "notebooks") and rubric.models:

        def notebooks_done(result: NotebookPartResult) -> None:
            _summarise(summary, result.submission)
            if on_student_done is not None:
                on_student_done(result.submission.student_id)

        grade_notebooks(
            [(sid, path) for sid, path in students if sid not in done["notebooks"]],
            rubric=rubric,
            options=options.notebooks,
            gradebook=gradebook,
            run_id=run_id,
            on_result=notebooks_done,
        )
    gradebook.finish_run(
        run_id,
        {
            "students": summary.students,
            "needs_attention": len(summary.needs_attention),
            "concept_reviews": summary.concept_reviews,
        },
    )
    if reports_dir is not None:
        graded_ids = {sid for sid, _ in students}
        current = [g for g in gradebook.latest_grades() if g.student_id in graded_ids]
        summary.report_paths = write_reports(current, question_infos(rubric), reports_dir)
    return summary


def _summarise(summary: GradingSummary, submission: SubmissionResult) -> None:
    if submission.student_id not in summary.points:
        summary.students += 1
    previous = summary.points.get(submission.student_id, 0.0)
    summary.points[submission.student_id] = round(previous + submission.points, 2)
    reasons = [
        f"{r.question_id}: {r.status.value}"
        + (f" ({r.review_reason.value})" if r.review_reason else "")
        for r in submission.results
        if r.needs_attention
    ]
    if reasons:
        listed = summary.needs_attention.setdefault(submission.student_id, [])
        listed.extend(list(submission.problems) or reasons)
    summary.concept_reviews += sum(
        1 for r in submission.results if r.review_reason is ReviewReason.CONCEPT
    )
