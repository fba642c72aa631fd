"""Grade a folder of submissions: read and score each student, store one run, write the reports.

The flow is one-way: files → `SubmissionResult`s → gradebook → reports read
back from the gradebook (so overrides always show). Nothing here raises for
one student's bad file or for a grader bug that one student's work triggers: it
becomes that student's stored status, and the batch goes on. The class summary
always covers the whole gradebook; per-student reports are written for the
students this call graded.

Must not read settings from the environment or print: options come in as arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from grader import __version__
from grader.errors import GraderError, ParametersError, SubmissionReadError
from grader.feedback import ReportError, write_reports
from grader.kinds.table import kind_of
from grader.pipeline.notebook_batch import NotebookOptions, grade_notebooks
from grader.pipeline.notebook_part import NotebookPartResult
from grader.pipeline.submissions import choose_written_file, scan_submissions
from grader.reading import read_written_file
from grader.reading.errors import UnreadableSubmission
from grader.reading.pdf_pages import PageRenderingUnavailable, render_pdf_pages
from grader.reference import compute_key, load_parameters
from grader.results import Part, QuestionResult, ReviewReason, Status, SubmissionResult
from grader.rubric.model import Rubric
from grader.scoring.answer_grader import AnswerGrader
from grader.settings import MAX_WRITTEN_FILE_BYTES
from grader.storage import Gradebook

PartChoice = Literal["all", "written", "notebooks"]
STORE_BATCH = 250  # submissions per database transaction


@dataclass(frozen=True)
class GradeOptions:
    """What to grade. Defaults grade every part of every student."""

    only: PartChoice = "all"
    student: str | None = None
    max_file_bytes: int = MAX_WRITTEN_FILE_BYTES.default  # the written file's size cap
    notebooks: NotebookOptions = field(default_factory=NotebookOptions)
    resume_run: int | None = None  # continue this run: skip what the gradebook already holds
    # Per-student parameters (`<student_id>.toml`, written by `grader assign --variants`):
    # a student with a file there is graded with their own key, others with the canonical one.
    variants_dir: Path | None = None
    # Where the pages of a scanned PDF are rendered as PNG for the person who grades it
    # (`<page_images_dir>/<student_id>/page-001.png`); None renders none.
    page_images_dir: Path | None = None


@dataclass
class GradingSummary:
    """What this call graded (not the whole run when resuming; see `Gradebook.run_counts`).

    Points here are the grader's, before overrides: what people see is read back from
    the gradebook (`grader.service.grade`).
    """

    run_id: int
    students: int = 0
    points: dict[str, float] = field(default_factory=dict)
    max_points: float = 0.0
    needs_attention: dict[str, list[str]] = field(default_factory=dict)  # student → reasons
    concept_reviews: int = 0
    report_paths: list[Path] = field(default_factory=list)
    report_problems: list[str] = field(default_factory=list)  # reports written in short form
    # Entries of the submissions folder that are not graded, with why: a person looks.
    not_graded: list[tuple[str, str]] = field(default_factory=list)


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


NO_WRITTEN_FILE = (
    "no written file found (expected one .md, .txt, .tex, .pdf, .docx or written.ipynb file "
    "in the student's folder)"
)


def grade_written_submission(
    student_id: str,
    student_dir: Path,
    grader: AnswerGrader,
    *,
    max_file_bytes: int,
    page_images_dir: Path | None = None,
) -> SubmissionResult:
    """Read and score one student's written file; every failure becomes a stored status."""
    choice = choose_written_file(student_dir, exclude=grader.rubric.notebook_files)
    relative = f"{student_id}/{choice.path.name}" if choice.path else None
    if choice.problem:
        results = _whole_submission(
            grader, Status.NEEDS_REVIEW, choice.problem, ReviewReason.SUBMISSION
        )
        return SubmissionResult(student_id, Part.WRITTEN, None, None, results, (choice.problem,))
    if choice.path is None:
        results = tuple(grader.missing_result(qid, NO_WRITTEN_FILE) for qid in grader.question_ids)
        return SubmissionResult(student_id, Part.WRITTEN, None, None, results, (NO_WRITTEN_FILE,))

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
        results = _whole_submission(grader, status, line, reason)
        problems = [line]
        if scanned and page_images_dir is not None and choice.path.suffix.lower() == ".pdf":
            pages, problem = _page_images(choice.path, page_images_dir / _safe_folder(student_id))
            if problem:
                problems.append(problem)
            if pages:
                shown = [str(page) for page in pages]
                results = tuple(
                    replace(result, details={**result.details, "page_images": shown})
                    for result in results
                )
        return SubmissionResult(
            student_id, Part.WRITTEN, relative, content_hash, results, tuple(problems)
        )
    except OSError as exc:
        line = f"{relative}: cannot read the file ({exc.strerror}) (fix: check its permissions)"
        return SubmissionResult(
            student_id,
            Part.WRITTEN,
            relative,
            content_hash,
            _whole_submission(grader, Status.ERROR, line),
            (line,),
        )

    graded = grader.grade_document(document.text)
    results = graded.results
    problems = [*document.warnings, *graded.problems]
    if choice.ignored:
        names = ", ".join(choice.ignored)
        problems.append(
            f"{student_id}: also in the folder but not read: {names} (fix: put every answer "
            "in the written file, or a person grades these files by hand)"
        )
        # A missing answer may be in a file the grader cannot read: a person looks.
        results = tuple(
            replace(
                result,
                status=Status.NEEDS_REVIEW,
                review_reason=ReviewReason.SUBMISSION,
                feedback=f"No answer found in {choice.path.name}; the folder also holds {names}, "
                "which the grader cannot read: a person will check them.",
            )
            if result.status is Status.MISSING
            else result
            for result in results
        )
    return SubmissionResult(
        student_id, Part.WRITTEN, relative, content_hash, results, tuple(problems)
    )


def _safe_folder(student_id: str) -> str:
    """A folder name for a student's page images (ids are checked, but stay defensive)."""
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    cleaned = "".join(char if char.isalnum() or char in "-_." else "_" for char in student_id)
    return f"{cleaned.strip('._')[:60] or 'student'}-{digest}"


def _page_images(pdf: Path, out_dir: Path) -> tuple[list[Path], str | None]:
    """Render a scan's pages for the person who grades it; a failure is a problem line."""
    try:
        return render_pdf_pages(pdf, out_dir), None
    except (UnreadableSubmission, PageRenderingUnavailable, OSError) as exc:
        message = exc.one_line() if isinstance(exc, GraderError) else str(exc)
        return [], f"{pdf.name}: page images could not be made: {message}"


def grader_for_student(
    student_id: str, grader: AnswerGrader, variants_dir: Path | None
) -> AnswerGrader:
    """The canonical grader, or one with the student's own key when `variants_dir` has their parameters."""
    path = variants_dir / f"{student_id}.toml" if variants_dir is not None else None
    if path is None or not path.is_file():
        return grader
    keys = compute_key(load_parameters(path), grader.rubric.reference)
    lacking = sorted(
        {q.key for q in grader.rubric.questions.values() if kind_of(q.kind).computed}  # type: ignore[attr-defined]
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
        student_id, Part.WRITTEN, None, None, _whole_submission(grader, Status.ERROR, line), (line,)
    )


def internal_error_line(student_id: str, error: BaseException) -> str:
    """The one line stored for a student whose grading hit a grader bug."""
    return (
        f"{student_id}: internal grader error ({type(error).__name__}: {error}); please report it"
    )


def _safe_grade(
    student_id: str, student_dir: Path, grader: AnswerGrader, options: GradeOptions
) -> SubmissionResult:
    """Like `grade_written_submission`, but any failure is recorded as this student's error, not raised."""
    try:
        student_grader = grader_for_student(student_id, grader, options.variants_dir)
    except ParametersError as exc:  # a broken variant file: this student cannot be graded yet
        return _written_error(
            student_id, grader, f"{student_id}: variant parameters unusable: {exc.one_line()}"
        )
    except Exception as exc:  # a grader bug: this student's error, the batch goes on
        return _written_error(student_id, grader, internal_error_line(student_id, exc))
    try:
        return grade_written_submission(
            student_id,
            student_dir,
            student_grader,
            max_file_bytes=options.max_file_bytes,
            page_images_dir=options.page_images_dir,
        )
    except Exception as exc:  # a grader bug (AttributeError, …): this student's error only
        return _written_error(student_id, grader, internal_error_line(student_id, exc))


def _check_resumable(gradebook: Gradebook, run_id: int, rubric: Rubric) -> None:
    """A run can be resumed when it exists, is unfinished, and was started with this very rubric."""
    run = gradebook.run(run_id)
    if run is None:
        raise GraderError(
            f"cannot resume run {run_id}: the gradebook has no run {run_id}",
            hint="`grader runs` lists the runs and how to resume an unfinished one",
        )
    if run["finished_at"] is not None:
        raise GraderError(
            f"cannot resume run {run_id}: run {run_id} is finished",
            hint="start a new run (leave out --resume); `grader runs` lists the unfinished ones",
        )
    if gradebook.run_rubric_hash(run_id) != rubric.content_hash:
        raise GraderError(
            f"run {run_id} was graded with a different rubric or parameters",
            path=rubric.path,
            hint="resume with the rubric the run started with, or start a new run",
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
    scan = scan_submissions(submissions_dir)
    students = scan.students
    if options.student is not None:
        students = [(sid, path) for sid, path in students if sid == options.student]
    grader = AnswerGrader(rubric)
    if options.resume_run is None:
        run_id = gradebook.start_run(
            rubric_path=str(rubric.path),
            rubric_hash=rubric.content_hash,
            tool_version=__version__,
            options={**asdict(options), "submissions": str(submissions_dir)},
            assignment_id=rubric.assignment.id,
            rubric_texts=rubric.sources,
        )
        done: dict[Part, set[str]] = {part: set() for part in Part}
    else:
        # The gradebook, not the scheduler, is the list of what is left to grade.
        run_id = options.resume_run
        _check_resumable(gradebook, run_id, rubric)
        done = {part: gradebook.graded_students(run_id, part) for part in Part}
    max_points = (
        rubric.catalogue.points()
        if options.only == "all"
        else rubric.catalogue.points(Part(options.only))
    )
    summary = GradingSummary(
        run_id=run_id,
        max_points=round(max_points, 2),
        not_graded=[] if options.student is not None else scan.for_a_person,
    )
    if options.only in ("all", "written"):
        batch: list[SubmissionResult] = []
        for student_id, student_dir in students:
            if student_id in done[Part.WRITTEN]:
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
            [(sid, path) for sid, path in students if sid not in done[Part.NOTEBOOKS]],
            rubric=rubric,
            options=options.notebooks,
            gradebook=gradebook,
            run_id=run_id,
            on_result=notebooks_done,
        )
    gradebook.finish_run(run_id)  # counts recounted from the gradebook: the whole run
    if reports_dir is not None:
        _write_reports(summary, gradebook, rubric, reports_dir, {sid for sid, _ in students})
    return summary


def _write_reports(
    summary: GradingSummary,
    gradebook: Gradebook,
    rubric: Rubric,
    reports_dir: Path,
    graded_ids: set[str],
) -> None:
    """Reports for the students graded now; the class summary for everyone in the gradebook."""
    everyone = gradebook.scoped(rubric.assignment.id).latest_grades(catalogue=rubric.catalogue)
    try:
        summary.report_paths = write_reports(
            everyone,
            rubric.catalogue,
            reports_dir,
            students=graded_ids,
            assignment=rubric.assignment.id,
        )
    except ReportError as exc:  # every file was written, some in short form: say so, go on
        summary.report_problems.append(exc.one_line())
        summary.report_paths = [path for path in (reports_dir / "index.html",) if path.is_file()]


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
