"""The runs use case: every grading run of a gradebook, finished or not, and how to finish one.

Job: list runs with what each has stored so far (recounted from the gradebook, so a
killed run shows what it got done) and, for an unfinished run, the exact
`grader grade … --resume ID` command built from the options it was started with.
Must not change the gradebook or print.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from grader.errors import GradebookError
from grader.service.gradebooks import open_existing
from grader.settings import DB
from grader.storage import GradebookTarget, gradebook_label


@dataclass(frozen=True)
class RunInfo:
    """One grading run as `grader runs` shows it."""

    run_id: int
    started_at: datetime
    finished_at: datetime | None  # None: the run was interrupted (or is still going)
    rubric_path: str
    assignment: str
    students: int  # graded in any part so far
    parts: dict[str, int]  # students graded per part so far
    needs_attention: int  # students with a result a person must act on
    concept_reviews: int  # concept suggestions of the run awaiting confirmation
    resume_command: str | None  # for an unfinished run started by `grader grade`

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def resume_command(run: dict[str, Any], *, db: GradebookTarget) -> str | None:
    """The command that finishes `run` (a dict from `Gradebook.runs()`): the same submissions,
    rubric, gradebook, part, student, data, variants and notebook cluster it started with."""
    options = run.get("options") or {}
    submissions = options.get("submissions")
    if not submissions:
        return None
    words = ["grader", "grade", str(submissions), "--resume", str(run["id"])]
    words += ["--rubric", run["rubric_path"]]
    if str(db) != str(DB.default):
        # A URL's password is never printed: `***` in its place, to be filled in (or use
        # $HW_GRADER_DB, which the command then reads).
        words += ["--db", gradebook_label(db)]
    only = options.get("only") or "all"
    if only != "all":
        words += ["--only", only]
    if options.get("student"):
        words += ["--student", options["student"]]
    notebooks = options.get("notebooks") or {}
    data_root = notebooks.get("data_root")
    if data_root and only != "written":
        words += ["--data", str(data_root)]
    if only != "written":  # where the notebooks ran: the resumed run must run them there too
        if notebooks.get("scheduler"):
            words += ["--scheduler", str(notebooks["scheduler"])]
        if notebooks.get("scheduler_tls"):
            words += ["--scheduler-tls", str(notebooks["scheduler_tls"])]
        if notebooks.get("kernel_env_given") and notebooks.get("kernel_env"):
            words += ["--kernel-env", str(notebooks["kernel_env"])]
        if notebooks.get("gpu"):
            words.append("--gpu")
    if options.get("variants_dir"):
        words += ["--variants", str(options["variants_dir"])]
    return shlex.join(words)


def list_runs(db: GradebookTarget, *, assignment: str | None = None) -> list[RunInfo]:
    """Every run of the gradebook at `db` (of one assignment, when given), oldest first."""
    gradebook = open_existing(db)
    if assignment is not None:
        if assignment not in gradebook.assignment_ids():
            held = ", ".join(repr(a) for a in gradebook.assignment_ids()) or "none"
            raise GradebookError(
                f"no assignment {assignment!r} in the gradebook (it holds {held})",
                path=gradebook_label(db),
                hint="pass one of the assignments it holds to --assignment",
            )
        gradebook = gradebook.scoped(assignment)
    runs = gradebook.runs()
    counts = gradebook.run_counts([run["id"] for run in runs])
    infos: list[RunInfo] = []
    for run in runs:
        stored = counts[run["id"]]
        finished = run["finished_at"]
        infos.append(
            RunInfo(
                run_id=run["id"],
                started_at=datetime.fromisoformat(run["started_at"]),
                finished_at=datetime.fromisoformat(finished) if finished else None,
                rubric_path=run["rubric_path"],
                assignment=run["assignment"],
                students=stored["students"],
                parts=dict(stored["parts"]),
                needs_attention=stored["needs_attention"],
                concept_reviews=stored["concept_reviews"],
                resume_command=None if finished else resume_command(run, db=db),
            )
        )
    return infos
