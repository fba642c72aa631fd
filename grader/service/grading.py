"""The grading use case: check what was asked, grade one run, and read back what people will see.

Job: validate the request (folders, student id), run the pipeline
(`grade_submissions`), and describe the result from the gradebook after the run,
with overrides applied, so the CLI's table, the reports and the exports always
show the same figures. Must not print, read the environment or score anything
itself (the pipeline does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.errors import GradebookError, GraderError
from grader.pipeline import GradeOptions, find_students, grade_submissions
from grader.results import Part, StudentGrades
from grader.roster import Roster, load_roster
from grader.rubric import Rubric, load_rubric
from grader.sandbox.cgroups import cgroup_support
from grader.sandbox.gpu import NO_GPU, host_cuda_devices
from grader.service.assignments import open_assignment
from grader.service.deadlines import read_deadline_files, store_deadline_files
from grader.service.gradebooks import open_existing, open_or_create
from grader.settings import DB, REPORTS
from grader.storage import GradebookTarget


@dataclass(frozen=True)
class GradeRequest:
    """One `grader grade`: where the submissions, rubric, gradebook and reports are, and the options."""

    submissions: Path
    rubric: Path | None = None  # None: the file of the gradebook's assignment's rubric of record
    db: GradebookTarget = DB.default
    reports: Path | None = None  # None: reports/<assignment id>
    write_reports: bool = True
    options: GradeOptions = field(default_factory=GradeOptions)
    roster: Path | None = None  # checked against the folders: who is missing, who is extra
    assignment: str | None = None  # picks the rubric of record when no rubric is given
    submission_times: Path | None = None  # CSV: when each student submitted (issue #21)
    extensions: Path | None = None  # CSV: per-student due dates
    actor: str = ""  # who records the times (the audit log)


@dataclass(frozen=True)
class StudentStanding:
    """One student of the run as the gradebook holds them now (overrides applied)."""

    student_id: str
    points: float
    max_points: float
    attention: tuple[str, ...]  # why a person must act; empty when nothing is urgent
    awaiting_confirmation: int  # concept suggestions waiting for `grader override`


@dataclass(frozen=True)
class GradeOutcome:
    """What a grading run left in the gradebook, for the table and the exit code."""

    run_id: int
    students: tuple[StudentStanding, ...]
    reports_index: Path | None  # the class summary, when reports were written
    report_problems: tuple[str, ...] = ()
    not_graded: tuple[tuple[str, str], ...] = ()  # folder entries not graded, with why
    warnings: tuple[str, ...] = ()  # e.g. folders the roster does not list
    assignment: str = ""
    rubric: str = ""  # the rubric file graded with
    notes: tuple[str, ...] = ()  # which rubric, when none was given; a changed rubric file

    @property
    def needing_attention(self) -> tuple[StudentStanding, ...]:
        return tuple(student for student in self.students if student.attention)

    @property
    def awaiting_confirmation(self) -> int:
        """Concept answers of this run's students that still wait for a person."""
        return sum(student.awaiting_confirmation for student in self.students)

    @property
    def needs_attention(self) -> bool:
        """Something needs a person: a student's submission, or a report written in short form."""
        return bool(self.needing_attention or self.report_problems or self.not_graded)


def attention_reasons(grades: StudentGrades) -> tuple[str, ...]:
    """Why a person must act for this student: the submission's problems, else each question's status."""
    urgent = [q for q in grades.questions if q.needs_attention]
    if not urgent:
        return ()
    if grades.problems:
        return grades.problems
    return tuple(
        f"{q.question_id}: {q.status.value}"
        + (f" ({q.review_reason.value})" if q.review_reason else "")
        for q in urgent
    )


def standing(grades: StudentGrades, run_reasons: Sequence[str] = ()) -> StudentStanding:
    """The student as the gradebook holds them. Whether a person must act comes from the
    gradebook (an override settles a question); the words, when this run found the problem,
    are the run's own (only the parts that need attention, not every warning)."""
    reasons = attention_reasons(grades)
    return StudentStanding(
        student_id=grades.student_id,
        points=grades.total,
        max_points=grades.max_total,
        attention=tuple(run_reasons) if reasons and run_reasons else reasons,
        awaiting_confirmation=grades.awaiting_confirmation,
    )


def grade(
    request: GradeRequest,
    *,
    on_start: Callable[[int], None] | None = None,
    on_student_done: Callable[[str], None] | None = None,
) -> GradeOutcome:
    """Grade `request.submissions` as one new run (or finish `options.resume_run`).

    `on_start` gets the number of student parts to grade, `on_student_done` each
    student id as its part is stored (for a progress bar). Raises `GraderError` for a
    problem with the request itself; one student's problems are that student's status.
    """
    options = request.options
    if not request.submissions.is_dir():
        raise GraderError(
            "no such folder",
            path=request.submissions,
            hint="pass the folder holding one sub-folder per student",
        )
    if options.variants_dir is not None and not options.variants_dir.is_dir():
        raise GraderError(
            "no such folder",
            path=options.variants_dir,
            hint="pass the grader/variants folder written by `grader assign --variants`",
        )
    rubric, notes = _rubric_to_grade_with(request)
    warnings = list(rubric.warnings)
    reports = request.reports
    if request.write_reports and reports is None:
        reports = Path(REPORTS.default) / (rubric.assignment.id or "reports")
    if not request.write_reports:
        reports = None
    if reports is not None and options.page_images_dir is None:
        # Scanned pages are rendered beside the reports, for the person who grades them.
        options = replace(options, page_images_dir=reports / "pages")
    roster = load_roster(request.roster) if request.roster is not None else None
    # Read before grading: a bad file stops the run before anything is stored.
    times, extensions = read_deadline_files(rubric, request.submission_times, request.extensions)
    students = find_students(request.submissions)
    if options.student is not None and options.student not in {sid for sid, _ in students}:
        raise GraderError(
            "no such student folder",
            path=f"{request.submissions}/{options.student}",
            hint=f"check the id with `ls {request.submissions}`",
        )
    if (
        options.student is not None
        and options.only in ("all", "notebooks")
        and rubric.models
        and options.notebooks.data_root is None
    ):  # the stored notebook results would become errors without a word (issue #19)
        raise GraderError(
            f"--student {options.student} regrades the notebooks too, but no --data was given: "
            "their stored results would be replaced by errors",
            hint="pass --data DATA_ROOT, or --only written to regrade the written part alone",
        )
    gradebook = open_or_create(request.db)
    store_deadline_files(
        gradebook.scoped(rubric.assignment.id), times, extensions, actor=request.actor
    )
    warnings += _roster_warnings(roster, [sid for sid, _ in students])
    unknown = sorted((set(times) | set(extensions)) - {sid for sid, _ in students})
    if unknown:  # their lateness would never apply, without a word
        warnings.append(
            f"{len(unknown)} id(s) in --times/--extensions match no submission folder: "
            f"{', '.join(unknown[:20])} (fix: check the ids match the folder names)"
        )
    if options.only in ("all", "notebooks") and rubric.models and not options.notebooks.unsandboxed:
        support = cgroup_support()
        if not support.available:  # the run goes on with per-process caps: say so
            warnings.append(f"sandbox limits: {support.describe()}")
        if options.notebooks.gpu and not host_cuda_devices():
            warnings.append(NO_GPU)
    if on_start is not None:
        parts = 2 if options.only == "all" and rubric.models else 1
        on_start((1 if options.student else len(students)) * parts)
    summary = grade_submissions(
        request.submissions,
        rubric=rubric,
        gradebook=gradebook,
        reports_dir=reports,
        options=options,
        on_student_done=on_student_done,
    )
    in_run: set[str] = set()
    for part in Part:
        in_run |= gradebook.graded_students(summary.run_id, part)
    current = gradebook.scoped(rubric.assignment.id).latest_grades(catalogue=rubric.catalogue)
    return GradeOutcome(
        run_id=summary.run_id,
        students=tuple(
            standing(g, summary.needs_attention.get(g.student_id, ()))
            for g in current
            if g.student_id in in_run
        ),
        reports_index=(
            reports / "index.html" if reports is not None and summary.report_paths else None
        ),
        report_problems=tuple(summary.report_problems),
        not_graded=tuple(summary.not_graded),
        warnings=tuple(warnings),
        assignment=rubric.assignment.id,
        rubric=str(rubric.path),
        notes=tuple(notes),
    )


def _rubric_to_grade_with(request: GradeRequest) -> tuple[Rubric, list[str]]:
    """`--rubric`, else the file of the rubric of record of the gradebook's assignment (a
    regrade); one line says which when it was not given."""
    if request.rubric is not None:
        return load_rubric(request.rubric), []
    try:
        gradebook = open_existing(request.db)
    except GradebookError:
        raise GraderError(
            "no rubric given, and no gradebook yet to take the rubric of record from",
            path=str(request.db),
            hint="pass --rubric RUBRIC.toml",
        ) from None
    scope = open_assignment(gradebook, assignment=request.assignment, prefer_file=True)
    said = f"grading with {scope.rubric.path}, the rubric of assignment {scope.assignment!r}"
    return scope.rubric, [said, *scope.notes]


def _roster_warnings(roster: Roster | None, folders: list[str]) -> list[str]:
    """Folders the roster does not list, and roster students with no folder."""
    if roster is None:
        return []
    warnings = []
    extra = roster.not_in_roster(folders)
    if extra:
        warnings.append(
            f"{len(extra)} folder(s) not in the roster {roster.path}: {', '.join(extra[:20])} "
            "(fix: add them to the roster, or check the folder names)"
        )
    absent = sorted(roster.ids() - set(folders))
    if absent:
        warnings.append(
            f"{len(absent)} roster student(s) have no submission folder: "
            f"{', '.join(absent[:20])} (exports with --roster show them with a blank score)"
        )
    return warnings
