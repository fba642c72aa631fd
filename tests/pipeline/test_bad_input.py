"""Bad files give that student a clear status and message; the run goes on and nothing else is lost."""

from pathlib import Path

import pytest

from grader.pipeline import GradeOptions, grade_submissions
from grader.results import ReviewReason, Status
from tests.fixtures.pdf_samples import write_scanned_pdf, write_text_pdf
from tests.fixtures.written_answers import marked_answers

GOOD_ANSWER = marked_answers({1: "45 45\n54 54", 7: "126x126x16"})


def build(root: Path) -> Path:
    def student(name: str, filename: str, content: bytes) -> None:
        (root / name).mkdir(parents=True)
        (root / name / filename).write_bytes(content)

    student("a_good", "written.md", GOOD_ANSWER.encode())
    student(
        "b_cp1252",
        "written.txt",
        "1.\n45 45\n54 54\n\n7. 126 \u00d7 126 \u00d7 16\n".encode("cp1252"),
    )
    student("c_empty", "written.md", b"")
    student("d_binary", "written.txt", bytes(range(256)) * 8)
    student("e_corrupt_pdf", "written.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50)
    student("f_scanned", "scan.pdf", b"")
    write_scanned_pdf(root / "f_scanned" / "scan.pdf")
    student("g_text_pdf", "written.pdf", b"")
    write_text_pdf(
        ["1.", "45 45", "54 54", "7. 126 x 126 x 16"], root / "g_text_pdf" / "written.pdf"
    )
    student("h_two_files", "notes.md", GOOD_ANSWER.encode())
    (root / "h_two_files" / "other.txt").write_text(GOOD_ANSWER)
    (root / "i_no_file").mkdir()
    (root / "i_no_file" / "picture.png").write_bytes(b"\x89PNG")
    student("j_huge", "written.md", b"")
    with (root / "j_huge" / "written.md").open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    student("k_good", "written.md", GOOD_ANSWER.encode())
    return root


@pytest.fixture
def graded(tmp_path, rubric, gradebook):
    summary = grade_submissions(
        build(tmp_path / "subs"),
        rubric=rubric,
        gradebook=gradebook,
        reports_dir=tmp_path / "reports",
        options=GradeOptions(only="written"),
    )
    grades = {g.student_id: g for g in gradebook.latest_grades()}
    return summary, grades


def statuses(grades, student):
    return {q.status for q in grades[student].questions}


def test_every_student_stored_and_good_ones_intact(graded):
    summary, grades = graded
    assert summary.students == 11 and len(grades) == 11
    for good in ("a_good", "k_good", "g_text_pdf"):
        q = {x.question_id: x for x in grades[good].questions}
        assert q["q1"].points == 3 and q["q7"].points == 2, good


def test_non_utf8_is_read_with_a_warning(graded):
    _, grades = graded
    q = {x.question_id: x for x in grades["b_cp1252"].questions}
    assert q["q7"].points == 2
    assert any("not UTF-8" in p for p in grades["b_cp1252"].problems)


@pytest.mark.parametrize(
    ("student", "status", "words"),
    [
        ("c_empty", Status.ERROR, "empty"),
        ("d_binary", Status.ERROR, "binary"),
        ("e_corrupt_pdf", Status.ERROR, "PDF"),
        ("j_huge", Status.ERROR, "10"),
        ("f_scanned", Status.NEEDS_REVIEW, "no text layer"),
        ("h_two_files", Status.NEEDS_REVIEW, "several written files (notes.md, other.txt)"),
        ("i_no_file", Status.NEEDS_REVIEW, "no written file the grader can read (picture.png)"),
    ],
)
def test_bad_submission_status_and_message(graded, student, status, words):
    summary, grades = graded
    assert statuses(grades, student) == {status}
    assert len(grades[student].problems) == 1
    message = grades[student].problems[0]
    assert words in message
    assert all(q.points == 0 for q in grades[student].questions)
    if status is not Status.MISSING:
        assert student in summary.needs_attention
    report = (Path(summary.report_paths[0]).parent / f"{student}.md").read_text()
    assert words in report


def test_scanned_pdf_is_routed_to_a_person(graded):
    _, grades = graded
    assert {q.review_reason for q in grades["f_scanned"].questions} == {ReviewReason.NO_TEXT_LAYER}


def test_only_one_student(tmp_path, rubric, gradebook):
    summary = grade_submissions(
        build(tmp_path / "subs"), rubric=rubric, gradebook=gradebook, reports_dir=None,
        options=GradeOptions(only="written", student="k_good"),
    )  # fmt: skip
    assert summary.students == 1
    assert [g.student_id for g in gradebook.latest_grades()] == ["k_good"]


def test_resume_grades_only_what_the_run_lacks(tmp_path, rubric, gradebook):
    from grader.errors import GraderError

    subs = build(tmp_path / "subs")
    first = grade_submissions(
        subs,
        rubric=rubric,
        gradebook=gradebook,
        reports_dir=None,
        options=GradeOptions(only="written"),
    )
    with pytest.raises(
        GraderError, match=f"cannot resume run {first.run_id}: run {first.run_id} is finished"
    ):
        grade_submissions(
            subs, rubric=rubric, gradebook=gradebook, reports_dir=None,
            options=GradeOptions(only="written", resume_run=first.run_id),
        )  # fmt: skip
    with gradebook._write_engine.begin() as connection:  # as if the run had been killed
        connection.exec_driver_sql("UPDATE grading_runs SET finished_at = NULL")
    (subs / "z_late").mkdir()
    (subs / "z_late" / "written.md").write_text(GOOD_ANSWER)
    resumed = grade_submissions(
        subs, rubric=rubric, gradebook=gradebook, reports_dir=None,
        options=GradeOptions(only="written", resume_run=first.run_id),
    )  # fmt: skip
    assert resumed.run_id == first.run_id and resumed.students == 1
    assert list(resumed.points) == ["z_late"]
    assert len(gradebook.runs()) == 1
    assert len(gradebook.graded_students(first.run_id, "written")) == 12
    with gradebook._write_engine.begin() as connection:
        connection.exec_driver_sql("UPDATE grading_runs SET finished_at = NULL")
    changed = rubric.model_copy(update={"content_hash": "another"})
    with pytest.raises(GraderError, match=f"run {first.run_id} was graded with a different rubric"):
        grade_submissions(
            subs, rubric=changed, gradebook=gradebook, reports_dir=None,
            options=GradeOptions(only="written", resume_run=first.run_id),
        )  # fmt: skip
