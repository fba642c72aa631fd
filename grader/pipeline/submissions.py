"""Find students and their written file in a submissions folder (`submissions/<student_id>/`).

No student is dropped in silence: every folder whose name can be a safe id
is a student (spaces and any script's letters included, NFC-normalised),
and everything else in the folder is listed in `SubmissionsScan.skipped`
with the reason. A student folder whose written file cannot be chosen (a
symbolic link, a format the reader does not know, an empty folder, several
candidates) gets a `WrittenFileChoice.problem` for a person. Only lists and
picks files; reading them is `grader.reading`'s job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError

# The strict form of an id (rosters for `grader assign --variants` are checked against it).
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
MAX_ID_CHARS = 128
HIDDEN_FOLDER = "hidden folder (its name starts with a dot)"
# Characters that would make an id unsafe to print or to use as a file name.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


@dataclass(frozen=True)
class SubmissionsScan:
    """The student folders to grade, and every other entry with why it is not graded."""

    students: list[tuple[str, Path]]  # (student_id, folder), sorted by id
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry name, reason)

    @property
    def for_a_person(self) -> list[tuple[str, str]]:
        """The skipped entries a person must look at: all but hidden folders (.git, caches)."""
        return [(name, reason) for name, reason in self.skipped if reason != HIDDEN_FOLDER]


def find_students(submissions_dir: Path) -> list[tuple[str, Path]]:
    """(student_id, folder) for every student folder, sorted (see `scan_submissions`)."""
    return scan_submissions(submissions_dir).students


def scan_submissions(submissions_dir: Path) -> SubmissionsScan:
    """Every student folder, and every entry that is not one with the reason.

    Raises GraderError when the folder does not exist or holds no student folder at all.
    """
    entries = _entries(submissions_dir)
    root = submissions_dir.resolve()
    candidates: list[tuple[str, str, Path]] = []  # (id, shown name, folder)
    skipped: list[tuple[str, str]] = []
    for entry in entries:
        shown = _shown(entry.name)
        reason = _entry_problem(entry, root)
        if reason is None:
            reason = student_id_problem(entry.name)
        if reason is None:
            candidates.append((unicodedata.normalize("NFC", entry.name), shown, entry))
        elif reason:  # "" means a hidden file: never a submission, not worth listing
            skipped.append((shown, reason))
    students = _unique(candidates, skipped)
    if not students:
        listed = "; ".join(f"{name}: {reason}" for name, reason in skipped)
        raise GraderError(
            "no student folders in the submissions folder" + (f" ({listed})" if listed else ""),
            path=submissions_dir,
            hint="put each student's files in a folder named after the student: submissions/<student_id>/",
        )
    return SubmissionsScan(students=students, skipped=sorted(skipped))


def student_id_problem(name: str) -> str | None:
    """Why a folder name cannot be a student id, or None when it can."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the folder name is not valid UTF-8: rename the folder"
    if name in ("", ".", ".."):
        return "not a folder name"
    if not name.strip():
        return "the folder name is blank: rename the folder"
    if name.startswith("."):
        return HIDDEN_FOLDER
    if "/" in name or "\\" in name or "\x00" in name:
        return "the folder name holds a path separator: rename the folder"
    if any(_unsafe(char) for char in name):
        return "the folder name holds control characters: rename the folder"
    if len(unicodedata.normalize("NFC", name)) > MAX_ID_CHARS:
        return f"the folder name is longer than {MAX_ID_CHARS} characters: rename the folder"
    return None


def _entries(submissions_dir: Path) -> list[Path]:
    if not submissions_dir.is_dir():
        raise GraderError(
            "no such submissions folder",
            path=submissions_dir,
            hint="pass the folder that holds one folder per student",
        )
    try:
        return sorted(submissions_dir.iterdir())
    except OSError as error:
        raise GraderError(
            f"cannot list the submissions folder ({error.strerror or type(error).__name__})",
            path=submissions_dir,
            hint="check the folder's permissions",
        ) from error


def _entry_problem(entry: Path, root: Path) -> str | None:
    """Why this entry is not a student folder; "" for a hidden file; None when it is one."""
    try:
        if entry.is_symlink():
            return _symlink_problem(entry, root)
        if entry.is_dir():
            return None
    except OSError as error:
        return (
            f"cannot be examined ({error.strerror or type(error).__name__}): check its permissions"
        )
    if entry.name.startswith("."):
        return ""
    if entry.suffix.lower() in (".zip", ".tar", ".gz", ".tgz", ".7z", ".rar"):
        return "an archive, not a student folder: unpack it into submissions/<student_id>/"
    return "a file, not a student folder: move it into submissions/<student_id>/"


def _symlink_problem(entry: Path, root: Path) -> str | None:
    """A symbolic link is a student folder only when it resolves to a directory (not an ancestor)."""
    try:
        target = entry.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symbolic link to something that does not exist: copy the student's folder here"
    if not target.is_dir():
        return f"symbolic link to {target}, which is not a folder"
    if target == root or target in root.parents:
        return "symbolic link to the submissions folder itself or a folder above it"
    return None


def _unique(
    candidates: list[tuple[str, str, Path]], skipped: list[tuple[str, str]]
) -> list[tuple[str, Path]]:
    """Students whose id and folder no other entry shares; clashes are skipped, naming both."""
    by_id: dict[str, list[tuple[str, Path]]] = {}
    for student_id, shown, folder in candidates:
        by_id.setdefault(student_id, []).append((shown, folder))
    by_target: dict[Path, list[str]] = {}
    for student_id, entries in by_id.items():
        if len(entries) == 1:
            by_target.setdefault(entries[0][1].resolve(), []).append(student_id)
    students = []
    for student_id, entries in sorted(by_id.items()):
        if len(entries) > 1:
            names = ", ".join(shown for shown, _ in entries)
            skipped.extend(
                (shown, f"folders {names} are the same id after Unicode normalisation: rename one")
                for shown, _ in entries
            )
            continue
        shown, folder = entries[0]
        sharing = by_target[folder.resolve()]
        if len(sharing) > 1 and folder.is_symlink():
            others = ", ".join(other for other in sharing if other != student_id)
            skipped.append((shown, f"symbolic link to the same folder as {others}"))
            continue
        students.append((student_id, folder))
    return students


def _unsafe(char: str) -> bool:
    return char in _BIDI_CONTROLS or unicodedata.category(char) in _UNSAFE_CATEGORIES


def _shown(name: str) -> str:
    """The entry name as it can be printed on one line (escapes for control characters)."""
    if all(char.isprintable() or char == " " for char in name):
        try:
            name.encode("utf-8")
            return name
        except UnicodeEncodeError:
            pass
    return ascii(name)[1:-1]


# --- the written file in one student's folder ---

WRITTEN_SUFFIXES = (".md", ".markdown", ".txt", ".tex", ".pdf", ".docx", ".ipynb")
PREFERRED_STEMS = re.compile(r"^(written|answers?|hw\d*|homework)", re.IGNORECASE)
# A notebook is the written part only when its name says so (written.ipynb, hw5_answers.ipynb):
# the programming notebooks (p1_cats_dogs.ipynb...) sit in the same folder.
WRITTEN_NOTEBOOK = re.compile(r"written|answer|^hw\d*$", re.IGNORECASE)
# The programming part and its by-products: never the written answers, never a problem.
PROGRAM_SUFFIXES = frozenset(
    {".ipynb", ".py", ".pt", ".pth", ".ckpt", ".pkl", ".npy", ".npz", ".h5", ".onnx"}
    | {".json", ".csv", ".log", ".yaml", ".yml", ".toml", ".sh"}
)
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "__pycache__", "artifacts"})
MAX_NESTED_DEPTH = 3
MAX_NESTED_ENTRIES = 2000


@dataclass(frozen=True)
class WrittenFileChoice:
    """The written file chosen for a student, or why none could be chosen."""

    path: Path | None
    problem: str | None = None  # for a person: the file(s) concerned and the fix
    # Other files that may hold answers but are not read (pictures, other formats).
    ignored: tuple[str, ...] = ()


def choose_written_file(
    student_dir: Path, *, exclude: Collection[str] | None = None
) -> WrittenFileChoice:
    """The one written file in the folder; a preferred name breaks ties, otherwise a person decides.

    `exclude` names files never to take for the written answers (pass the rubric's
    `notebook_files`); when given, another notebook not named like written answers is
    reported as a problem if no written file is found, since it may hold them.
    Path None without a problem means the folder holds only programming files.
    """
    try:
        entries = sorted(student_dir.iterdir())
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return WrittenFileChoice(
            None, f"the student's folder cannot be listed ({reason}): check its permissions"
        )
    excluded = {_folded(name) for name in exclude or ()}
    candidates: list[Path] = []
    unknown: list[Path] = []
    links: list[Path] = []
    folders: list[Path] = []
    seen_any = False
    for entry in entries:
        if entry.name.startswith((".", "~$")) or entry.name.lower() in _IGNORED_NAMES:
            continue  # hidden files, Word's lock files, the notebooks' artifacts folder
        seen_any = True
        if _folded(entry.name) in excluded:
            continue
        if entry.is_dir():
            if not entry.is_symlink():
                folders.append(entry)
            continue  # a linked folder (a data set?) is never the written file
        kind = _file_kind(entry, reports_notebooks=exclude is not None)
        if kind is not None and entry.is_symlink():
            links.append(entry)
        elif kind == "written" and entry.is_file():
            candidates.append(entry)
        elif kind is not None:
            unknown.append(entry)
    if links:
        names = ", ".join(link.name for link in links)
        return WrittenFileChoice(
            None,
            f"{names}: a symbolic link, which the grader does not follow: copy the file itself into the folder",
        )
    ignored = tuple(entry.name for entry in unknown)
    if len(candidates) == 1:
        return WrittenFileChoice(candidates[0], ignored=ignored)
    preferred = [p for p in candidates if PREFERRED_STEMS.match(p.stem)]
    if len(preferred) == 1:
        return WrittenFileChoice(preferred[0], ignored=ignored)
    if candidates:
        names = ", ".join(p.name for p in candidates)
        return WrittenFileChoice(
            None,
            f"several written files ({names}): keep one, or name the answers file written.<ext>",
        )
    return WrittenFileChoice(None, _no_written_file(student_dir, unknown, folders, seen_any))


def _file_kind(entry: Path, *, reports_notebooks: bool) -> str | None:
    """ "written", "unknown" (may hold answers, not readable), or None (programming files)."""
    suffix = entry.suffix.lower()
    if suffix == ".ipynb":
        if WRITTEN_NOTEBOOK.search(entry.stem):
            return "written"
        return "unknown" if reports_notebooks else None
    if suffix in WRITTEN_SUFFIXES:
        return "written"
    return None if suffix in PROGRAM_SUFFIXES else "unknown"


def _no_written_file(
    student_dir: Path, unknown: list[Path], folders: list[Path], seen_any: bool
) -> str | None:
    nested = _nested_documents(student_dir, folders)
    if nested:
        return (
            f"no written file in the student's folder, but {', '.join(nested)} in a subfolder:"
            " move the written file into the student's folder"
        )
    if unknown:
        names = ", ".join(entry.name for entry in unknown)
        return (
            f"no written file the grader can read ({names}): hand in the answers as PDF with text,"
            " Word .docx, Markdown, text or LaTeX (a notebook of answers is named written.ipynb)"
        )
    return None if seen_any else "the student's folder is empty"


def _nested_documents(student_dir: Path, folders: list[Path]) -> list[str]:
    """Written-answer files in subfolders (not links, not hidden), as paths relative to the student."""
    found: list[str] = []
    pending = [(folder, 1) for folder in folders]
    visited = 0
    while pending and visited < MAX_NESTED_ENTRIES:
        folder, depth = pending.pop(0)
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            visited += 1
            if (
                entry.name.startswith((".", "~$"))
                or entry.name.lower() in _IGNORED_NAMES
                or entry.is_symlink()
            ):
                continue
            if entry.is_dir() and depth < MAX_NESTED_DEPTH:
                pending.append((entry, depth + 1))
            elif entry.is_file() and _file_kind(entry, reports_notebooks=False) == "written":
                found.append(entry.relative_to(student_dir).as_posix())
    return found


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
