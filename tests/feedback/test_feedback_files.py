"""write_reports: the files it writes, their links, and file names from untrusted student ids."""

from __future__ import annotations

import re

import pytest

import grader.feedback.files as files_module
from grader.feedback import ReportError, report_file_stems, write_reports


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_writes_student_reports_index_and_summary(tmp_path, make_student, questions):
    out_dir = tmp_path / "reports" / "run1"
    written = write_reports([make_student("s2"), make_student("s1")], questions, out_dir)
    assert [p.name for p in written] == [
        "s1.md",
        "s1.html",
        "s2.md",
        "s2.html",
        "index.html",
        "summary.md",
    ]
    assert files_under(out_dir) == sorted(p.name for p in written)
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a href="([^"]+)">', index) == ["s1.html", "s2.html"]
    summary = (out_dir / "summary.md").read_text(encoding="utf-8")
    assert "| [s1](s1.md) |" in summary
    assert (out_dir / "s1.md").read_text(encoding="utf-8").startswith("# Feedback for s1\n")


@pytest.mark.parametrize(
    "student_id",
    [
        "../x",
        "../../etc/passwd",
        "..",
        ".",
        "/abs/path",
        "a/../../b",
        "..\\..\\win",
        "C:\\x",
        "",
        "\x00nul",
        "index",
        "summary",
        "CON",
        "nul.txt",
        ".hidden",
    ],
)
def test_hostile_student_id_stays_inside_out_dir(tmp_path, make_student, questions, student_id):
    out_dir = tmp_path / "out"
    written = write_reports([make_student(student_id)], questions, out_dir)
    for path in written:
        assert path.resolve().parent == out_dir.resolve()
        assert not path.name.startswith(".")
    assert files_under(tmp_path) == sorted(f"out/{p.name}" for p in written)
    assert len(written) == 4  # the student's two reports did not replace index.html or summary.md
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    assert index.startswith("<!DOCTYPE html>") and "Class summary" in index


def test_stems_are_distinct_and_keep_safe_ids():
    ids = ["s1", "S1", "a/b", "a_b", "../x", "x", "index", "weird id!"]
    stems = report_file_stems(ids)
    assert stems["a_b"] == "a_b" and stems["x"] == "x"  # safe ids keep their names
    # Ids equal but for case: one keeps its name, the other gets the hash (case-insensitive disks).
    assert sorted([stems["s1"], stems["S1"]])[0] == "S1"
    assert re.fullmatch(r"s1-[0-9a-f]{10}", stems["s1"])
    assert re.fullmatch(r"x-[0-9a-f]{10}", stems["../x"])
    assert re.fullmatch(r"index-[0-9a-f]{10}", stems["index"])
    assert re.fullmatch(r"weird_id-[0-9a-f]{10}", stems["weird id!"])
    lowered = [s.lower() for s in stems.values()]
    assert len(set(lowered)) == len(ids)  # distinct even on case-insensitive file systems
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", s) for s in stems.values())


def test_long_id_is_shortened(tmp_path, make_student, questions):
    written = write_reports([make_student("s" * 1000)], questions, tmp_path)
    assert all(len(p.name) < 120 for p in written)


def test_duplicate_student_is_an_error(tmp_path, make_student, questions):
    with pytest.raises(ReportError, match="the same student appears more than once: s1"):
        write_reports([make_student("s1"), make_student("s1")], questions, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_planted_symlink_is_replaced_not_followed(tmp_path, make_student, questions):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "s1.html").symlink_to(outside)
    write_reports([make_student("s1")], questions, out_dir)
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert not (out_dir / "s1.html").is_symlink()
    assert "Feedback for s1" in (out_dir / "s1.html").read_text(encoding="utf-8")


def test_rewrite_into_existing_folder(tmp_path, make_student, questions):
    write_reports([make_student("s1")], questions, tmp_path)
    written = write_reports([make_student("s1")], questions, tmp_path)
    assert len(written) == 4


def test_one_failing_report_is_written_short_then_raised(
    tmp_path, make_student, questions, monkeypatch
):
    real_render = files_module.render_student_reports

    def render_or_fail(grades, question_infos):
        if grades.student_id == "s2":
            raise KeyError("broken template")
        return real_render(grades, question_infos)

    monkeypatch.setattr(files_module, "render_student_reports", render_or_fail)
    students = [make_student("s1"), make_student("s2"), make_student("s3")]
    with pytest.raises(
        ReportError, match=r"1 report\(s\) written in short form only: s2 \(KeyError"
    ):
        write_reports(students, questions, tmp_path)
    assert files_under(tmp_path) == sorted(
        ["index.html", "summary.md", *(f"s{n}.{ext}" for n in (1, 2, 3) for ext in ("md", "html"))]
    )
    short = (tmp_path / "s2.html").read_text(encoding="utf-8")
    assert "Total: 4 / 4" in short and "could not be produced" in short
    assert "Feedback for s3" in (tmp_path / "s3.md").read_text(encoding="utf-8")


def test_safe_id_keeps_its_name_even_if_it_looks_hashed():
    hashed = report_file_stems(["../x"])["../x"]
    stems = report_file_stems(["../x", hashed])
    assert stems[hashed] == hashed
    assert stems["../x"].startswith(f"{hashed}-") and stems["../x"] != hashed
