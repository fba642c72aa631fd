"""Which assignment a command works on, and with which rubric: the rubric of record.

Job: a gradebook may hold several assignments; each run records its assignment and the
rubric it used (text, parameters and reference module, by content hash). A command
that reads a gradebook works on one assignment (`--assignment`, or the only one there
is) with the rubric of its latest run, as the gradebook kept it, unless told otherwise;
a different `--rubric` is named in one line (`AssignmentScope.notes`). `mixed_rubrics`
names students whose current grades another rubric scored (an export refuses them).
Must not print, and must not grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import GradebookError, GraderError
from grader.rubric import Rubric, RubricSource, load_rubric, rubric_from_source
from grader.service.gradebooks import open_existing
from grader.storage import Gradebook, GradebookTarget, gradebook_label

#: What a command passes as its rubric: a file (`--rubric`), one already loaded, or None
#: (the rubric of record).
RubricChoice = Path | Rubric | None


@dataclass(frozen=True)
class RubricRecord:
    """The rubric the assignment's latest run used, as the gradebook recorded it."""

    assignment: str
    run_id: int
    path: str
    content_hash: str
    texts: dict[str, str] | None  # None: the run is older than the gradebook's keeping of rubrics


@dataclass(frozen=True)
class AssignmentScope:
    """One assignment of a gradebook, with the rubric a command uses for it."""

    gradebook: Gradebook  # scoped to the assignment
    assignment: str
    rubric: Rubric
    record: RubricRecord | None
    notes: tuple[str, ...] = ()  # one line each: a rubric other than the record, a changed file


def short(content_hash: str) -> str:
    return content_hash[:12]


def assignment_label(assignment: str) -> str:
    return assignment or "(unnamed: graded before assignments were recorded)"


def choose_assignment(
    gradebook: Gradebook, requested: str | None, rubric: Rubric | None, db_label: str
) -> str:
    """The assignment asked for, the rubric's, or the gradebook's only one; else one clear error."""
    held = gradebook.assignment_ids()
    listed = ", ".join(repr(a) for a in held) or "none"
    if not held:
        raise GradebookError(
            "the gradebook holds no grading runs yet",
            path=db_label,
            hint="grade first: grader grade SUBMISSIONS --rubric RUBRIC.toml",
        )
    if requested is not None:
        if requested not in held:
            raise GradebookError(
                f"no assignment {requested!r} in the gradebook (it holds {listed})",
                path=db_label,
                hint="pass one of the assignments it holds to --assignment",
            )
        if rubric is not None and rubric.assignment.id != requested and requested != "":
            raise GraderError(
                f"the rubric is for assignment {rubric.assignment.id!r}, not {requested!r}",
                path=rubric.path,
                hint=f"pass the rubric of {requested}, or --assignment {rubric.assignment.id}",
            )
        return requested
    if rubric is not None:
        if rubric.assignment.id in held:
            return rubric.assignment.id
        if held == [""]:
            return ""  # a gradebook from before assignments were recorded: its only homework
        raise GradebookError(
            f"the rubric is for assignment {rubric.assignment.id!r}, which the gradebook has no "
            f"runs of (it holds {listed})",
            path=db_label,
            hint=f"grade it first, or pass the rubric of one of {listed}",
        )
    if len(held) > 1:
        raise GradebookError(
            f"the gradebook holds several assignments ({listed})",
            path=db_label,
            hint="say which with --assignment ID",
        )
    return held[0]


def rubric_record(gradebook: Gradebook) -> RubricRecord | None:
    """The rubric of record of the gradebook's (scoped) assignment: its latest run's."""
    runs = gradebook.runs()
    if not runs:
        return None
    latest = max(runs, key=lambda run: run["id"])
    texts = gradebook.rubric_texts(latest["rubric_hash"])
    stored = (
        {
            role: texts[role]
            for role in ("rubric", "parameters", "reference")
            if texts[role] is not None
        }
        if texts is not None
        else None
    )
    return RubricRecord(
        latest["assignment"], latest["id"], latest["rubric_path"], latest["rubric_hash"], stored
    )


def _from_record(record: RubricRecord) -> Rubric:
    assert record.texts is not None
    return rubric_from_source(
        RubricSource(
            Path(record.path),
            record.texts["rubric"],
            record.texts.get("parameters"),
            record.texts.get("reference"),
        )
    )


def _record_rubric(record: RubricRecord, *, prefer_file: bool) -> tuple[Rubric, tuple[str, ...]]:
    """The rubric of record: as the gradebook kept it, or (`prefer_file`) the file at its path
    as it is now, each with a note when the two differ."""
    path = Path(record.path)
    label = f"run {record.run_id}"
    if prefer_file or record.texts is None:
        try:
            current = load_rubric(path)
        except GraderError as exc:
            if record.texts is None:
                raise GraderError(
                    f"the rubric of {label} ({record.path}) cannot be loaded: {exc.message}, and "
                    "the gradebook did not keep a copy (it predates that)",
                    path=record.path,
                    hint="pass --rubric with the rubric to use",
                ) from None
            return _from_record(record), (
                f"{record.path} cannot be loaded any more ({exc.message}); using the copy of it "
                f"the gradebook kept from {label}",
            )
        if current.content_hash == record.content_hash:
            return current, ()
        if record.texts is None:
            return current, (
                f"{record.path} changed since {label} and the gradebook kept no copy of the "
                f"rubric it used: using the file as it is now (rubric {short(current.content_hash)})",
            )
        return current, (
            f"{record.path} changed since {label} graded with it (rubric "
            f"{short(record.content_hash)} → {short(current.content_hash)}): using the file as it is now",
        )
    return _from_record(record), ()


def open_assignment(
    db: GradebookTarget | Gradebook,
    *,
    assignment: str | None = None,
    rubric: RubricChoice = None,
    prefer_file: bool = False,
) -> AssignmentScope:
    """The assignment a command works on and the rubric it uses.

    Without `rubric`: the rubric of record (the assignment's latest run's), as the gradebook
    kept it, or with `prefer_file` (re-scoring) the file at its path as it is now. With a
    rubric other than the record, a note says so in one line.
    """
    gradebook = open_existing(db)
    if assignment is None and gradebook.assignment is not None:
        assignment = gradebook.assignment  # already scoped by the caller (the review service)
    label = gradebook_label(db) if not isinstance(db, Gradebook) else ""
    given = load_rubric(rubric) if isinstance(rubric, Path) else rubric
    chosen = choose_assignment(gradebook, assignment, given, label)
    scoped = gradebook.scoped(chosen)
    record = rubric_record(scoped)
    notes: list[str] = []
    if given is None:
        if record is None:  # cannot happen: the assignment was chosen from its runs
            raise GradebookError(f"no runs of assignment {chosen!r}", path=label)
        used, said = _record_rubric(record, prefer_file=prefer_file)
        notes.extend(said)
    else:
        used = given
        if record is not None and given.content_hash != record.content_hash:
            notes.append(
                f"using {given.path} (rubric {short(given.content_hash)}), not the rubric of record "
                f"{record.path} (rubric {short(record.content_hash)}, run {record.run_id})"
            )
    return AssignmentScope(scoped, chosen, used, record, tuple(notes))


def mixed_rubrics(scope: AssignmentScope) -> dict[str, str]:
    """Students whose current grades another rubric than the scope's scored: student → why."""
    mixed: dict[str, str] = {}
    for student, parts in scope.gradebook.latest_rubric_hashes().items():
        others = sorted(
            {(run_id, h) for run_id, h in parts.values() if h != scope.rubric.content_hash}
        )
        if others:
            run_id, content_hash = others[-1]
            mixed[student] = f"run {run_id}, rubric {short(content_hash)}"
    return mixed


def mixing_error(scope: AssignmentScope, what: str) -> GraderError | None:
    """The one-line refusal for `what` (an export) when it would mix two rubrics, or None."""
    mixed = mixed_rubrics(scope)
    if not mixed:
        return None
    first = ", ".join(f"{student} ({why})" for student, why in list(mixed.items())[:5])
    more = f" and {len(mixed) - 5} more" if len(mixed) > 5 else ""
    assignment = f" --assignment {scope.assignment}" if scope.assignment else ""
    return GraderError(
        f"{what} would mix two rubrics: {scope.rubric.path} (rubric "
        f"{short(scope.rubric.content_hash)}) and another that scored the current grades of "
        f"{first}{more}",
        hint=f"re-score everyone with one rubric first: grader rescore{assignment} "
        f"--rubric {scope.rubric.path}",
    )
