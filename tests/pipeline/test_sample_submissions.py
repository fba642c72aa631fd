"""The shipped sample students grade to exact, hand-checked results (written part)."""

from pathlib import Path

import pytest

from grader.pipeline import GradeOptions, grade_submissions
from grader.results import ReviewReason, Status

# (points, status) for the exact questions; concept suggestions are checked as totals.
EXACT = {
    "alice": {"q1": 3, "q2": 3, "q3": 4, "q7": 2, "q8": 2, "q11": 3},  # LaTeX, all right
    "bob": {"q1": 3, "q2": 0.6, "q3": 4, "q7": 2, "q8": 1, "q11": 3},  # Markdown, typical mistakes
    "carol": {
        "q1": 3,
        "q2": 0.6,
        "q3": 4,
        "q7": 2,
        "q8": 2,
        "q11": 3,
    },  # Q markers, arithmetic, side by side
    "dave": {"q1": 3, "q2": 3, "q3": 4, "q7": 2, "q8": 2, "q11": 3},  # PDF with a text layer
    "erin": {"q1": 3, "q2": 3, "q3": 0, "q7": 2, "q8": 0.33, "q11": 3},  # nested lists, OCR, gaps
    "frank": {"q1": 0, "q2": 0, "q3": 0, "q7": 0, "q8": 0, "q11": 0},  # scanned PDF
    "grace": {"q1": 3, "q2": 0, "q3": 0, "q7": 2, "q8": 2, "q11": 0},  # Windows-1252 text
}
TOTALS = {
    "alice": 63,
    "bob": 24.6,
    "carol": 19.6,
    "dave": 20,
    "erin": 14.33,
    "frank": 0,
    "grace": 9,
    "heidi": 60,
    "ivan": 58.8,
    "judy": 58.6,
}


@pytest.fixture(scope="module")
def samples(rubric, tmp_path_factory):
    from grader.storage import Gradebook, open_gradebook

    gradebook = Gradebook(open_gradebook("sqlite:///:memory:"))
    reports = tmp_path_factory.mktemp("reports")
    summary = grade_submissions(
        Path("submissions"),
        rubric=rubric,
        gradebook=gradebook,
        reports_dir=reports,
        options=GradeOptions(only="written"),
    )
    grades = {
        g.student_id: {q.question_id: q for q in g.questions} for g in gradebook.latest_grades()
    }
    return summary, grades, reports


def test_at_least_six_samples_in_varied_styles():
    files = sorted(p.suffix for p in Path("submissions").glob("*/*") if p.is_file())
    assert len({p.parent for p in Path("submissions").glob("*/*")}) >= 6
    assert {".tex", ".md", ".txt", ".pdf"} <= set(files)


@pytest.mark.parametrize("student", sorted(EXACT))
def test_exact_question_points(samples, student):
    _, grades, _ = samples
    got = {qid: grades[student][qid].points for qid in EXACT[student]}
    assert got == pytest.approx(EXACT[student])


def test_totals(samples):
    summary, _, _ = samples
    assert summary.points == pytest.approx(TOTALS)


def test_conventions_are_named(samples):
    _, grades, _ = samples
    assert grades["alice"]["q3"].convention == "padding=2 (same)"
    assert grades["alice"]["q7"].convention == "valid and same"
    assert grades["bob"]["q3"].convention == "padding=1"
    assert grades["carol"]["q8"].convention == "same"


def test_mistakes_are_diagnosed(samples):
    _, grades, _ = samples
    assert grades["bob"]["q2"].diagnosis == "padding forgotten"  # struck-out text ignored
    assert grades["bob"]["q8"].diagnosis == "output size not floored (not an integer)"
    assert (
        grades["carol"]["q2"].diagnosis == "only the R channel used (image treated as a 2-D matrix)"
    )
    assert grades["erin"]["q8"].diagnosis == "stride ignored"


def test_what_needs_a_person(samples):
    summary, grades, _ = samples
    assert set(summary.needs_attention) == {"erin", "frank", "grace"}
    # grace marked only 4 of 21 answers: the unfound ones wait for a person, not a silent 0.
    assert grades["grace"]["q2"].review_reason is ReviewReason.SUBMISSION
    assert "only 4 of 21 question markers" in grades["grace"]["q2"].feedback
    assert grades["erin"]["q2"].review_reason is ReviewReason.UNREADABLE  # OCR "3O" repaired
    assert grades["erin"]["q3"].review_reason is ReviewReason.UNREADABLE  # words, no matrix
    assert grades["erin"]["q11"].review_reason is ReviewReason.AMBIGUOUS  # unlabelled, B R G order
    assert {q.review_reason for q in grades["frank"].values()} == {ReviewReason.NO_TEXT_LAYER}
    assert grades["carol"]["q5"].status is Status.MISSING  # an empty marker
    assert all(
        q.review_reason is ReviewReason.CONCEPT
        for q in grades["alice"].values()
        if q.status is Status.NEEDS_REVIEW
    )


def test_reports_written_for_every_sample(samples):
    _, grades, reports = samples
    for student in grades:
        assert (reports / f"{student}.md").exists() and (reports / f"{student}.html").exists()
    bob = (reports / "bob.md").read_text()
    assert "padding forgotten" in bob and "output size not floored" in bob
    index = (reports / "index.html").read_text()
    assert index.count("<svg") >= 22  # one histogram per question plus totals
    assert "frank" in index
