"""No student dropped in silence: every usable folder is graded, every other entry has a reason."""

import unicodedata
from pathlib import Path

import pytest

from grader.errors import GraderError
from grader.pipeline.submissions import (
    WrittenFileChoice,
    choose_written_file,
    find_students,
    scan_submissions,
    student_id_problem,
)

NOTEBOOKS = ("p1_cats_dogs.ipynb", "p2_cifar10.ipynb")


def folder(root: Path, name: str, *files: str) -> Path:
    path = root / name
    path.mkdir(parents=True)
    for file in files:
        (path / file).write_text("1. 45 45\n54 54\n")
    return path


def test_names_with_spaces_accents_scripts_and_dashes_are_students(tmp_path):
    for name in ("John Doe", "José", "李雷", "-x", "alice", "o'brien"):
        folder(tmp_path, name, "written.md")
    scan = scan_submissions(tmp_path)
    assert [sid for sid, _ in scan.students] == sorted(
        ["John Doe", "José", "李雷", "-x", "alice", "o'brien"]
    )
    assert scan.skipped == []
    assert find_students(tmp_path) == scan.students


def test_ids_are_nfc_normalised(tmp_path):
    decomposed = unicodedata.normalize("NFD", "José")
    folder(tmp_path, decomposed, "written.md")
    ((student_id, path),) = scan_submissions(tmp_path).students
    assert student_id == "José" and student_id != decomposed
    assert path.name == decomposed  # the folder on disk keeps its name


def test_two_folders_with_the_same_normalised_id_both_go_to_a_person(tmp_path):
    folder(tmp_path, unicodedata.normalize("NFD", "José"), "written.md")
    folder(tmp_path, "José", "written.md")
    folder(tmp_path, "bob", "written.md")
    scan = scan_submissions(tmp_path)
    assert [sid for sid, _ in scan.students] == ["bob"]
    assert len(scan.skipped) == 2
    assert all(
        "same id after Unicode normalisation: rename one" in reason for _, reason in scan.skipped
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (".git", "hidden folder (its name starts with a dot)"),
        (".ipynb_checkpoints", "hidden folder (its name starts with a dot)"),
        ("back\\slash", "the folder name holds a path separator: rename the folder"),
        ("tab\there", "the folder name holds control characters: rename the folder"),
        ("new\nline", "the folder name holds control characters: rename the folder"),
        ("evil\u202egnp.exe", "the folder name holds control characters: rename the folder"),
        ("x" * 129, "the folder name is longer than 128 characters: rename the folder"),
        ("bad\udcffbytes", "the folder name is not valid UTF-8: rename the folder"),
        ("   ", "the folder name is blank: rename the folder"),
        (".", "not a folder name"),
        ("..", "not a folder name"),
    ],
)
def test_unsafe_ids_are_refused_with_a_reason(name, reason):
    assert student_id_problem(name) == reason


def test_refused_folders_are_listed_not_dropped(tmp_path):
    folder(tmp_path, "alice", "written.md")
    folder(tmp_path, ".git")
    folder(tmp_path, "tab\there", "written.md")
    (tmp_path / "bob.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "carol.zip").write_bytes(b"PK\x03\x04")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")  # a hidden file: never a submission
    scan = scan_submissions(tmp_path)
    assert [sid for sid, _ in scan.students] == ["alice"]
    assert scan.skipped == [
        (".git", "hidden folder (its name starts with a dot)"),
        ("bob.pdf", "a file, not a student folder: move it into submissions/<student_id>/"),
        ("carol.zip", "an archive, not a student folder: unpack it into submissions/<student_id>/"),
        ("tab\\there", "the folder name holds control characters: rename the folder"),
    ]
    assert [name for name, _ in scan.for_a_person] == ["bob.pdf", "carol.zip", "tab\\there"]


def test_symlinked_student_folders(tmp_path):
    root = folder(tmp_path, "submissions")
    outside = folder(tmp_path, "late", "written.md")
    folder(root, "alice", "written.md")
    (tmp_path / "not_a_folder.md").write_text("x")
    (root / "dana").symlink_to(outside)  # graded: it resolves to a folder
    (root / "alias").symlink_to(root / "alice")  # the same folder as alice
    (root / "broken").symlink_to(tmp_path / "gone")
    (root / "file_link").symlink_to(tmp_path / "not_a_folder.md")
    (root / "loop").symlink_to(root)
    scan = scan_submissions(root)
    assert scan.students == [("alice", root / "alice"), ("dana", root / "dana")]
    assert dict(scan.skipped) == {
        "alias": "symbolic link to the same folder as alice",
        "broken": "symbolic link to something that does not exist: copy the student's folder here",
        "file_link": f"symbolic link to {tmp_path / 'not_a_folder.md'}, which is not a folder",
        "loop": "symbolic link to the submissions folder itself or a folder above it",
    }


def test_an_empty_submissions_folder_is_an_error(tmp_path):
    with pytest.raises(GraderError) as caught:
        scan_submissions(tmp_path)
    assert caught.value.one_line() == (
        f"{tmp_path}: no student folders in the submissions folder"
        " (fix: put each student's files in a folder named after the student: submissions/<student_id>/)"
    )


def test_a_folder_of_only_refused_entries_says_what_it_found(tmp_path):
    folder(tmp_path, ".git")
    (tmp_path / "grades.csv").write_text("id,points\n")
    with pytest.raises(
        GraderError, match=r"\(\.git: hidden folder .*; grades\.csv: a file, not a student folder"
    ):
        find_students(tmp_path)


def test_a_missing_submissions_folder_is_an_error(tmp_path):
    with pytest.raises(GraderError, match="no such submissions folder"):
        scan_submissions(tmp_path / "nowhere")


# --- the written file in one student's folder ---


@pytest.mark.parametrize(
    "name", ["written.docx", "answers.ipynb", "hw4.ipynb", "my_written_part.ipynb", "hw4.pdf"]
)
def test_new_formats_are_chosen(tmp_path, name):
    student = folder(tmp_path, "s", name, *NOTEBOOKS)
    assert choose_written_file(student) == WrittenFileChoice(student / name)
    assert choose_written_file(student, exclude=NOTEBOOKS) == WrittenFileChoice(student / name)


def test_programming_notebooks_are_never_the_written_answers(tmp_path):
    student = folder(tmp_path, "s", *NOTEBOOKS, "helpers.py")
    (student / "artifacts").mkdir()
    (student / "artifacts" / "p1.scratch.pt").write_bytes(b"\x00")
    # Only the programming part: the written part was not handed in (missing, not a problem).
    assert choose_written_file(student) == WrittenFileChoice(None, None)
    assert choose_written_file(student, exclude=NOTEBOOKS) == WrittenFileChoice(None, None)


def test_the_rubric_notebook_names_are_excluded_even_when_named_like_answers(tmp_path):
    student = folder(tmp_path, "s", "written.md", "hw4.ipynb")
    assert choose_written_file(student).problem is not None  # two preferred names
    assert choose_written_file(student, exclude=["HW4.ipynb"]) == WrittenFileChoice(
        student / "written.md"
    )


def test_another_notebook_is_reported_when_the_rubric_names_are_given(tmp_path):
    student = folder(tmp_path, "s", *NOTEBOOKS, "Untitled.ipynb")
    assert choose_written_file(student) == WrittenFileChoice(None, None)
    choice = choose_written_file(student, exclude=NOTEBOOKS)
    assert choice.path is None
    assert choice.problem == (
        "no written file the grader can read (Untitled.ipynb): hand in the answers as PDF with text,"
        " Word .docx, Markdown, text or LaTeX (a notebook of answers is named written.ipynb)"
    )


@pytest.mark.parametrize(
    "files", [("answers.odt",), ("answers.pages", "IMG_0001.jpg"), ("hw4.rtf",), ("scan.heic",)]
)
def test_only_unknown_formats_is_a_problem_naming_them(tmp_path, files):
    student = folder(tmp_path, "s", *files, *NOTEBOOKS)
    choice = choose_written_file(student, exclude=NOTEBOOKS)
    assert choice.path is None
    assert choice.problem == (
        f"no written file the grader can read ({', '.join(sorted(files))}): hand in the answers as"
        " PDF with text, Word .docx, Markdown, text or LaTeX (a notebook of answers is named written.ipynb)"
    )


def test_pictures_beside_a_written_file_are_listed_as_not_read(tmp_path):
    student = folder(tmp_path, "s", "written.md", "q11_photo.jpg", ".DS_Store", "~$itten.docx")
    assert choose_written_file(student) == WrittenFileChoice(
        student / "written.md", ignored=("q11_photo.jpg",)
    )


def test_a_symlinked_written_file_is_a_problem(tmp_path):
    student = folder(tmp_path, "s", *NOTEBOOKS)
    (tmp_path / "elsewhere.md").write_text("1. 45 45\n54 54\n")
    (student / "written.md").symlink_to(tmp_path / "elsewhere.md")
    (student / "data").symlink_to(tmp_path)  # a linked folder is not the written file
    choice = choose_written_file(student, exclude=NOTEBOOKS)
    assert choice == WrittenFileChoice(
        None,
        "written.md: a symbolic link, which the grader does not follow: copy the file itself into the folder",
    )


def test_a_broken_symlink_is_a_problem_too(tmp_path):
    student = folder(tmp_path, "s")
    (student / "answers.pdf").symlink_to(tmp_path / "gone.pdf")
    assert choose_written_file(student).problem.startswith("answers.pdf: a symbolic link")


def test_a_written_file_in_a_subfolder_is_a_problem(tmp_path):
    student = folder(tmp_path, "s", *NOTEBOOKS)
    folder(student, "hw4_submission/part1", "written.pdf")
    choice = choose_written_file(student, exclude=NOTEBOOKS)
    assert choice.problem == (
        "no written file in the student's folder, but hw4_submission/part1/written.pdf in a subfolder:"
        " move the written file into the student's folder"
    )


def test_an_empty_student_folder_is_a_problem(tmp_path):
    student = folder(tmp_path, "s")
    (student / ".DS_Store").write_bytes(b"\x00")
    assert choose_written_file(student) == WrittenFileChoice(None, "the student's folder is empty")


def test_several_candidates_still_go_to_a_person(tmp_path):
    student = folder(tmp_path, "s", "written.pdf", "written.docx")
    assert choose_written_file(student).problem == (
        "several written files (written.docx, written.pdf): keep one, or name the answers file written.<ext>"
    )


def test_an_unreadable_student_folder_is_a_problem(tmp_path, monkeypatch):
    student = folder(tmp_path, "s", "written.md")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    assert choose_written_file(student) == WrittenFileChoice(
        None, "the student's folder cannot be listed (Permission denied): check its permissions"
    )
