"""Write every report of a grading run into one folder: per-student pages, index.html, summary.md.

File names come from student ids, which are untrusted: they are reduced to
a safe character set, kept distinct from each other and from the index
files, and can never name a path outside the output folder. This module
must not build report contents itself; it calls the renderers.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from grader.errors import GraderError
from grader.feedback.student import render_student_reports
from grader.feedback.summary import (
    StudentRow,
    summary_html,
    summary_markdown,
    summary_view,
)
from grader.feedback.templating import md_inline
from grader.feedback.values import format_number
from grader.results import StudentGrades
from grader.rubric.catalogue import QuestionCatalogue, natural_key

_UNSAFE_RUNS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 80
# Names the run itself writes, and names Windows refuses whatever the extension.
_RESERVED_STEMS = frozenset(
    {"index", "summary", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


class ReportError(GraderError):
    """Reports cannot be written as asked (for example, the same student twice)."""


#: A file in every reports folder naming the assignment whose reports it holds.
ASSIGNMENT_MARKER = ".assignment"


def claim_reports_folder(out_dir: Path, assignment: str) -> None:
    """Refuse to write one assignment's reports over another's (their student files share
    names); mark an empty or matching folder as this assignment's."""
    marker = out_dir / ASSIGNMENT_MARKER
    try:
        holder = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        holder = None
    except (OSError, UnicodeDecodeError):
        holder = ""
    if holder is not None and holder != assignment:
        raise GraderError(
            f"holds the reports of assignment {holder!r}, not {assignment!r}",
            path=out_dir,
            hint=f"pass a folder of its own, e.g. --reports {out_dir.parent / (assignment or 'reports')}",
        )
    if holder is None:
        out_dir.mkdir(parents=True, exist_ok=True)
        marker.write_text(assignment + "\n", encoding="utf-8")


def _id_digest(student_id: str) -> str:
    return hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def _safe_base(student_id: str) -> str:
    """ASCII letters, digits and ._- only; accents are dropped, not the letters ("José" → "Jose")."""
    plain = "".join(
        char
        for char in unicodedata.normalize("NFKD", student_id)
        if not unicodedata.combining(char)
    )
    return _UNSAFE_RUNS.sub("_", plain)[:_MAX_STEM].strip("._-") or "student"


def report_file_stems(student_ids: Iterable[str]) -> dict[str, str]:
    """A distinct, safe file stem for each student id ("../x" becomes "x-<hash>").

    An id that is already safe keeps its name; an id that had to change, or that would
    collide with another (also case-insensitively) or with index/summary, gets a hash of
    the id appended.
    """
    ordered = sorted(set(student_ids), key=natural_key)
    stems: dict[str, str] = {}
    taken: set[str] = set()
    # First pass: ids that can be file names as they are keep them, first come first served.
    for student_id in ordered:
        base = _safe_base(student_id)
        if (
            base == student_id
            and base.lower() not in taken
            and base.split(".")[0].lower() not in _RESERVED_STEMS
        ):
            stems[student_id] = base
            taken.add(base.lower())
    # Second pass: everything else gets a hash of the id, so different ids stay apart.
    for student_id in ordered:
        if student_id in stems:
            continue
        base = _safe_base(student_id)
        stem = f"{base}-{_id_digest(student_id)}"
        counter = 1
        while stem.lower() in taken:  # a real id that looks like a hashed name, or a hash clash
            counter += 1
            stem = f"{base}-{_id_digest(student_id)}-{counter}"
        taken.add(stem.lower())
        stems[student_id] = stem
    return stems


def _with_md_link(row: StudentRow, stems: Mapping[str, str]) -> StudentRow:
    return replace(row, href=quote(f"{stems[row.student_id]}.md"))


def _fallback_reports(grades: StudentGrades) -> tuple[str, str]:
    """A minimal (Markdown, HTML) report, built without templates, for when rendering failed."""
    total = f"{format_number(grades.total)} / {format_number(grades.max_total)}"
    note = "The detailed report could not be produced; the course staff has been told."
    markdown = f"# Feedback for {md_inline(grades.student_id)}\n\n**Total: {total}**\n\n{note}\n"
    student = html.escape(grades.student_id)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Feedback for {student}</title></head><body>"
        f"<h1>Feedback for {student}</h1><p>Total: {total}</p><p>{note}</p></body></html>\n"
    )
    return markdown, page


def _write_text(out_dir: Path, file_name: str, text: str) -> Path:
    path = out_dir / file_name
    # The stem alphabet has no separators, so this only fails on a bug; checked because the
    # consequence (writing outside out_dir) is the one thing this module promises never to do.
    if path.parent != out_dir or Path(file_name).name != file_name or file_name.startswith("."):
        raise ReportError(
            f"refusing to write outside the report folder: {file_name!r}", path=out_dir
        )
    if path.is_symlink():  # do not follow a link planted in the folder to a file elsewhere
        path.unlink()
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def write_reports(
    all_grades: Sequence[StudentGrades],
    questions: QuestionCatalogue,
    out_dir: Path,
    *,
    students: Collection[str] | None = None,
    review_url: str | None = None,
    assignment: str | None = None,
) -> list[Path]:
    """Write <student>.md and <student>.html for each student, index.html and summary.md.

    With `assignment`, the folder is marked as that assignment's and a folder holding
    another assignment's reports is refused (GraderError), before anything is written.

    `review_url`: the review service's address; index.html then links into its queue.

    The class summary always covers every student in `all_grades`; `students`, when
    given, limits the per-student files to those ids (a regrade of a few students).
    Creates out_dir. Returns the written paths: students in natural id order (Markdown,
    then HTML for each), then index.html and summary.md.
    """
    student_ids = [g.student_id for g in all_grades]
    repeated = sorted((s for s, n in Counter(student_ids).items() if n > 1), key=natural_key)
    if repeated:
        raise ReportError(
            f"the same student appears more than once: {', '.join(repeated[:5])}",
            path=out_dir,
            hint="pass one StudentGrades per student (the gradebook's current grades)",
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if assignment is not None:
        claim_reports_folder(out_dir, assignment)
    stems = report_file_stems(student_ids)
    written: list[Path] = []
    failed: list[str] = []
    for grades in sorted(all_grades, key=lambda g: natural_key(g.student_id)):
        if students is not None and grades.student_id not in students:
            continue
        stem = stems[grades.student_id]
        try:
            markdown, page = render_student_reports(grades, questions)
        except (
            Exception
        ) as error:  # a rendering bug for one student must not cost the others theirs
            failed.append(f"{grades.student_id} ({type(error).__name__}: {error})")
            markdown, page = _fallback_reports(grades)
        written.append(_write_text(out_dir, f"{stem}.md", markdown))
        written.append(_write_text(out_dir, f"{stem}.html", page))
    # One summary view for both pages; only the link targets differ (.html vs .md).
    summary = summary_view(
        all_grades,
        questions,
        student_links={sid: quote(f"{stem}.html") for sid, stem in stems.items()},
    )
    written.append(_write_text(out_dir, "index.html", summary_html(summary, review_url=review_url)))
    md_summary = replace(
        summary,
        attention=tuple(_with_md_link(row, stems) for row in summary.attention),
        students=tuple(_with_md_link(row, stems) for row in summary.students),
    )
    written.append(_write_text(out_dir, "summary.md", summary_markdown(md_summary)))
    if failed:
        # Papermill's rule: every file is written (a short report for these students), then we fail.
        raise ReportError(
            f"{len(failed)} report(s) written in short form only: {'; '.join(failed[:5])}",
            path=out_dir,
            hint="this is a bug in the report templates; please report it with the grades",
        )
    return written
